"""The Outstanding Items dashboard's cash forecast: expected cash-in (receivables) or cash-out (payables) per week
for the next 13 weeks, the items set apart as unlikely, the backtest, its export and the collection curve.

Thin like the other pages: the filter form, the selectors of ``dashboards.selectors.forecast``, a template.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ledger.imports import first_imports
from ledger.models import OutstandingSide
from monitr.tenancy.access import admin_required, member_required
from monitr.tenancy.requests import MemberRequest

from .. import exports
from ..forms import CollectionCurveForm, ForecastFilterForm
from ..selectors.forecast import cash_forecast, cash_forecast_and_unlikely, forecast_backtest
from ..selectors.settings import outstanding_settings_get
from .outstanding import _filter_form, settings_saved
from .states import imports_context, not_connected, waiting

PAGE = "forecast"


@require_GET
@member_required
def outstanding_forecast(request: MemberRequest) -> HttpResponse:
    form = _filter_form(request, ForecastFilterForm)
    if form is None:
        return not_connected(request, PAGE)
    imports = first_imports(administrations=form.chosen_administrations)
    if (page := waiting(request, PAGE, imports, form.chosen_administration)) is not None:
        return page
    scope = form.scope()
    curve = form.settings.collection_curve
    made, unlikely = cash_forecast_and_unlikely(scope=scope, curve=curve)
    backtest = forecast_backtest(scope=scope, curve=curve)
    receivable = scope.side == OutstandingSide.RECEIVABLE
    running, cumulative = [], made.weeks[0].total * 0
    for week in made.weeks:
        cumulative += week.total
        running.append(cumulative)
    context: dict[str, Any] = {
        "form": form,
        "scope": scope,
        "administrations": form.administrations,
        **imports_context(PAGE, imports, form.chosen_administration),
        "is_receivable": receivable,
        "forecast": made,
        "weeks": list(zip(made.weeks, running, strict=True)),
        "unlikely": unlikely,
        "backtest": backtest,
        "curve": curve,
        "horizon": curve[-1][0],
        "tabs": [
            {
                "label": label,
                "active": side == scope.side,
                "query": form.query(side=side, as_of=None, q=None, sort=None, page=None),
            }
            for side, label in (
                (OutstandingSide.RECEIVABLE, _("Cash-in")),
                (OutstandingSide.PAYABLE, _("Cash-out")),
            )
        ],
        # The page as it is: its exports, the curve form's way back, and the link to Outstanding Items.
        "current_query": form.query(as_of=None, q=None, sort=None, page=None),
        "curve_form": CollectionCurveForm(settings=form.settings) if request.membership.is_admin else None,
        "chart": {
            "labels": [week.start.isoformat() for week in made.weeks],
            "by_habit": [str(week.by_habit) for week in made.weeks],
            "by_curve": [str(week.by_curve) for week in made.weeks],
            "backtest": {
                "dates": [o.as_of.isoformat() for o in backtest.origins] if backtest else [],
                "error": [str(o.error) for o in backtest.origins] if backtest else [],
                "due_date_error": [str(o.due_date_error) for o in backtest.origins] if backtest else [],
            },
        },
    }
    return render(request, "dashboards/forecast.html", context)


@require_GET
@member_required
def outstanding_forecast_export(request: MemberRequest, file_format: str) -> StreamingHttpResponse | FileResponse:
    """The weeks of the forecast as on the page, then later and unlikely, as CSV or XLSX."""
    if file_format not in exports.FORMATS:
        raise Http404("No such export.")
    form = _filter_form(request, ForecastFilterForm)
    if form is None:
        raise Http404("No administrations yet.")
    scope = form.scope()
    made = cash_forecast(scope=scope, curve=form.settings.collection_curve)
    kind = "cash-in" if scope.side == OutstandingSide.RECEIVABLE else "cash-out"
    return exports.respond(
        sheet=exports.forecast_sheet(forecast=made),
        file_format=file_format,
        filename=f"expected-{kind}-{scope.today.isoformat()}",
    )


@require_POST
@admin_required
def outstanding_forecast_curve(request: MemberRequest) -> HttpResponse:
    return settings_saved(
        request,
        CollectionCurveForm(request.POST, settings=outstanding_settings_get(organization=request.organization)),
        page="dashboards:outstanding_forecast",
        saved=_("Collection curve saved for everyone in the organisation."),
        refused=_("The collection curve was not saved: %(errors)s"),
        fragment="#curve",
    )
