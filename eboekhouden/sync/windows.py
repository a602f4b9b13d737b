"""The date windows the mutations stream reads: calendar months (several at once over a thin history), from the
earliest mutation to an open end.

The mutation list can be filtered by date but says nothing of where the history starts, so the first sync finds
the earliest date by splitting what is left into parts a round: ``parallel`` calls at a time (four rounds of at most
32 calls over REST, a quarter of a bisection's time at 50 ms a call), or one call a step, a bisection. Later syncs
start the look-back period before their cursor.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Iterator

EARLIEST = dt.date(1990, 1, 1)
# A window costs its list call and some thirty queries (writing, deleting, the cursor) however few mutations it
# holds: for an administration of a few hundred mutations, reading three years a month at a time was most of its
# first import. Over a thin history a window therefore spans several months, about this many mutations each (at the
# history's average), at most a year; the current month stays a window of its own. From this many months up only:
# a nightly sync's few months of look-back stay months.
MUTATIONS_PER_WINDOW = 500
MONTHS_PER_WINDOW_AT_MOST = 12
SPANNED_FROM_MONTHS = 6
# The last window is open-ended: bookkeeping may hold mutations dated ahead (invoices for next month).
OPEN_END = dt.date(2099, 12, 31)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def spanned_windows(months: list[tuple[dt.date, dt.date]], mutations: int) -> list[tuple[dt.date, dt.date]]:
    """``months`` (as :func:`monthly_windows` gives them) joined into windows of several months where the history
    is thin: ``mutations`` over them all, at :data:`MUTATIONS_PER_WINDOW` a window on average. The last month (the
    current one, open-ended) stays alone."""
    if len(months) < SPANNED_FROM_MONTHS:
        return months
    per_month = max(1, math.ceil(mutations / len(months)))
    span = max(1, min(MONTHS_PER_WINDOW_AT_MOST, MUTATIONS_PER_WINDOW // per_month))
    closed, current = months[:-1], months[-1]
    joined = [(closed[i][0], closed[min(i + span, len(closed)) - 1][1]) for i in range(0, len(closed), span)]
    return [*joined, current]


Window = tuple[dt.date, dt.date]


def earliest_date(
    has_any_each: Callable[[list[Window]], Iterable[tuple[Window, bool]]], parallel: int = 1, until: dt.date = OPEN_END
) -> dt.date | None:
    """The first day on which a mutation exists, up to ``until``; None where there is none.
    ``has_any_each`` answers, for each window it is given, whether a mutation is dated within it, as
    ``(window, answer)`` pairs in any order (a gateway's ``has_mutations_each`` sends them together).

    Each round splits the days left into ``parallel`` parts and asks of each at once; the first part that holds a
    mutation is what is left. The parts do not overlap, so a round asks the source to look through the days left
    once. With ``parallel`` 1 this is a bisection: about 17 rounds of one call."""
    low, high = EARLIEST, until
    known = False  # whether [low, high] is known to hold a mutation: then its last part need not be asked
    while not (known and low == high):
        parts = _parts(low, high, parallel + 1 if known else parallel)
        asked = parts[:-1] if known else parts
        answers = dict(has_any_each(asked))
        found = next((part for part in asked if answers[part]), None)
        if found is None and not known:
            return None
        low, high = found or parts[-1]
        known = True
    return low


def _parts(low: dt.date, high: dt.date, count: int) -> list[tuple[dt.date, dt.date]]:
    """``low`` to ``high`` in at most ``count`` consecutive parts of (nearly) equal numbers of days."""
    size = math.ceil(((high - low).days + 1) / count)
    starts = [low + dt.timedelta(days=size * i) for i in range(count)]
    return [(start, min(start + dt.timedelta(days=size - 1), high)) for start in starts if start <= high]


def closed_months(start: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Calendar months from ``start``'s month through ``last``'s, each to its end."""
    months = []
    current = month_start(start)
    while current <= last:
        months.append((current, month_end(current)))
        current = month_end(current) + dt.timedelta(days=1)
    return months


def monthly_windows(start: dt.date, today: dt.date) -> Iterator[tuple[dt.date, dt.date]]:
    """Calendar months from ``start``'s month through ``today``'s; the last one runs on to ``OPEN_END``."""
    current = month_start(today)
    yield from closed_months(min(start, today), current - dt.timedelta(days=1))
    yield current, OPEN_END
