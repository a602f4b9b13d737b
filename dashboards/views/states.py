"""The states a dashboard page is in before its figures are true: nothing connected yet, or a first import that has
not brought what the page shows. Each page keeps its own heading and says what it will show, so the first screen after
sign-in names the page it is on (one shared empty page once gave every dashboard the Outstanding Items heading).

While it waits, the page polls :func:`first_import_status`, which answers with the live progress, and asks the
browser to load the page again (``HX-Refresh``) once what the page waits for is in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from ledger.imports import Arrival, FirstImports, first_imports
from ledger.models import Administration
from monitr.tenancy.access import member_required
from monitr.tenancy.requests import MemberRequest

from ..selectors.scope import administrations_list

DASHBOARDS = _("Dashboards")


@dataclass(frozen=True, slots=True)
class PageIntro:
    title: str | Promise  # the page's <h1> and <title>
    shows: str | Promise  # what the page shows once the books are in
    waits_for: Arrival | None  # the part of the books its figures need
    section: str | Promise = DASHBOARDS  # the sidebar's section the page is in, the header's heading


PAGES = {
    "overview": PageIntro(
        _("Overview"),
        _(
            "Revenue, gross margin, result, cash, receivables and payables by month, "
            "against the same months of last year."
        ),
        Arrival.BALANCES,
    ),
    "pnl": PageIntro(
        _("Profit and loss"),
        _(
            "Revenue, costs and result per month and for the year to date, "
            "with each figure's accounts and transactions."
        ),
        Arrival.BALANCES,
    ),
    "balance_sheet": PageIntro(
        _("Balance sheet"),
        _("Assets, liabilities and equity at the end of each month, against the end of last year."),
        Arrival.BALANCES,
    ),
    "transactions": PageIntro(
        _("Transactions"),
        _("Every transaction of your books with its lines: filter, sort, open one, export what you see."),
        Arrival.TRANSACTIONS,
    ),
    "outstanding": PageIntro(
        _("Outstanding items"),
        _("Who owes you, whom you owe, and how late: aging, top debtors and creditors, DSO and DPO, per relation."),
        Arrival.OUTSTANDING_ITEMS,
    ),
    "forecast": PageIntro(
        _("Expected cash"),
        _(
            "When the open invoices will be paid, week by week for the next 13 weeks, by how each relation pays, "
            "and how good that forecast was in the past."
        ),
        # Placed by the payment habits, which the open items rebuilt from the books give at the import's end.
        Arrival.CHECKS,
    ),
    "account_mapping": PageIntro(
        _("Account mapping"),
        _("Which line of the P&L or the balance sheet each account of your chart of accounts is reported on."),
        None,
        _("Manage"),
    ),
    "data_checks": PageIntro(
        _("Data checks"),
        _("Differences the import found against your bookkeeping's own totals, and gaps in the data."),
        Arrival.CHECKS,
        _("Manage"),
    ),
}


def not_connected(request: MemberRequest, page: str) -> HttpResponse:
    """The page before any bookkeeping is connected: what it will show, and how to connect."""
    return render(request, "dashboards/not_connected.html", {"page": PAGES[page], "page_key": page})


def status_query(page: str, administration: Administration | None) -> str:
    """What the page's progress panel polls with: the part of the books it waits for, the administration it shows."""
    query = QueryDict(mutable=True)
    waits_for = PAGES[page].waits_for
    if waits_for is not None:
        query["for"] = str(waits_for)
    if administration is not None:
        query["administration"] = str(administration.pk)
    return query.urlencode()


def imports_context(page: str, imports: FirstImports, administration: Administration | None) -> dict[str, Any]:
    """What a page that shows its figures during a first import adds: the running imports and the panel's poll."""
    return {"first_imports": imports, "first_imports_query": status_query(page, administration)}


def waiting(
    request: MemberRequest, page: str, imports: FirstImports, administration: Administration | None = None
) -> HttpResponse | None:
    """The page while a first import has not brought what it shows, or None when its figures are true."""
    intro = PAGES[page]
    if intro.waits_for is None or not imports.missing(intro.waits_for):
        return None
    context = {
        "page": intro,
        "page_key": page,
        "imports": imports,
        "waits_for": intro.waits_for,
        "query": status_query(page, administration),
    }
    return render(request, "dashboards/first_import.html", context)


@require_GET
@member_required
def first_import_status(request: MemberRequest) -> HttpResponse:
    """The progress of the first imports a page shows (polled by it); a reload of the page once what it waits for
    is in, or once no first import runs any more."""
    administrations = administrations_list(organization=request.organization)
    chosen = request.GET.get("administration")
    if chosen:
        administrations = [a for a in administrations if str(a.pk) == chosen]
        if not administrations:
            raise Http404("No such administration in this organisation.")
    imports = first_imports(administrations=administrations)
    try:
        waits_for = Arrival(request.GET["for"]) if request.GET.get("for") else None
    except ValueError:
        raise Http404("No such part of the books.") from None
    done = not imports or (waits_for is not None and not imports.missing(waits_for))
    if done:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(
        request,
        "dashboards/_first_import.html",
        {"imports": imports, "waits_for": waits_for, "query": request.GET.urlencode()},
    )
