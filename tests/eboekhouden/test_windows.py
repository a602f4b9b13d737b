"""Where the first sync starts: the search for the earliest month with a mutation, a few list calls at a time."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from eboekhouden.sync.windows import EARLIEST, OPEN_END, earliest_date

TODAY = dt.date(2026, 1, 12)


def source_with(first: dt.date | None):
    """A source whose earliest mutation is on ``first``; it records each round of questions."""
    rounds: list[list[tuple[dt.date, dt.date]]] = []

    def has_any(windows: list[tuple[dt.date, dt.date]]) -> list[bool]:
        rounds.append(windows)
        return [first is not None and start <= first <= end for start, end in windows]

    return has_any, rounds


@given(st.dates(min_value=EARLIEST, max_value=OPEN_END))
def test_the_search_finds_the_first_month_holding_a_mutation_in_four_rounds_of_at_most_eight_calls(first):
    has_any, rounds = source_with(first)

    assert earliest_date(has_any, TODAY) == first.replace(day=1)
    assert len(rounds) <= 4 and all(len(asked) <= 8 for asked in rounds)
    assert all(start == EARLIEST for asked in rounds for start, _ in asked)


def test_an_empty_administration_has_no_start_after_one_round():
    has_any, rounds = source_with(None)

    assert earliest_date(has_any, TODAY) is None
    assert len(rounds) == 1 and rounds[0][-1] == (EARLIEST, OPEN_END)


def test_a_mutation_on_the_very_first_and_last_day_is_found():
    for first in (EARLIEST, OPEN_END):
        has_any, _ = source_with(first)
        assert earliest_date(has_any, TODAY) == first.replace(day=1)
