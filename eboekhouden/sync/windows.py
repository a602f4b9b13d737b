"""The date windows the mutations stream reads: calendar months, from the earliest mutation to an open end.

The mutation list can be filtered by date but says nothing of where the history starts, so the first sync finds
the earliest month by searching, seven list calls at a time (four rounds for 1990 to 2099). Later syncs start the
look-back period before their cursor.
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


def earliest_date(
    has_any: Callable[[list[tuple[dt.date, dt.date]]], list[bool]], today: dt.date, *, ways: int = 8
) -> dt.date | None:
    """The first day of the earliest month holding a mutation, up to ``OPEN_END``; None for an empty administration.

    ``has_any`` answers, for each window it is given, whether a mutation is dated in it; it may ask them at once.
    Each round asks ``ways - 1`` questions (anything from ``EARLIEST`` to the end of this month?) and keeps the one
    part of the months where the first answer turns: 1,320 months take 4 rounds of 7 calls (8 in the first, which
    also asks up to ``OPEN_END``), where a bisection to the day took 17 calls one after another. Months, not days:
    the stream reads whole months anyway.
    """
    del today  # the search runs up to OPEN_END: bookkeeping may hold mutations dated ahead
    months = (OPEN_END.year - EARLIEST.year) * 12 + OPEN_END.month - EARLIEST.month + 1

    def month(index: int) -> dt.date:
        year, offset = divmod(EARLIEST.month - 1 + index, 12)
        return dt.date(EARLIEST.year + year, offset + 1, 1)

    # Invariant: no mutation before month ``low``; with ``found``, one up to the end of month ``high``.
    low, high, found = 0, months - 1, False
    while not (found and low == high):
        span = high - low + 1
        points = sorted({low + -(-span * part // ways) - 1 for part in range(1, ways + 1)})
        if found:
            points.remove(high)  # already known
        answers = has_any([(EARLIEST, month_end(month(point))) for point in points])
        first_yes = next((point for point, yes in zip(points, answers, strict=True) if yes), None)
        if first_yes is None:
            if not found:
                return None  # not even up to OPEN_END
            low = points[-1] + 1
            continue
        before = [point for point in points if point < first_yes]
        low, high, found = (before[-1] + 1 if before else low), first_yes, True
    return month(low)


def monthly_windows(start: dt.date, today: dt.date) -> Iterator[tuple[dt.date, dt.date]]:
    """Calendar months from ``start``'s month through ``today``'s; the last one runs on to ``OPEN_END``."""
    current = month_start(min(start, today))
    last = month_start(today)
    while current < last:
        yield current, month_end(current)
        current = month_end(current) + dt.timedelta(days=1)
    yield last, OPEN_END
