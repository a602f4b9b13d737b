"""When a connection syncs next: at the configured local times (default 00:00 and 05:00, Europe/Amsterdam), each
connection at its own offset within ``MONITR_SYNC_SPREAD_MINUTES`` after them, so that a fleet's nightly run is spread
over its window instead of firing at one minute; unless its provider is not scheduled (its data changes only when
new data is brought: it syncs then, and when asked)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def schedule_times() -> list[dt.time]:
    return sorted(dt.time.fromisoformat(t.strip()) for t in settings.MONITR_SYNC_TIMES)


def spread_offset(connection_id: int | None) -> dt.timedelta:
    """A connection's place in the window after each scheduled time: the same every night, and spread evenly over
    the window even for ids that follow each other (Knuth's multiplicative hash: ids one apart land far apart)."""
    minutes = getattr(settings, "MONITR_SYNC_SPREAD_MINUTES", 0)
    if not connection_id or minutes <= 0:
        return dt.timedelta(0)
    share = (connection_id * 2654435761 % 2**32) / 2**32
    return dt.timedelta(seconds=int(share * minutes * 60))


def next_sync_after(moment: dt.datetime, connection_id: int | None = None) -> dt.datetime:
    """The first scheduled time strictly after ``moment``, at the connection's offset, as an aware datetime."""
    local = moment.astimezone(AMSTERDAM)
    offset = spread_offset(connection_id)
    for days in range(-1, 2):
        day = local.date() + dt.timedelta(days=days)
        for t in schedule_times():
            candidate = dt.datetime.combine(day, t, tzinfo=AMSTERDAM) + offset
            if candidate > local:
                return candidate
    raise AssertionError("MONITR_SYNC_TIMES is empty")  # pragma: no cover - settings always hold one time


def next_scheduled_sync(provider, moment: dt.datetime, connection_id: int | None = None) -> dt.datetime | None:
    """The next scheduled sync after a run that succeeded at ``moment``: none for a provider that is not scheduled."""
    return next_sync_after(moment, connection_id) if provider.scheduled else None
