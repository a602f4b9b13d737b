"""The cash forecast of the Outstanding Items dashboard: today's open items placed in the weeks they are expected to
be paid (``ledger.forecast``), the items set apart as unlikely, and the backtest, for one scope.

Everything is read through the scope, so from the organisation down (and the administration, when one is chosen).
The open items are added up in the database per due date, usual delay of their relation and whether it does not
pay (a few hundred groups however many items there are); ``ledger.forecast`` places the groups.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateField,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Round

from ledger.forecast import Backtest, Forecast, Group, Origin, backtest, forecast
from ledger.models import CashForecastBacktest, OutstandingItem, RelationPaymentHabit
from ledger.money import ZERO, cents

from .kept import CACHE_VERSION, kept, kept_under
from .scope import OutstandingScope, due_reference

HABIT = "habit__"
UNLIKELY_RELATIONS = 10


def _open_items(scope: OutstandingScope) -> QuerySet:
    """Today's open items of the scope that are still owed, each with its relation's habit on the same side."""
    rows = OutstandingItem.objects.for_organization(scope.organization).filter(side=scope.side, outstanding__gt=0)
    if scope.administration is not None:
        rows = rows.filter(administration=scope.administration)
    return rows.annotate(
        habit=FilteredRelation(
            "relation__payment_habits",
            condition=Q(relation__payment_habits__side=F("side")),
        ),
        delay=Case(
            When(
                RelationPaymentHabit.has_history_filter(HABIT),
                then=Cast(Round(F("habit__days_late_weighted")), IntegerField()),
            ),
            output_field=IntegerField(),
        ),
        never=Case(
            When(RelationPaymentHabit.never_pays_filter(HABIT), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
        due=due_reference(),
    )


class DaysAfter(Func):
    """A date plus a whole number of days, in the database (NULL days: NULL). Written here because Django has no
    portable "date + n days" for a number read from a column: PostgreSQL adds an integer to a date, SQLite shifts
    a date by a modifier."""

    arity = 2
    output_field = DateField()

    def as_sql(self, compiler, connection, **extra):  # type: ignore[override]
        return super().as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" + ", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        day, days = (compiler.compile(expression) for expression in self.get_source_expressions())
        return f"date({day[0]}, printf('%%+d days', {days[0]}))", (*day[1], *days[1])


@dataclass(frozen=True, slots=True)
class UnlikelyRelation:
    relation_id: int | None
    relation_name: str
    administration_id: int
    amount: Decimal
    items: int
    never: bool


def cash_forecast(*, scope: OutstandingScope, curve) -> Forecast:
    """Today's forecast of the scope's side (cash-in for receivables, cash-out for payables)."""
    return cash_forecast_and_unlikely(scope=scope, curve=curve)[0]


def cash_forecast_and_unlikely(
    *, scope: OutstandingScope, curve, limit: int = UNLIKELY_RELATIONS
) -> tuple[Forecast, list[UnlikelyRelation]]:
    """Today's forecast of the scope's side, and the relations with the most set apart as unlikely (largest first),
    in one query.

    The items are added up in the database per day they are placed by: an item that ``ledger.forecast`` will place
    on its relation's expected day (history, that day still to come, not yet past the curve's last step) is grouped
    on that day, as a group whose delay is 0; an item set apart as unlikely (its relation does not pay, or it is
    past the curve's last step) per relation; every other by its due date (the delay then plays no part). So a
    large organisation gives a few thousand groups, not one per due date and delay, and ``forecast`` places each
    group exactly as it would have placed its items (``tests/eboekhouden/test_cash_forecast.py`` compares the
    two).

    The result is kept in the cache until the books it is figured from change (``dashboards.selectors.kept``): the
    page, its exports and the API then read it without placing the items again."""
    return kept(
        "forecast",
        scope,
        [scope.side, scope.today, limit, *(f"{days}-{percent}" for days, percent in curve)],
        lambda: _forecast_and_unlikely(scope=scope, curve=curve, limit=limit),
    )


def _forecast_and_unlikely(*, scope: OutstandingScope, curve, limit: int) -> tuple[Forecast, list[UnlikelyRelation]]:
    today = scope.today
    horizon_start = today - timedelta(days=curve[-1][0])
    apart = Q(never=1) | Q(due__lt=horizon_start)
    on_habit = Q(never=0, delay__isnull=False, expected__gt=today, due__gte=horizon_start)
    rows = (
        _open_items(scope)
        .annotate(expected=DaysAfter(F("due"), F("delay")))
        .annotate(
            is_apart=Case(When(apart, then=Value(1)), default=Value(0), output_field=IntegerField()),
            placed=Case(
                When(apart, then=Value(None)),
                When(on_habit, then=F("expected")),
                default=F("due"),
                output_field=DateField(),
            ),
            placed_delay=Case(When(on_habit, then=Value(0)), default=Value(None), output_field=IntegerField()),
            apart_administration=Case(When(apart, then=F("administration_id")), default=Value(None)),
            apart_relation=Case(When(apart, then=F("relation_id")), default=Value(None)),
            apart_name=Case(When(apart, then=F("relation__name")), default=Value(None)),
        )
        .values_list(
            "is_apart", "placed", "placed_delay", "never", "apart_administration", "apart_relation", "apart_name"
        )
        .annotate(amount=Coalesce(Sum("outstanding"), Value(Decimal(0))), items=Count("pk"))
        .order_by()
    )
    exact = connection.vendor == "postgresql"  # its sums are exact; SQLite's come back as floats (ledger.money)
    groups, unlikely = [], []
    for is_apart, day, delay, never, administration, relation, name, amount, items in rows:
        amount = amount if exact else cents(amount)
        if is_apart:
            # One row per relation: whether it pays is its habit's, the same for all its items.
            unlikely.append(
                UnlikelyRelation(
                    relation_id=relation,
                    relation_name=name or "",
                    administration_id=administration,
                    amount=amount,
                    items=items,
                    never=bool(never),
                )
            )
        else:
            groups.append(Group(due=day, delay=delay, never=False, amount=amount, items=items))
    made = forecast(groups, as_of=today, curve=curve)
    set_apart = sum((row.amount for row in unlikely), ZERO)
    made = dataclasses.replace(
        made,
        unlikely=made.unlikely + set_apart,
        unlikely_items=made.unlikely_items + sum(row.items for row in unlikely),
        open_total=made.open_total + set_apart,
    )
    unlikely.sort(key=lambda row: (-row.amount, row.relation_name, row.relation_id or 0))
    return made, unlikely[:limit]


def forecast_backtest(*, scope: OutstandingScope, curve) -> Backtest | None:
    """How the forecast did on past days, with ``curve``, for the scope's administrations added up; None until the
    open-item ledger has been built. One query, and the figuring kept in the cache while nothing changed."""
    rows = CashForecastBacktest.objects.for_organization(scope.organization).filter(side=scope.side)
    if scope.administration is not None:
        rows = rows.filter(administration=scope.administration)
    found = list(rows.order_by("administration_id").values_list("pk", "digest"))
    if not found:
        return None
    parts = [f"{pk}-{digest}" for pk, digest in found] + [f"{days}-{percent}" for days, percent in curve]
    cache_key = f"forecast-backtest:{CACHE_VERSION}:" + hashlib.sha256(":".join(parts).encode()).hexdigest()

    def figure() -> Backtest:
        origins = CashForecastBacktest.objects.filter(pk__in=[pk for pk, _digest in found]).values_list(
            "origins", flat=True
        )
        return backtest([Origin.from_json(origin) for stored in origins for origin in stored], curve=curve)

    return kept_under(cache_key, figure)
