"""The alerts are checked after every sync, whether it succeeded (the figures may have crossed a threshold) or failed
(an import failing twice, a key that stopped working): ``integrations.signals.sync_finished``."""

from __future__ import annotations

from integrations.models import SyncRun
from ledger.models import Administration

from .alerts import alerts_check


def alerts_after_sync(*, run: SyncRun, **_signal) -> None:
    administration = Administration.objects.select_related("organization").filter(pk=run.administration_id).first()
    if administration is not None:
        alerts_check(organization=administration.organization)
