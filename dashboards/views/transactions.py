"""The transactions explorer: filters, sortable columns, pages, and the same rows as CSV or XLSX.

Thin like the other dashboard views: the filter form, the selector, a template. A row opens the transaction with all
its lines (``statements.transaction_detail``).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ledger.imports import first_imports
from monitr.tenancy.access import member_required
from monitr.tenancy.requests import MemberRequest

from .. import exports
from ..selectors.capabilities import reporting_axes
from ..selectors.completeness import lines_status
from ..selectors.scope import administrations_list
from ..selectors.statements import mapped_accounts
from ..selectors.transactions import TRANSACTION_SORTS, transactions_list
from ..transaction_forms import TransactionFilterForm
from .states import imports_context, not_connected

PER_PAGE = 50


def _form(request: MemberRequest) -> TransactionFilterForm:
    return TransactionFilterForm(
        request.GET,
        organization=request.organization,
        administrations=administrations_list(organization=request.organization),
        today=timezone.localdate(),
    )


@require_GET
@member_required
def transactions(request: MemberRequest) -> HttpResponse:
    form = _form(request)
    if not form.administrations:
        return not_connected(request, "transactions")
    rows = transactions_list(**form.selector_arguments())
    page = Paginator(rows, PER_PAGE).get_page(form.value("page"))
    context = {
        "form": form,
        "transactions": page,
        "accounts": mapped_accounts(organization=request.organization, administration=form.chosen_administration),
        "sort": form.sort_links(TRANSACTION_SORTS, descending_first={"date", "amount"}),
        "page_query": form.query(),
        "export_query": form.query(),
        "relation_clear_query": form.query(relation=None),
        "today": form.today,
        "axes": reporting_axes(organization=request.organization, administrations=form.chosen_administrations),
        "cost_centre_filter": True,
        "lines": lines_status(administrations=form.chosen_administrations),
        # The list holds what is in so far while a first import runs: the page says so, with its progress.
        **imports_context(
            "transactions",
            first_imports(administrations=form.chosen_administrations),
            form.chosen_administration,
        ),
    }
    return render(request, "dashboards/transactions.html", context)


@require_GET
@member_required
def transactions_export(request: MemberRequest, file_format: str) -> StreamingHttpResponse | FileResponse:
    """All rows the explorer shows with these filters (every page), as CSV or XLSX."""
    if file_format not in exports.FORMATS:
        raise Http404("No such export.")
    form = _form(request)
    rows = transactions_list(**form.selector_arguments())
    filename = f"transactions-{timezone.localdate().isoformat()}"
    return exports.respond(sheet=exports.transaction_sheet(rows=rows), file_format=file_format, filename=filename)
