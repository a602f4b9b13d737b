"""Where the history starts: the concurrent search finds the day the bisection finds, in far fewer rounds."""

from __future__ import annotations

import datetime as dt
import itertools
import threading

from hypothesis import given
from hypothesis import strategies as st

from eboekhouden.sync.windows import EARLIEST, OPEN_END, earliest_date

days = st.dates(min_value=EARLIEST, max_value=OPEN_END)


def books(first: dt.date | None):
    """``has_any`` of books whose first mutation is dated ``first`` (None: empty), counting its calls."""
    calls: list[tuple[dt.date, dt.date]] = []
    lock = threading.Lock()

    def has_any(start: dt.date, end: dt.date) -> bool:
        with lock:
            calls.append((start, end))
        return first is not None and start <= first <= end

    return has_any, calls


@given(first=days, parallel=st.sampled_from([2, 4, 32]))
def test_the_concurrent_search_finds_the_first_day_as_the_bisection_does(first, parallel):
    has_any, _ = books(first)

    assert earliest_date(has_any, parallel=parallel) == first == earliest_date(has_any)


def test_an_empty_administration_has_no_first_day_after_one_round():
    has_any, calls = books(None)

    assert earliest_date(has_any, parallel=32) is None
    assert len(calls) == 32
    covered = sorted(calls)
    assert covered[0][0] == EARLIEST and covered[-1][1] == OPEN_END  # every day asked of, once
    assert all(a[1] + dt.timedelta(days=1) == b[0] for a, b in itertools.pairwise(covered))


def test_thirty_two_at_a_time_take_at_most_four_rounds_where_the_bisection_takes_seventeen_calls():
    has_any, calls = books(dt.date(2023, 1, 1))
    earliest_date(has_any)
    one_by_one = len(calls)
    calls.clear()

    earliest_date(has_any, parallel=32)

    assert one_by_one == 17
    assert len(calls) <= 4 * 32  # at most four rounds
    assert all(start > EARLIEST for start, _ in calls[32:])  # after the first round, no call looks from the start
