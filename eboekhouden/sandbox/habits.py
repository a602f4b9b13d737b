"""How each relation of the sandbox pays: a lasting habit, so that payment behaviour and a cash forecast read from
the books have something true to find.

Every customer and every supplier gets one habit when its administration is generated (from a random stream of its
own, so the relations' names and the rest of the books do not move with it), and the generator plans the payment of
each invoice by it: some pay before the due date, some on it, some always 20 to 40 days late, some in parts, a few
never. With six relations or more on a side each habit occurs at least once. The control API lists them
(``GET /_sandbox/administrations/{guid}/payment-habits``): the truth a test compares Monitr's figures with.

Credit notes are refunded as before, whatever the habit: that money goes the other way.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Habit(StrEnum):
    EARLY = "early"  # 3 to 10 days before the due date
    ON_TIME = "on_time"  # within 2 days of the due date
    USUAL = "usual"  # around the due date, mostly a few days late, now and then in two parts or never
    LATE = "late"  # always 20 to 40 days after the due date
    IN_PARTS = "in_parts"  # two or three parts, the first around the due date, the rest weeks later
    NEVER = "never"  # no invoice is ever paid


# The share of each habit among a side's relations, in percent.
WEIGHTS: dict[Habit, int] = {
    Habit.EARLY: 15,
    Habit.ON_TIME: 25,
    Habit.USUAL: 30,
    Habit.LATE: 20,
    Habit.IN_PARTS: 6,
    Habit.NEVER: 4,
}

# Days after the due date a habit pays a whole invoice on (inclusive), where that is fixed; the control API says so.
DAYS_AFTER_DUE: dict[Habit, tuple[int, int]] = {
    Habit.EARLY: (-10, -3),
    Habit.ON_TIME: (-2, 2),
    Habit.LATE: (20, 40),
}


def habits_of(seed: str, relation_ids: Iterable[int]) -> dict[int, Habit]:
    """Each relation's habit, for the relations of one side in the generator's order (the first ones get the most
    invoices): every habit once (with six relations or more), the rest drawn by :data:`WEIGHTS`, shuffled; those
    that never pay are the last, the relations with the fewest invoices, as bad debtors are in real books."""
    ids = list(relation_ids)
    rng = random.Random(f"habits:{seed}")
    kinds = list(WEIGHTS) if len(ids) >= len(WEIGHTS) else []
    kinds += rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()), k=len(ids) - len(kinds))
    rng.shuffle(kinds)
    kinds.sort(key=lambda kind: kind == Habit.NEVER)  # stable: the others keep their shuffled order
    return dict(zip(ids, kinds, strict=True))


@dataclass(frozen=True, slots=True)
class Payment:
    day: int  # date ordinal
    amount: Decimal


def payments(habit: Habit, rng: random.Random, *, day: int, term: int, total: Decimal) -> list[Payment]:
    """The payments of an invoice of ``total`` dated ``day`` (an ordinal) with ``term`` days to pay, by ``habit``.
    Never before the day after the invoice."""
    due = day + term
    if habit == Habit.NEVER:
        return []
    if habit in DAYS_AFTER_DUE:
        low, high = DAYS_AFTER_DUE[habit]
        return [Payment(max(day + 1, due + rng.randint(low, high)), total)]
    if habit == Habit.IN_PARTS and total >= Decimal(2):
        parts = rng.choice((2, 3))
        paid, plan, when = Decimal(0), [], due + rng.randint(0, 15)
        for part in range(parts - 1):
            share = Decimal(rng.randint(20, 60)) / 100 if part == 0 else Decimal(rng.randint(30, 70)) / 100
            amount = ((total - paid) * share).quantize(Decimal("0.01"))
            plan.append(Payment(max(day + 1, when), amount))
            paid += amount
            when += rng.randint(14, 45)
        plan.append(Payment(max(day + 1, when), total - paid))
        return plan
    # USUAL (and an invoice too small to split): around the due date, as the sandbox always paid.
    roll = rng.random()
    when = due + max(-term, int(rng.gauss(4, 12)))
    if roll < 0.04:
        return []  # never paid: a bad debt that stays outstanding
    if roll < 0.14 and total >= Decimal(2):
        first = (total * Decimal(rng.randint(20, 80)) / 100).quantize(Decimal("0.01"))
        if rng.random() < 0.85:
            return [Payment(when, first), Payment(when + rng.randint(10, 60), total - first)]
        return [Payment(when, first)]
    return [Payment(when, total)]
