"""The Data checks page: each check with its count, a plain explanation and a link to the rows behind it."""

from __future__ import annotations

import calendar

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ledger.imports import first_imports
from monitr.tenancy.access import member_required
from monitr.tenancy.requests import MemberRequest

from ..selectors.checks import data_checks
from ..selectors.scope import administrations_list
from .states import not_connected, waiting

ALL = "all"


@require_GET
@member_required
def data_checks_page(request: MemberRequest) -> HttpResponse:
    administrations = administrations_list(organization=request.organization)
    if not administrations:
        return not_connected(request, "data_checks")
    chosen = request.GET.get("administration") or ALL
    administration = None
    if chosen != ALL:
        administration = next((a for a in administrations if str(a.pk) == chosen), None)
        if administration is None:
            raise Http404("No such administration in this organisation.")
    imports = first_imports(administrations=[administration] if administration else administrations)
    if (page := waiting(request, "data_checks", imports, administration)) is not None:
        return page
    checks = data_checks(organization=request.organization, administration=administration)
    ledger_rows = [
        {
            "check": check,
            "month_end": check.period_start.replace(
                day=calendar.monthrange(check.period_start.year, check.period_start.month)[1]
            ),
        }
        for check in checks.ledger_mismatches
    ]
    context = {
        "checks": checks,
        "ledger_rows": ledger_rows,
        "administrations": administrations,
        "administration": administration,
        "admin_query": f"administration={administration.pk}" if administration else "",
    }
    return render(request, "dashboards/data_checks.html", context)
