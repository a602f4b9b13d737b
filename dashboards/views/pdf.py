"""The dashboards' PDFs: a relation's statement of open items, and the Outstanding Items and P&L pages as printable
reports (rendered by ``dashboards.pdf``).

Each reads its filters with its page's form and its figures with its page's selectors, so a PDF shows what the page
shows for the same link: the same scope, the same rows, the same totals. A relation of another organisation is a 404,
as on the pages. Members may download them, as they may the CSV and XLSX exports.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ledger.models import OutstandingSide, Relation
from ledger.money import ZERO, cents
from monitr.tenancy.access import member_required
from monitr.tenancy.requests import MemberRequest

from ..forms import OutstandingFilterForm
from ..mapping import Statement
from ..models import AgingBasis
from ..pdf import pdf_download, pdf_filename
from ..selectors.figures import outstanding_snapshot_status, outstanding_turnover
from ..selectors.outstanding import outstanding_aging, outstanding_by_relation, outstanding_items_list
from ..selectors.scope import OutstandingScope, reads_ledger
from ..selectors.statements import statement_report
from ..statement_forms import StatementFilterForm
from .outstanding import _filter_form
from .statements import TITLES, _form

# A statement lists its items oldest first, as a reminder reads.
STATEMENT_SORT = "date"
# How the country of a Dutch address is written by those who fill it in: a Dutch letter leaves it out.
DOMESTIC_COUNTRIES = frozenset({"nl", "nld", "nederland", "netherlands", "the netherlands", "holland"})


@dataclass(frozen=True, slots=True)
class Filter:
    label: str | Promise
    value: str | Promise


def _document(
    request: MemberRequest,
    title: str | Promise,
    filters: list[Filter],
    *,
    subtitle: str | Promise = "",
    landscape: bool = False,
) -> dict[str, Any]:
    """What every PDF's frame shows: the organisation, the title, the filters, when it was made, the page numbers;
    and which way its pages are turned (a report with a column per bucket or month is landscape)."""
    before, between, after = _page_label()
    return {
        "title": title,
        "orientation": "landscape" if landscape else "portrait",
        "subtitle": subtitle,
        "organization": request.organization,
        "filters": filters,
        "made_at": timezone.localtime(),
        "language": translation.get_language(),
        "page_before": before,
        "page_between": between,
        "page_after": after,
    }


def _page_label() -> tuple[str, str, str]:
    """ "Page 2 of 5" in the active language, cut around its two numbers, which the stylesheet counts itself."""
    label = _("Page %(page)s of %(pages)s")
    parts = re.split(r"%\((?:page|pages)\)s", label)
    if len(parts) != 3 or label.index("%(page)s") > label.index("%(pages)s"):
        return ("", " / ", "")
    return parts[0], parts[1], parts[2]


def _day(value: date) -> str:
    return date_format(value, "DATE_FORMAT")


def _side_label(side: str) -> str:
    return _("Receivables") if side == OutstandingSide.RECEIVABLE else _("Payables")


def _outstanding_filters(form: OutstandingFilterForm, scope: OutstandingScope) -> list[Filter]:
    filters = [
        Filter(_("Administration"), scope.administration.name if scope.administration else _("All administrations")),
        Filter(_("As of"), _day(scope.as_of)),
        Filter(_("Age by"), AgingBasis(scope.basis).label),
    ]
    if form.value("q"):
        filters.append(Filter(_("Search"), form.value("q")))
    return filters


# -- a relation's statement of open items ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatementItem:
    invoice_number: str
    invoice_date: date
    due_date: date | None
    days_overdue: int | None  # None: not overdue (or a credit)
    is_credit: bool
    outstanding: Decimal


def address_lines(relation: Relation) -> list[str]:
    """The relation's address as a letter puts it under the name: street, postal code and city, and the country
    unless it is the Netherlands (docs/eboekhouden.md). Empty when the source gives no address."""
    lines = [relation.address.strip()]
    lines.append(" ".join(part for part in (relation.postal_code.strip(), relation.city.strip()) if part))
    country = relation.country.strip()
    if country.casefold() not in DOMESTIC_COUNTRIES:
        lines.append(country)
    return [line for line in lines if line]


def _statement_items(scope: OutstandingScope, relation: Relation) -> list[StatementItem]:
    rows = outstanding_items_list(scope=scope, relation=relation, sort=STATEMENT_SORT)
    items = []
    for row in rows:
        late = (scope.as_of - row.effective_due).days
        items.append(
            StatementItem(
                invoice_number=row.invoice_number,
                invoice_date=row.invoice_date,
                due_date=row.due_date,
                days_overdue=late if late > 0 and not row.is_credit else None,
                is_credit=row.is_credit,
                outstanding=row.outstanding,
            )
        )
    return items


def _relation_aging(scope: OutstandingScope, relation: Relation) -> dict[str, Any]:
    """The relation's row of the Outstanding Items page's relation table: its total, overdue, credit and buckets."""
    row = outstanding_by_relation(scope=scope).filter(relation_id=relation.pk).first() or {}
    buckets = [
        {"label": bucket.label, "amount": cents(row.get(f"bucket_{index}"))}
        for index, bucket in enumerate(scope.buckets)
    ]
    return {
        "buckets": buckets,
        "credit": cents(row.get("credit")),
        "total": cents(row.get("total")),
        "overdue": cents(row.get("overdue")),
    }


@require_GET
@member_required
def relation_statement(request: MemberRequest, pk: int) -> HttpResponse:
    """A relation's statement of open items on a day, as a PDF to send to them."""
    relation = get_object_or_404(
        Relation.objects.for_organization(request.organization).select_related("administration"), pk=pk
    )
    form = _filter_form(request, OutstandingFilterForm)
    if form is None:
        raise Http404("No administrations yet.")
    # The day, side and aging of the page it was asked from; the books are always the relation's own.
    scope = dataclasses.replace(form.scope(), administration=relation.administration)
    items = _statement_items(scope, relation)
    aging = _relation_aging(scope, relation)
    receivable = scope.side == OutstandingSide.RECEIVABLE
    title = _("Statement of open items")
    context = {
        "document": _document(request, title, []),
        "relation": relation,
        "address": address_lines(relation),
        "scope": scope,
        "is_receivable": receivable,
        "items": items,
        "item_count": len(items),
        "aging": aging,
        # The organisation's books this relation is in, when the organisation has more than one name for it.
        "administration": relation.administration,
    }
    filename = pdf_filename("statement", relation.code or relation.name, scope.as_of.isoformat())
    return pdf_download(request, template="dashboards/pdf/statement.html", context=context, filename=filename)


# -- the Outstanding Items page as a report ---------------------------------------------------------------------


@require_GET
@member_required
def outstanding_report(request: MemberRequest) -> HttpResponse:
    """The Outstanding Items page with its filters as a printable report: the aging, DSO or DPO, and every relation
    of the relation table (all its pages), in its search and sort."""
    form = _filter_form(request, OutstandingFilterForm)
    if form is None:
        raise Http404("No administrations yet.")
    scope = form.scope()
    snapshot = None
    if not scope.is_live and not reads_ledger(scope):
        snapshot = outstanding_snapshot_status(
            organization=scope.organization, administrations=form.chosen_administrations, as_of=scope.as_of
        )
    aging = outstanding_aging(scope=scope)
    receivable = scope.side == OutstandingSide.RECEIVABLE
    relations = list(outstanding_by_relation(scope=scope, search=form.value("q"), sort=form.value("sort")))
    for row in relations:
        for figure in ("total", "overdue", "credit"):
            row[figure] = cents(row[figure])
        row["buckets"] = [cents(row[f"bucket_{index}"]) for index in range(len(scope.buckets))]
        row["days_overdue"] = max(0, (scope.as_of - row["oldest_due"]).days) if row["oldest_due"] is not None else None
    title = _("Outstanding items")
    context = {
        "document": _document(
            request, title, _outstanding_filters(form, scope), subtitle=_side_label(scope.side), landscape=True
        ),
        "scope": scope,
        "is_receivable": receivable,
        "aging": aging,
        "turnover": outstanding_turnover(scope=scope, open_amount=aging.total),
        "relations": relations,
        "several_administrations": scope.administration is None and len(form.administrations) > 1,
        "relation_totals": {
            "total": sum((r["total"] for r in relations), ZERO),
            "overdue": sum((r["overdue"] for r in relations), ZERO),
            "credit": sum((r["credit"] for r in relations), ZERO),
            "buckets": [sum((r["buckets"][i] for r in relations), ZERO) for i in range(len(scope.buckets))],
            "items": sum(r["items"] for r in relations),
        },
        "snapshot": snapshot,
        "search": form.value("q"),
    }
    kind = "receivables" if receivable else "payables"
    filename = pdf_filename("outstanding", kind, scope.as_of.isoformat())
    return pdf_download(request, template="dashboards/pdf/outstanding.html", context=context, filename=filename)


# -- the P&L page as a report -----------------------------------------------------------------------------------


def _statement_filters(form: StatementFilterForm, scope) -> list[Filter]:
    filters = [
        Filter(_("Administration"), scope.administration.name if scope.administration else _("All administrations")),
        Filter(_("Year"), str(scope.year)),
        Filter(_("Through"), date_format(scope.end, "F")),
    ]
    if scope.cost_center is not None:
        filters.append(Filter(_("Cost centre"), scope.cost_center.name))
    return filters


@require_GET
@member_required
def pnl_report(request: MemberRequest) -> HttpResponse:
    """The P&L page with its filters as a printable report: every line and result per month, the year to date, the
    prior year's and the change."""
    form = _form(request)
    if form is None:
        raise Http404("No administrations yet.")
    scope = form.scope(by_cost_centre=True)
    report = statement_report(scope=scope, statement=Statement.PROFIT_AND_LOSS)
    title = TITLES[Statement.PROFIT_AND_LOSS]
    context = {
        "document": _document(request, title, _statement_filters(form, scope), landscape=True),
        "scope": scope,
        "report": report,
        "months": scope.months,
    }
    filename = pdf_filename("profit-and-loss", scope.through.isoformat())
    return pdf_download(request, template="dashboards/pdf/pnl.html", context=context, filename=filename)
