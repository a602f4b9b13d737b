"""When a connection syncs next: at the configured local times (default 00:00 and 05:00, Europe/Amsterdam), unless
its provider is not scheduled (its data changes only when new data is brought: it syncs then, and when asked)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _times() -> list[dt.time]:
    return sorted(dt.time.fromisoformat(t.strip()) for t in settings.MONITR_SYNC_TIMES)


def next_sync_after(moment: dt.datetime) -> dt.datetime:
    """The first scheduled time strictly after ``moment``, as an aware datetime."""
    local = moment.astimezone(AMSTERDAM)
    for days in range(2):
        day = local.date() + dt.timedelta(days=days)
        for t in _times():
            candidate = dt.datetime.combine(day, t, tzinfo=AMSTERDAM)
            if candidate > local:
                return candidate
    raise AssertionError("MONITR_SYNC_TIMES is empty")  # pragma: no cover - settings always hold one time


def next_scheduled_sync(provider, moment: dt.datetime) -> dt.datetime | None:
    """The next scheduled sync after a run that succeeded at ``moment``: none for a provider that is not scheduled."""
    return next_sync_after(moment) if provider.scheduled else None
