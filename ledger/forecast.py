"""Expected cash-in and cash-out: when the open items will be paid, week by week, and how good that guess was.

Provider-neutral, and pure: it places amounts, it does not read the database. The Outstanding Items forecast page
and its API give it today's open items (``dashboards.selectors.forecast``); the open-item ledger's build gives it
the items open on past days, for the backtest (``ledger.services.open_items``).

**The method** (docs/architecture.md, "Expected cash"), for each open item that is still owed (credits are not
placed: they are the relation's to use against a payment, not cash of their own):

1. A relation that does not pay (``RelationPaymentHabit.never_pays``): the item is *unlikely*, shown apart.
2. An item more than the curve's last step (90 days by default) past its due date: *unlikely*, shown apart.
3. A relation with history (``RelationPaymentHabit.has_history``: three invoices or more paid in full): the item is
   expected on its due date plus the relation's usual delay (its amount-weighted days after the due date).
4. Otherwise, and for an item whose expected day has passed: the organisation's **collection curve** from its due
   date, by default 50% within 30 days, 30% within 60 and 20% within 90, each step spread evenly over its days. Of
   an overdue item only the days still to come count: the curve's remaining steps share the whole of what is open.

Weeks are the 13 runs of seven days after the day of the forecast (day 1 is the next day), so that a forecast made
on any day, today's or a past one's in the backtest, covers the same span. What is expected after them is *later*.

**The backtest** compares the forecasts made on past days (every fourth Sunday, from the open-item ledger as the
books stood then: its items open that day and the payment habits its payments up to that day show) with what was
actually paid on those items in the 13 weeks after, as the mean absolute error per week, for this method and for
"everything is paid on its due date" (an overdue item in the first week).

Amounts are ``Decimal``: each item's amount is split over the weeks to the cent, the cents left by rounding going to
the largest shares, so the weeks, *later* and *unlikely* add up to the open total exactly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .money import CENT, ZERO

WEEKS = 13
DAYS = WEEKS * 7
# The collection curve: (within this many days after the due date, this percentage of the amount).
DEFAULT_CURVE: tuple[tuple[int, int], ...] = ((30, 50), (60, 30), (90, 20))
MAX_CURVE_STEPS = 6
MAX_CURVE_DAYS = 365
# The backtest's past days: Sundays four weeks apart (the same dates for every administration, so that several can
# be added up), the last one at least 13 weeks back so that what happened after it is known.
BACKTEST_ORIGINS = 13
BACKTEST_EVERY_DAYS = 28


def curve_validate(value: object) -> tuple[tuple[int, int], ...]:
    """The curve as pairs of (days, percent), checked: days ascending from 1 to 365, percentages whole and above
    zero, adding up to 100. Raises ``ValidationError`` with a message for the user."""
    if not isinstance(value, list | tuple) or not value:
        raise ValidationError(_("Give at least one step of the collection curve."))
    if len(value) > MAX_CURVE_STEPS:
        raise ValidationError(_("Give at most %(count)d steps.") % {"count": MAX_CURVE_STEPS})
    steps = []
    for step in value:
        if not isinstance(step, list | tuple) or len(step) != 2 or any(type(part) is not int for part in step):
            raise ValidationError(_("Each step is a whole number of days and a whole percentage."))
        days, percent = step
        if not 1 <= days <= MAX_CURVE_DAYS:
            raise ValidationError(_("Each step's days are from 1 to %(days)d.") % {"days": MAX_CURVE_DAYS})
        if not 1 <= percent <= 100:
            raise ValidationError(_("Each step's percentage is from 1 to 100."))
        steps.append((days, percent))
    if any(later[0] <= earlier[0] for earlier, later in pairwise(steps)):
        raise ValidationError(_("The steps' days must go up, each larger than the one before."))
    if sum(percent for _days, percent in steps) != 100:
        raise ValidationError(
            _("The percentages add up to %(total)d%%; they must add up to 100%%.")
            % {"total": sum(percent for _days, percent in steps)}
        )
    return tuple(steps)


@dataclass(frozen=True, slots=True)
class Group:
    """Open amounts placed alike: the same due date (else invoice date), the same usual delay of their relation
    (None: too little history) and whether their relation does not pay."""

    due: date
    delay: int | None
    never: bool
    amount: Decimal
    items: int = 1


@dataclass(frozen=True, slots=True)
class Week:
    number: int
    start: date
    end: date
    by_habit: Decimal  # expected from the relations' own habits
    by_curve: Decimal  # expected by the collection curve

    @property
    def total(self) -> Decimal:
        return self.by_habit + self.by_curve


@dataclass(frozen=True, slots=True)
class Forecast:
    as_of: date
    weeks: list[Week]
    later: Decimal  # expected after the 13 weeks
    unlikely: Decimal
    unlikely_items: int
    open_total: Decimal  # everything still owed that was placed or set apart

    @property
    def expected(self) -> Decimal:
        return sum((week.total for week in self.weeks), ZERO)


def week_spans(as_of: date) -> list[tuple[date, date]]:
    """The 13 weeks after ``as_of``: (first day, last day), day 1 being the day after."""
    return [(as_of + timedelta(days=7 * w + 1), as_of + timedelta(days=7 * w + 7)) for w in range(WEEKS)]


def week_of(as_of: date, day: date) -> int:
    """The index (0–12) of the week after ``as_of`` that holds ``day``; 0 for a day not after ``as_of``, ``WEEKS``
    for one after the last week."""
    offset = (day - as_of).days
    if offset <= 0:
        return 0
    return min((offset - 1) // 7, WEEKS)


def _curve_shares(due: date, as_of: date, curve: Sequence[tuple[int, int]]) -> list[float]:
    """The share of an item due on ``due`` that the curve expects in each week after ``as_of`` (and after them,
    the last entry), of what is still to come: the steps' days up to ``as_of`` are gone and the rest share it all."""
    shares = [0.0] * (WEEKS + 1)
    first = max(0, (as_of - due).days + 1)  # the first day still to come, in days after the due date
    low = 0
    pieces = []
    for days, percent in curve:
        start = max(low, first)
        if start <= days:
            pieces.append((start, days, percent / (days - low + 1)))
        low = days + 1
    weight = sum((end - start + 1) * per_day for start, end, per_day in pieces)
    if weight <= 0:  # the curve's last day is today: whatever comes, comes next
        shares[0] = 1.0
        return shares
    for start, end, per_day in pieces:
        # Day by week: the runs of days of this step that fall in each week.
        day = start
        while day <= end:
            week = week_of(as_of, due + timedelta(days=day))
            # The last day after ``due`` that is in this week (or the step's end).
            week_last = (as_of + timedelta(days=7 * (week + 1)) - due).days if week < WEEKS else end
            last = min(end, week_last)
            shares[week] += (last - day + 1) * per_day / weight
            day = last + 1
    return shares


def _split(amount: Decimal, shares: Sequence[float]) -> list[Decimal]:
    """``amount`` split by ``shares`` (adding up to 1) in cents, exactly: each part rounded down, the cents left over
    given to the parts that lost the most by rounding."""
    raw = [amount * Decimal(share) for share in shares]
    parts = [value.quantize(CENT, rounding=ROUND_DOWN) for value in raw]
    left = int((amount - sum(parts, ZERO)) / CENT)
    for index in sorted(range(len(parts)), key=lambda i: raw[i] - parts[i], reverse=True)[:left]:
        parts[index] += CENT
    return parts


def forecast(groups: Iterable[Group], *, as_of: date, curve: Sequence[tuple[int, int]] = DEFAULT_CURVE) -> Forecast:
    """Where the open amounts of ``groups`` are expected, by the module's method."""
    horizon = curve[-1][0]
    by_habit = [ZERO] * (WEEKS + 1)
    by_curve = [ZERO] * (WEEKS + 1)
    unlikely, unlikely_items, total = ZERO, 0, ZERO
    # What the curve places, per due date: the amounts of one due date share their days, so each is split once.
    on_curve: dict[date, Decimal] = defaultdict(lambda: ZERO)
    for group in groups:
        if group.amount <= 0:
            continue
        total += group.amount
        if group.never or (as_of - group.due).days > horizon:
            unlikely += group.amount
            unlikely_items += group.items
            continue
        if group.delay is not None and (expected := group.due + timedelta(days=group.delay)) > as_of:
            by_habit[week_of(as_of, expected)] += group.amount
            continue
        on_curve[group.due] += group.amount
    for due, amount in on_curve.items():
        for week, part in enumerate(_split(amount, _curve_shares(due, as_of, curve))):
            by_curve[week] += part
    weeks = [
        Week(number=index + 1, start=start, end=end, by_habit=by_habit[index], by_curve=by_curve[index])
        for index, (start, end) in enumerate(week_spans(as_of))
    ]
    return Forecast(
        as_of=as_of,
        weeks=weeks,
        later=by_habit[WEEKS] + by_curve[WEEKS],
        unlikely=unlikely,
        unlikely_items=unlikely_items,
        open_total=total,
    )


def due_date_forecast(groups: Iterable[Group], *, as_of: date) -> list[Decimal]:
    """The plain method the backtest measures against: every open amount paid on its due date (an overdue one in
    the first week), per week."""
    weeks = [ZERO] * (WEEKS + 1)
    for group in groups:
        if group.amount > 0:
            weeks[week_of(as_of, group.due)] += group.amount
    return weeks[:WEEKS]


# The backtest ------------------------------------------------------------------------------------------------------


def backtest_origins(*, today: date, first: date) -> list[date]:
    """The past days the backtest forecasts from, oldest first: Sundays four weeks apart on one fixed calendar,
    the latest 13 weeks or more before ``today``, none before ``first`` (the books' first invoice)."""
    latest = today - timedelta(days=DAYS)
    # Day ordinals divisible by 28 are Sundays (ordinal 7 is Sunday 7 January of year 1), four weeks apart.
    origin = date.fromordinal(latest.toordinal() - latest.toordinal() % BACKTEST_EVERY_DAYS)
    origins: list[date] = []
    while origin >= first and len(origins) < BACKTEST_ORIGINS:
        origins.append(origin)
        origin -= timedelta(days=BACKTEST_EVERY_DAYS)
    return origins[::-1]


@dataclass
class Origin:
    """One past day of the backtest: the groups open then (for any curve), and per week what the due-date method
    expected and what was paid on those items."""

    as_of: date
    groups: list[Group]
    due_date: list[Decimal]
    actual: list[Decimal]

    def to_json(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "groups": [
                [g.due.toordinal(), g.delay, int(g.never), str(g.amount), g.items] for g in self.groups if g.amount > 0
            ],
            "due_date": [str(v) for v in self.due_date],
            "actual": [str(v) for v in self.actual],
        }

    @classmethod
    def from_json(cls, data: dict) -> Origin:
        return cls(
            as_of=date.fromisoformat(data["as_of"]),
            groups=[
                Group(due=date.fromordinal(due), delay=delay, never=bool(never), amount=Decimal(amount), items=items)
                for due, delay, never, amount, items in data["groups"]
            ],
            due_date=[Decimal(v) for v in data["due_date"]],
            actual=[Decimal(v) for v in data["actual"]],
        )


@dataclass(frozen=True, slots=True)
class OriginResult:
    as_of: date
    forecast: list[Decimal]
    due_date: list[Decimal]
    actual: list[Decimal]

    @property
    def paid(self) -> Decimal:
        return sum(self.actual, ZERO)

    @property
    def error(self) -> Decimal:
        return _mean_absolute(self.forecast, self.actual)

    @property
    def due_date_error(self) -> Decimal:
        return _mean_absolute(self.due_date, self.actual)


@dataclass(frozen=True, slots=True)
class Backtest:
    origins: list[OriginResult] = field(default_factory=list[OriginResult])

    @property
    def error(self) -> Decimal | None:
        """This method's mean absolute error per week, over every past day and week."""
        return _mean([o.error for o in self.origins])

    @property
    def due_date_error(self) -> Decimal | None:
        return _mean([o.due_date_error for o in self.origins])

    @property
    def actual_per_week(self) -> Decimal | None:
        """What was paid in an average week of the backtest: the scale the errors are read against."""
        return _mean([sum(o.actual, ZERO) / WEEKS for o in self.origins])

    @property
    def improvement(self) -> Decimal | None:
        """How much smaller this method's error is than the due-date method's, as a percentage."""
        if self.error is None or not self.due_date_error:
            return None
        return ((self.due_date_error - self.error) * 100 / self.due_date_error).quantize(Decimal("1"))

    @property
    def worse_by(self) -> Decimal | None:
        """How much larger this method's error is, where it is (a percentage), else None."""
        improvement = self.improvement
        return -improvement if improvement is not None and improvement < 0 else None


def _mean_absolute(forecast: Sequence[Decimal], actual: Sequence[Decimal]) -> Decimal:
    return (sum((abs(f - a) for f, a in zip(forecast, actual, strict=True)), ZERO) / WEEKS).quantize(CENT)


def _mean(values: list[Decimal]) -> Decimal | None:
    return (sum(values, ZERO) / len(values)).quantize(CENT) if values else None


def backtest(origins: Iterable[Origin], *, curve: Sequence[tuple[int, int]] = DEFAULT_CURVE) -> Backtest:
    """The backtest of ``origins`` with ``curve``: per past day, this method's weeks against the due-date method's
    and what was paid. Several administrations' origins of the same day are added up first."""
    merged: dict[date, Origin] = {}
    for origin in origins:
        if origin.as_of in merged:
            known = merged[origin.as_of]
            known.groups = known.groups + origin.groups
            known.due_date = [a + b for a, b in zip(known.due_date, origin.due_date, strict=True)]
            known.actual = [a + b for a, b in zip(known.actual, origin.actual, strict=True)]
        else:
            merged[origin.as_of] = Origin(origin.as_of, list(origin.groups), origin.due_date, origin.actual)
    results = []
    for as_of in sorted(merged):
        origin = merged[as_of]
        made = forecast(origin.groups, as_of=as_of, curve=curve)
        results.append(
            OriginResult(
                as_of=as_of,
                forecast=[week.total for week in made.weeks],
                due_date=origin.due_date,
                actual=origin.actual,
            )
        )
    return Backtest(origins=results)


def grouped(rows: Iterable[tuple[date, int | None, bool, Decimal]]) -> list[Group]:
    """(due, delay, never, amount) rows as groups, one per distinct (due, delay, never)."""
    sums: dict[tuple[date, int | None, bool], list] = defaultdict(lambda: [ZERO, 0])
    for due, delay, never, amount in rows:
        entry = sums[(due, delay, never)]
        entry[0] += amount
        entry[1] += 1
    return [
        Group(due=due, delay=delay, never=never, amount=amount, items=count)
        for (due, delay, never), (amount, count) in sums.items()
    ]
