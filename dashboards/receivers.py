"""What the dashboards do when told that books were imported (``ledger.signals.books_imported``): figure the
Outstanding Items page's headline and place today's open items in the forecast's weeks at once, in the worker, for
the views the pages open with, so that the first person to open them after a sync reads them kept
(``dashboards.selectors.kept``) instead of waiting while they are figured."""

from __future__ import annotations

from django.utils import timezone

from ledger.models import Administration, OutstandingSide

from .forms import ForecastFilterForm, OutstandingFilterForm
from .selectors.figures import outstanding_headline
from .selectors.forecast import cash_forecast_and_unlikely
from .selectors.scope import administrations_list
from .selectors.settings import outstanding_settings_get


def figures_keep_ready(*, administration: Administration, **_signal) -> None:
    """Today's headline and forecast of both sides as the pages open by default (their pickers at their
    defaults)."""
    organization = administration.organization
    settings = outstanding_settings_get(organization=organization)
    administrations = administrations_list(organization=organization)
    today = timezone.localdate()

    def scope_of(form_class: type[OutstandingFilterForm] | type[ForecastFilterForm], side: OutstandingSide):
        form = form_class(
            {"side": str(side)},
            organization=organization,
            administrations=administrations,
            settings=settings,
            today=today,
        )
        return form.scope()

    for side in OutstandingSide:
        outstanding_headline(scope=scope_of(OutstandingFilterForm, side))
        cash_forecast_and_unlikely(scope=scope_of(ForecastFilterForm, side), curve=settings.collection_curve)
