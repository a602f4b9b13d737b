"""The Outstanding Items pages: the dashboard, a relation's invoices (the item list), the exports, the settings.

Views are thin: a filter form, the selectors, a template. Every read goes through ``OutstandingScope``, which starts
from the organisation, so another organisation's data cannot appear. The number of queries does not depend on how
many items or relations there are (a committed baseline in ``tests/dashboards/query_counts.json`` guards that).

The relation table swaps in place with htmx (sort, search, pages) when the request targets it, and every control
is also a plain link or form.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ledger.imports import first_imports
from ledger.models import OutstandingSide
from monitr.tenancy.access import admin_required, member_required
from monitr.tenancy.requests import MemberRequest

from .. import exports
from ..behaviour import behaviours_of
from ..forms import OutstandingFilterForm, OutstandingItemsFilterForm, OutstandingSettingsForm
from ..selectors.figures import (
    COMPARE_DAYS,
    TURNOVER_WINDOW_DAYS,
    outstanding_checks,
    outstanding_headline,
    outstanding_snapshot_status,
)
from ..selectors.notes import follow_ups_due_first, next_follow_ups
from ..selectors.outstanding import (
    ITEM_SORTS,
    RELATION_SORTS,
    outstanding_by_relation,
    outstanding_items_list,
    outstanding_items_summary,
    outstanding_relations_page,
    outstanding_top_relations,
)
from ..selectors.payments import relation_payment_chart
from ..selectors.scope import administrations_list, reads_ledger
from ..selectors.settings import outstanding_settings_get
from .notes import NOTE_ITEM_PARAMETER, drill_down_context
from .states import imports_context, not_connected, waiting

RELATIONS_PER_PAGE = 25
TOP_RELATIONS = 5
ITEMS_PER_PAGE = 50
FOLLOW_UPS_SHOWN = 6
TABLE_TARGET = "relations"
FilterForm = TypeVar("FilterForm", bound=OutstandingFilterForm)


def _filter_form(request: MemberRequest, form_class: type[FilterForm]) -> FilterForm | None:
    """The page's filters; None while the organisation has no administrations."""
    administrations = administrations_list(organization=request.organization)
    if not administrations:
        return None
    return form_class(
        request.GET,
        organization=request.organization,
        administrations=administrations,
        settings=outstanding_settings_get(organization=request.organization),
        today=timezone.localdate(),
    )


def _page(rows, number: int, per_page: int) -> Page:
    return Paginator(rows, per_page).get_page(number)


def _relations_context(form: OutstandingFilterForm, scope) -> dict[str, Any]:
    page = outstanding_relations_page(
        scope=scope,
        search=form.value("q"),
        sort=form.value("sort"),
        number=form.value("page"),
        per_page=RELATIONS_PER_PAGE,
    )
    return {
        "relations": page,
        # How each relation on the page pays (one query): shown under its name.
        "behaviours": behaviours_of(scope=scope, relation_ids=[row["relation_id"] for row in page]),
        # Each relation's next follow-up on this side (one query): the table's follow-up column.
        "follow_ups": next_follow_ups(
            organization=scope.organization, side=scope.side, relation_ids=[row["relation_id"] for row in page]
        ),
        "relation_sort": form.sort_links(RELATION_SORTS, descending_first={"total", "overdue", "items", "behaviour"}),
        "page_query": form.query(page=None),
        # A relation's invoices keep the day, side and basis; the row adds its administration and relation.
        "drill_query": form.query(q=None, sort=None, administration=None),
        # Inside the swapped table, so that they follow its search and sort.
        "relations_export_query": form.query(page=None),
        "items_export_query": form.query(q=None, sort=None, page=None, rq=form.value("q")),
        "search_params": form.params(q=None, page=None),
    }


@require_GET
@member_required
def outstanding(request: MemberRequest) -> HttpResponse:
    form = _filter_form(request, OutstandingFilterForm)
    if form is None:
        return not_connected(request, "outstanding")
    imports = first_imports(administrations=form.chosen_administrations)
    if (page := waiting(request, "outstanding", imports, form.chosen_administration)) is not None:
        return page
    scope = form.scope()
    context: dict[str, Any] = {
        "form": form,
        "scope": scope,
        "administrations": form.administrations,
        **imports_context("outstanding", imports, form.chosen_administration),
        # Also in the relation table alone (the live search swaps it in): its empty row names the side's relations.
        "is_receivable": scope.side == OutstandingSide.RECEIVABLE,
    }
    snapshot = None
    if not scope.is_live and not reads_ledger(scope):
        snapshot = outstanding_snapshot_status(
            organization=scope.organization, administrations=form.chosen_administrations, as_of=scope.as_of
        )
    context["snapshot"] = snapshot
    if snapshot is not None and snapshot.nearest_earlier:
        context["nearest_query"] = form.query(as_of=snapshot.nearest_earlier.isoformat(), page=None)
    if snapshot is not None and snapshot.missing_all:
        return render(request, "dashboards/outstanding.html", {**context, **_frame(form, scope)})
    context.update(_relations_context(form, scope))
    if request.htmx and request.htmx.target == TABLE_TARGET:
        return render(request, "dashboards/_relations_table.html", context)
    headline = outstanding_headline(scope=scope)
    aging, turnover, comparison = headline.aging, headline.turnover, headline.comparison
    history, monthly = headline.history, headline.monthly
    checks = list(outstanding_checks(scope=scope))
    context.update(
        _frame(form, scope),
        aging=aging,
        turnover=turnover,
        turnover_window=TURNOVER_WINDOW_DAYS,
        comparison=comparison,
        change=aging.total - comparison.total,
        compare_days=COMPARE_DAYS,
        monthly_history=monthly,
        top=_top_relations(form, scope, context["relations"]),
        checks=checks,
        check_difference=sum((c.difference for c in checks), start=aging.total * 0),
        # The check compares the open items of the day it ran: a past day's page names that day, not its own.
        checked_on=max((c.period_start for c in checks), default=None),
        chart={
            "buckets": {
                "labels": [b.bucket.label for b in aging.buckets],
                "amounts": [str(b.amount) for b in aging.buckets],
            },
            "history": {
                "dates": [p.as_of.isoformat() for p in history],
                "total": [str(p.total) for p in history],
                "overdue": [str(p.overdue) for p in history],
                # By month end from the books (with DSO or DPO by countback), else by snapshot day.
                "monthly": monthly,
                "days": [None if p.days is None else str(p.days) for p in history] if monthly else [],
            },
        },
        settings_form=OutstandingSettingsForm(instance=form.settings) if request.membership.is_admin else None,
        # Today's page lists the side's follow-ups due today or earlier and not done (one query).
        follow_ups_due=follow_ups_due_first(
            organization=scope.organization,
            day=scope.today,
            limit=FOLLOW_UPS_SHOWN,
            side=scope.side,
            administration=scope.administration,
        )
        if scope.is_live
        else None,
    )
    return render(request, "dashboards/outstanding.html", context)


def _top_relations(form: OutstandingFilterForm, scope, page: Page) -> list[dict]:
    """The top debtors or creditors: the relation table's first rows when it shows the first page sorted by total
    without a search (as it does by default), so the grouped query over every open item runs once, not twice."""
    if form.value("sort") == "-total" and not form.value("q") and page.number == 1:
        return list(page[:TOP_RELATIONS])  # Page turns its rows into a list once; the table reuses it
    return outstanding_top_relations(scope=scope, limit=TOP_RELATIONS)


def _frame(form: OutstandingFilterForm, scope) -> dict[str, Any]:
    """What the page shows around the figures: tabs, the import times, the export links."""
    return {
        "tabs": [
            {
                "side": side,
                "label": label,
                "active": side == scope.side,
                "query": form.query(side=side, page=None, q=None),
            }
            for side, label in (
                (OutstandingSide.RECEIVABLE, _("Receivables")),
                (OutstandingSide.PAYABLE, _("Payables")),
            )
        ],
        "imports": [
            {"administration": a, "last_imported_at": getattr(a, "last_imported_at", None)}
            for a in form.chosen_administrations
        ],
        "items_query": form.query(q=None, sort=None, page=None),
        "today_query": form.query(as_of=None, page=None),
        "forecast_query": form.query(as_of=None, basis=None, q=None, sort=None, page=None),
        "current_query": form.query(page=None),
    }


def _item_rows(form: OutstandingItemsFilterForm, scope):
    relation, without_relation = form.relation_filter()
    return outstanding_items_list(
        scope=scope,
        relation=relation,
        without_relation=without_relation,
        without_due_date=form.value("no_due_date") or False,
        overdue=True if form.value("overdue") else None,
        search=form.value("q"),
        relation_search=form.value("rq"),
        sort=form.value("sort"),
    )


@require_GET
@member_required
def outstanding_items(request: MemberRequest) -> HttpResponse:
    """A relation's invoices, or another selection of items (without a due date, without a relation)."""
    form = _filter_form(request, OutstandingItemsFilterForm)
    if form is None:
        raise Http404("No administrations yet.")
    scope = form.scope()
    relation, without_relation = form.relation_filter()
    note_item = request.GET.get(NOTE_ITEM_PARAMETER, "")
    rows = _item_rows(form, scope)
    page = _page(rows, form.value("page"), ITEMS_PER_PAGE)
    summary = outstanding_items_summary(rows=rows, as_of=scope.as_of)
    context = {
        "form": form,
        "scope": scope,
        "relation": relation,
        "without_relation": without_relation,
        "items": page,
        "summary": summary,
        "item_sort": form.sort_links(ITEM_SORTS, descending_first={"total", "outstanding"}),
        "page_query": form.query(page=None),
        "back_query": form.query(relation=None, no_due_date=None, overdue=None, q=None, sort=None, page=None),
        "search_params": form.params(q=None, page=None),
        "export_query": form.query(page=None),
        "is_receivable": scope.side == OutstandingSide.RECEIVABLE,
        "behaviour": behaviours_of(scope=scope, relation_ids=[relation.pk]).get(relation.pk) if relation else None,
        # Its invoices against their payment dates, beside how they pay (one query).
        "payments": relation_payment_chart(scope=scope, relation=relation) if relation else None,
    }
    if relation:
        # Its notes and follow-ups, and the form for a new one (two queries).
        context.update(drill_down_context(request, form, scope, relation, page, chosen_item=note_item))
    if not scope.is_live and not reads_ledger(scope):
        context["snapshot"] = outstanding_snapshot_status(
            organization=scope.organization, administrations=form.chosen_administrations, as_of=scope.as_of
        )
    return render(request, "dashboards/outstanding_items.html", context)


@require_GET
@member_required
def outstanding_export(request: MemberRequest, table: str, file_format: str) -> StreamingHttpResponse | FileResponse:
    """The relation table or the item list with the current filters, as CSV or XLSX, streamed."""
    if table not in exports.TABLES or file_format not in exports.FORMATS:
        raise Http404("No such export.")
    form_class = OutstandingItemsFilterForm if table == "items" else OutstandingFilterForm
    form = _filter_form(request, form_class)
    if form is None:
        raise Http404("No administrations yet.")
    scope = form.scope()
    if table == "relations":
        rows = outstanding_by_relation(scope=scope, search=form.value("q"), sort=form.value("sort"))
        sheet = exports.relation_sheet(scope=scope, rows=rows)
    else:
        sheet = exports.item_sheet(scope=scope, rows=_item_rows(cast(OutstandingItemsFilterForm, form), scope))
    return exports.respond(sheet=sheet, file_format=file_format, filename=_filename(table, scope.side, scope.as_of))


def _filename(table: str, side: str, as_of: date) -> str:
    kind = "receivables" if side == OutstandingSide.RECEIVABLE else "payables"
    return f"outstanding-{kind}-{table}-{as_of.isoformat()}"


def settings_saved(
    request: MemberRequest, form: Any, *, page: str, saved: str, refused: str, fragment: str = ""
) -> HttpResponse:
    """Save an organisation's setting from ``form`` (or say why not, with ``refused`` % {"errors": ...}) and go back
    to ``page`` as it was: its query re-encoded from ``next_query``, so only query parameters can come through."""
    back = reverse(page)
    next_query = QueryDict(request.POST.get("next_query", "")).urlencode()
    if next_query:
        back = f"{back}?{next_query}"
    if form.is_valid():
        form.save()
        messages.success(request, saved)
    else:
        errors = "; ".join(str(e) for field_errors in form.errors.values() for e in field_errors)
        messages.error(request, refused % {"errors": errors})
    return redirect(f"{back}{fragment}")


@require_POST
@admin_required
def outstanding_settings(request: MemberRequest) -> HttpResponse:
    current = outstanding_settings_get(organization=request.organization)
    return settings_saved(
        request,
        OutstandingSettingsForm(request.POST, instance=current),
        page="dashboards:outstanding",
        saved=_("Aging settings saved for everyone in the organisation."),
        refused=_("The aging settings were not saved: %(errors)s"),
    )
