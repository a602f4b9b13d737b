"""The cash forecast's method (``ledger.forecast``) on amounts placed by hand: where each kind of item lands, that
every cent is placed exactly once, the collection curve's rules, and the backtest's days and errors."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from django.core.exceptions import ValidationError

from ledger.forecast import (
    BACKTEST_EVERY_DAYS,
    DEFAULT_CURVE,
    WEEKS,
    Group,
    Origin,
    backtest,
    backtest_origins,
    curve_validate,
    due_date_forecast,
    forecast,
    week_of,
    week_spans,
)

TODAY = date(2026, 12, 4)


def days(n: int) -> date:
    return TODAY + timedelta(days=n)


def test_the_weeks_are_the_thirteen_runs_of_seven_days_after_the_day():
    spans = week_spans(TODAY)
    assert len(spans) == WEEKS
    assert spans[0] == (days(1), days(7)) and spans[-1] == (days(85), days(91))
    assert week_of(TODAY, TODAY) == 0 and week_of(TODAY, days(-30)) == 0
    assert week_of(TODAY, days(7)) == 0 and week_of(TODAY, days(8)) == 1
    assert week_of(TODAY, days(91)) == WEEKS - 1 and week_of(TODAY, days(92)) == WEEKS


def test_a_relation_with_history_is_expected_on_the_due_date_plus_its_usual_delay():
    made = forecast([Group(due=days(10), delay=30, never=False, amount=Decimal("1000.00"))], as_of=TODAY)
    assert [w.number for w in made.weeks if w.total] == [6]  # day 40: the sixth week (days 36-42)
    assert made.weeks[5].by_habit == Decimal("1000.00") and made.weeks[5].by_curve == 0
    early = forecast([Group(due=days(20), delay=-5, never=False, amount=Decimal("10.00"))], as_of=TODAY)
    assert early.weeks[2].by_habit == Decimal("10.00")  # day 15: the third week
    beyond = forecast([Group(due=days(80), delay=20, never=False, amount=Decimal("5.00"))], as_of=TODAY)
    assert beyond.expected == 0 and beyond.later == Decimal("5.00")


def test_without_history_the_curve_spreads_the_amount_over_its_steps_days():
    made = forecast([Group(due=days(0), delay=None, never=False, amount=Decimal("3100.00"))], as_of=TODAY)
    # The due date is today: day 0 of the curve is gone, days 1-30 hold 50% less their share of day 0, etc.
    assert made.expected + made.later == Decimal("3100.00")
    assert made.later == 0  # all within 90 days, inside the 13 weeks
    first_month = sum((w.by_curve for w in made.weeks[:4]), Decimal(0))  # days 1-28
    assert Decimal("1300") < first_month < Decimal("1500")
    assert all(w.by_habit == 0 for w in made.weeks)


def test_an_overdue_item_shares_out_only_the_curve_days_still_to_come():
    # 70 days overdue: only the last step (days 61-90 after due) is left, 20 days of it; all of it lands there.
    made = forecast([Group(due=days(-70), delay=None, never=False, amount=Decimal("200.00"))], as_of=TODAY)
    assert made.expected == Decimal("200.00")
    assert sum((w.total for w in made.weeks[:3]), Decimal(0)) == Decimal("200.00")  # days 1-21 hold days 71-90
    assert made.weeks[2].total < made.weeks[0].total  # the third week holds only days 15-20
    # A relation with history whose expected day has passed falls back to the curve too.
    late = forecast([Group(due=days(-70), delay=10, never=False, amount=Decimal("200.00"))], as_of=TODAY)
    assert [w.total for w in late.weeks] == [w.total for w in made.weeks]
    assert all(w.by_habit == 0 for w in late.weeks)


def test_relations_that_do_not_pay_and_items_past_the_curve_are_set_apart_and_credits_are_not_placed():
    made = forecast(
        [
            Group(due=days(5), delay=None, never=True, amount=Decimal("70.00"), items=2),
            Group(due=days(-91), delay=None, never=False, amount=Decimal("30.00"), items=1),
            Group(due=days(-90), delay=None, never=False, amount=Decimal("12.00"), items=1),
            Group(due=days(5), delay=None, never=False, amount=Decimal("-40.00"), items=1),
        ],
        as_of=TODAY,
    )
    assert made.unlikely == Decimal("100.00") and made.unlikely_items == 3
    # 90 days overdue is the curve's last day: what comes, comes next week.
    assert made.weeks[0].total == Decimal("12.00")
    assert made.open_total == Decimal("112.00") == made.expected + made.later + made.unlikely


@pytest.mark.parametrize("amount", ["0.01", "0.07", "1.00", "999.99", "123456.78"])
def test_every_cent_is_placed_exactly_once(amount):
    groups = [Group(due=days(offset), delay=None, never=False, amount=Decimal(amount)) for offset in range(-95, 120, 7)]
    made = forecast(groups, as_of=TODAY, curve=((10, 33), (45, 33), (70, 34)))
    assert made.expected + made.later + made.unlikely == made.open_total == Decimal(amount) * len(groups)
    assert all(w.total >= 0 for w in made.weeks)


def test_the_due_date_method_puts_each_amount_on_its_due_date_and_the_overdue_in_the_first_week():
    weeks = due_date_forecast(
        [
            Group(due=days(-40), delay=None, never=True, amount=Decimal("5.00")),
            Group(due=days(9), delay=30, never=False, amount=Decimal("7.00")),
            Group(due=days(200), delay=None, never=False, amount=Decimal("9.00")),
        ],
        as_of=TODAY,
    )
    assert len(weeks) == WEEKS and weeks[0] == Decimal("5.00") and weeks[1] == Decimal("7.00")
    assert sum(weeks) == Decimal("12.00")


@pytest.mark.parametrize(
    ("curve", "message"),
    [
        ([], "at least one step"),
        ([[30, 50], [60, 30]], "add up to 80%"),
        ([[60, 50], [30, 50]], "must go up"),
        ([[30, 0], [60, 100]], "from 1 to 100"),
        ([[0, 100]], "from 1 to 365"),
        ([[30, "50"], [60, 50]], "whole number"),
        ([[d, 10] for d in range(1, 11)], "at most 6"),
    ],
)
def test_a_curve_that_does_not_add_up_is_refused_with_its_reason(curve, message):
    with pytest.raises(ValidationError, match=message):
        curve_validate(curve)
    assert curve_validate([list(step) for step in DEFAULT_CURVE]) == DEFAULT_CURVE


def test_the_backtest_days_are_sundays_four_weeks_apart_at_least_thirteen_weeks_back():
    origins = backtest_origins(today=TODAY, first=date(2020, 1, 1))
    assert len(origins) == 13 and origins == sorted(origins)
    assert all(day.weekday() == 6 for day in origins)
    assert all((b - a).days == BACKTEST_EVERY_DAYS for a, b in pairwise(origins))
    assert TODAY - timedelta(days=91 + BACKTEST_EVERY_DAYS) < origins[-1] <= TODAY - timedelta(days=91)
    # The same days whatever day of those four weeks it is made on, so administrations can be added up.
    calendar = {*origins, origins[-1] + timedelta(days=BACKTEST_EVERY_DAYS)}
    for later in range(BACKTEST_EVERY_DAYS):
        assert set(backtest_origins(today=TODAY + timedelta(days=later), first=date(2020, 1, 1))) <= calendar
    assert backtest_origins(today=TODAY, first=origins[-1]) == [origins[-1]]
    assert backtest_origins(today=TODAY, first=TODAY) == []


def test_the_backtest_measures_both_methods_against_what_was_paid_and_adds_up_administrations():
    as_of = date(2026, 3, 1)
    groups = [Group(due=as_of + timedelta(days=3), delay=28, never=False, amount=Decimal("100.00"))]
    paid = [Decimal(0)] * WEEKS
    paid[4] = Decimal("100.00")  # 31 days after: as the habit says, not as the due date says
    origin = Origin(as_of=as_of, groups=groups, due_date=due_date_forecast(groups, as_of=as_of), actual=paid)
    result = backtest([Origin.from_json(origin.to_json())])
    assert result.error == 0 and result.due_date_error == (Decimal("200.00") / WEEKS).quantize(Decimal("0.01"))
    assert result.improvement == 100 and result.worse_by is None
    both = backtest([origin, Origin.from_json(origin.to_json())])
    assert len(both.origins) == 1 and both.origins[0].paid == Decimal("200.00") and both.error == 0
