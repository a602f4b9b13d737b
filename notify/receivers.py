"""The alerts are checked after every sync, whether it succeeded (the figures may have crossed a threshold) or failed
(an import failing twice, a key that stopped working): ``integrations.signals.sync_finished``."""

from __future__ import annotations

from ledger.models import Administration

from .alerts import alerts_check


def alerts_after_sync(*, administration: Administration | None, **_signal) -> None:
    if administration is not None:
        alerts_check(organization=administration.organization)
