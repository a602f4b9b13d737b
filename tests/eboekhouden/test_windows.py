"""Where the history starts: the concurrent search finds the day the bisection finds, in far fewer rounds."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterator

from hypothesis import given
from hypothesis import strategies as st

from eboekhouden.sync.windows import (
    EARLIEST,
    MONTHS_PER_WINDOW_AT_MOST,
    MUTATIONS_PER_WINDOW,
    OPEN_END,
    SPANNED_FROM_MONTHS,
    closed_months,
    earliest_date,
    monthly_windows,
    spanned_windows,
)

days = st.dates(min_value=EARLIEST, max_value=OPEN_END)


def books(first: dt.date | None):
    """``has_any_each`` of books whose first mutation is dated ``first`` (None: empty), as a gateway answers it (the
    windows' answers as they arrive: here, last first), with the windows asked in each round."""
    rounds: list[list[tuple[dt.date, dt.date]]] = []

    def has_any_each(windows: list[tuple[dt.date, dt.date]]) -> Iterator[tuple[tuple[dt.date, dt.date], bool]]:
        rounds.append(list(windows))
        for start, end in reversed(windows):
            yield (start, end), first is not None and start <= first <= end

    return has_any_each, rounds


@given(first=days, parallel=st.sampled_from([2, 4, 32]))
def test_the_concurrent_search_finds_the_first_day_as_the_bisection_does(first, parallel):
    has_any_each, _ = books(first)

    assert earliest_date(has_any_each, parallel) == first == earliest_date(has_any_each)


@given(first=days, until=days, parallel=st.sampled_from([1, 2, 32]))
def test_a_search_up_to_a_day_asks_of_no_later_day_and_finds_only_what_lies_before_it(first, until, parallel):
    has_any_each, rounds = books(first)

    assert earliest_date(has_any_each, parallel, until=until) == (first if first <= until else None)
    assert all(start <= end <= until for asked in rounds for start, end in asked)


def test_closed_months_run_from_the_first_days_month_to_the_last_day_each_to_its_end():
    assert closed_months(dt.date(2023, 11, 20), dt.date(2024, 2, 29)) == [
        (dt.date(2023, 11, 1), dt.date(2023, 11, 30)),
        (dt.date(2023, 12, 1), dt.date(2023, 12, 31)),
        (dt.date(2024, 1, 1), dt.date(2024, 1, 31)),
        (dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
    ]


def test_an_empty_administration_has_no_first_day_after_one_round():
    has_any_each, rounds = books(None)

    assert earliest_date(has_any_each, 32) is None
    assert len(rounds) == 1 and len(rounds[0]) == 32
    covered = sorted(rounds[0])
    assert covered[0][0] == EARLIEST and covered[-1][1] == OPEN_END  # every day asked of, once
    assert all(a[1] + dt.timedelta(days=1) == b[0] for a, b in itertools.pairwise(covered))


def test_thirty_two_at_a_time_take_at_most_four_rounds_where_the_bisection_takes_seventeen_calls():
    has_any_each, rounds = books(dt.date(2023, 1, 1))
    assert earliest_date(has_any_each) == dt.date(2023, 1, 1)
    assert len(rounds) == 17 and all(len(asked) == 1 for asked in rounds)
    rounds.clear()

    assert earliest_date(has_any_each, 32) == dt.date(2023, 1, 1)

    assert 2 <= len(rounds) <= 4 and all(len(asked) <= 32 for asked in rounds)
    later = [start for asked in rounds[1:] for start, _ in asked]
    assert all(start > EARLIEST for start in later)  # after the first round, no call looks from the start


@given(
    start=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2026, 6, 1)),
    mutations=st.integers(min_value=0, max_value=200_000),
)
def test_joined_windows_cover_the_months_exactly_once_and_keep_the_current_month_alone(start, mutations):
    today = dt.date(2026, 6, 15)
    months = list(monthly_windows(start, today))
    windows = spanned_windows(months, mutations)

    assert windows[0][0] == months[0][0] and windows[-1] == months[-1] == (dt.date(2026, 6, 1), OPEN_END)
    for (_, end), (following, _) in itertools.pairwise(windows):
        assert following == end + dt.timedelta(days=1)  # no gap, no overlap
    assert all(
        first.day == 1 and (last == OPEN_END or (last + dt.timedelta(days=1)).day == 1) for first, last in windows
    )
    if len(months) < SPANNED_FROM_MONTHS:
        assert windows == months
    per_month = max(1, math.ceil(mutations / len(months)))
    for first, last in windows[:-1]:
        spanned = (last.year - first.year) * 12 + last.month - first.month + 1
        assert spanned <= MONTHS_PER_WINDOW_AT_MOST
        assert spanned == 1 or spanned * per_month <= MUTATIONS_PER_WINDOW  # about a window's worth at most


def test_a_thin_history_is_read_a_year_a_window_and_a_thick_one_a_month():
    months = list(monthly_windows(dt.date(2023, 1, 1), dt.date(2026, 1, 12)))  # 36 closed months and January
    assert len(spanned_windows(months, 300)) == 4  # 2023, 2024, 2025, January 2026
    assert [w[1] for w in spanned_windows(months, 300)][:3] == [dt.date(y, 12, 31) for y in (2023, 2024, 2025)]
    assert len(spanned_windows(months, 37 * 100)) == 8 + 1  # about 100 a month: five months a window
    assert spanned_windows(months, 37 * 600) == months  # more than a window's worth a month: months
    recent = list(monthly_windows(dt.date(2025, 10, 1), dt.date(2026, 1, 12)))
    assert spanned_windows(recent, 10) == recent  # a nightly sync's look-back stays months
