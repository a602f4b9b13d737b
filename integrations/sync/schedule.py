"""When a connection syncs next: at the configured local times (default 00:00 and 05:00, Europe/Amsterdam)."""

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
