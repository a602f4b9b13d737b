"""What the dashboards do when told that books were imported (``ledger.signals.books_imported``): place today's
open items in the forecast's weeks at once, in the worker, so that the first person to open Expected cash after a
sync reads them kept (``dashboards.selectors.forecast``) instead of waiting while they are placed."""

from __future__ import annotations

from django.utils import timezone

from ledger.models import Administration, OutstandingSide

from .forms import ForecastFilterForm
from .selectors.forecast import cash_forecast_and_unlikely
from .selectors.scope import administrations_list
from .selectors.settings import outstanding_settings_get


def forecast_keep_ready(*, administration: Administration, **_signal) -> None:
    """Today's forecast of both sides as the page opens by default (its administration picker at its default)."""
    organization = administration.organization
    settings = outstanding_settings_get(organization=organization)
    administrations = administrations_list(organization=organization)
    for side in OutstandingSide:
        form = ForecastFilterForm(
            {"side": str(side)},
            organization=organization,
            administrations=administrations,
            settings=settings,
            today=timezone.localdate(),
        )
        cash_forecast_and_unlikely(scope=form.scope(), curve=settings.collection_curve)
