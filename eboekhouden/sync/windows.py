"""The date windows the mutations stream reads: calendar months, from the earliest mutation to an open end.

The mutation list can be filtered by date but says nothing of where the history starts, so the first sync finds
the earliest date by bisection with one list call per step (about fifteen calls for a century). Later syncs start
the look-back period before their cursor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

EARLIEST = dt.date(1990, 1, 1)
# The last window is open-ended: bookkeeping may hold mutations dated ahead (invoices for next month).
OPEN_END = dt.date(2099, 12, 31)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def earliest_date(has_any: Callable[[dt.date, dt.date], bool], today: dt.date) -> dt.date | None:
    """The first day on which a mutation exists, up to ``OPEN_END``; None for an empty administration."""
    if not has_any(EARLIEST, OPEN_END):
        return None
    low, high = EARLIEST, OPEN_END  # invariant: something in [EARLIEST, high]; nothing before low
    while low < high:
        middle = low + (high - low) // 2
        if has_any(EARLIEST, middle):
            high = middle
        else:
            low = middle + dt.timedelta(days=1)
    return low


def monthly_windows(start: dt.date, today: dt.date) -> Iterator[tuple[dt.date, dt.date]]:
    """Calendar months from ``start``'s month through ``today``'s; the last one runs on to ``OPEN_END``."""
    current = month_start(min(start, today))
    last = month_start(today)
    while current < last:
        yield current, month_end(current)
        current = month_end(current) + dt.timedelta(days=1)
    yield last, OPEN_END
