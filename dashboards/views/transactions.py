"""The transactions explorer: filters, sortable columns, pages, and the same rows as CSV.

Thin like the other dashboard views: the filter form, the selector, a template. A row opens the transaction with all
its lines (``statements.transaction_detail``).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from integrations.providers import Capability
from ledger.models import Administration
from monitr.tenancy.access import member_required
from monitr.tenancy.requests import MemberRequest

from .. import exports
from ..selectors.capabilities import administrations_capability
from ..selectors.statements import mapped_accounts
from ..selectors.transactions import TRANSACTION_SORTS, transactions_list
from ..transaction_forms import TransactionFilterForm

PER_PAGE = 50


def _form(request: MemberRequest) -> TransactionFilterForm:
    administrations = list(Administration.objects.for_organization(request.organization).order_by("name", "pk"))
    return TransactionFilterForm(request.GET, organization=request.organization, administrations=administrations)


def _sort_links(form: TransactionFilterForm) -> dict[str, dict[str, str]]:
    current = form.value("sort")
    links = {}
    for key in TRANSACTION_SORTS:
        active = current.removeprefix("-") == key
        descending = current.startswith("-")
        target = (key if descending else f"-{key}") if active else (f"-{key}" if key in ("date", "amount") else key)
        links[key] = {
            "query": form.query(sort=target),
            "active": active,
            "direction": ("descending" if descending else "ascending") if active else "none",
        }
    return links


@require_GET
@member_required
def transactions(request: MemberRequest) -> HttpResponse:
    form = _form(request)
    if not form.administrations:
        return render(request, "dashboards/outstanding_empty.html")
    rows = transactions_list(**form.selector_arguments())
    page = Paginator(rows, PER_PAGE).get_page(form.value("page"))
    context = {
        "form": form,
        "transactions": page,
        "accounts": mapped_accounts(organization=request.organization, administration=form.chosen_administration),
        "sort": _sort_links(form),
        "page_query": form.query(),
        "export_query": form.query(),
        "relation_clear_query": form.query(relation=None),
        "today": timezone.localdate(),
        "dimensions": administrations_capability(
            administrations=[form.chosen_administration] if form.chosen_administration else form.administrations,
            capability=Capability.DIMENSIONS,
        ),
    }
    return render(request, "dashboards/transactions.html", context)


@require_GET
@member_required
def transactions_export(request: MemberRequest) -> StreamingHttpResponse:
    """All rows the explorer shows with these filters (every page), as CSV, streamed."""
    form = _form(request)
    rows = transactions_list(**form.selector_arguments())
    filename = f"transactions-{timezone.localdate().isoformat()}"
    return exports.respond(sheet=exports.transaction_sheet(rows=rows), file_format="csv", filename=filename)
