"""How a relation pays, rated: the open-item ledger's facts (``ledger.models.RelationPaymentHabit``) as a word and
the reason for it, for the per-relation table (a badge, and a sort by how late: :func:`relation_lateness`), the
relation's drill-down, the exports and the API.

The rules, in order (days late are weighted by the amounts paid, counted from the due date):

- **Does not pay**: an invoice more than 60 days overdue and nothing paid in the last 12 months.
- **Too little history**: fewer than 3 invoices paid in full (and nothing the rule above catches).
- **Pays early**: on average more than 2 days before the due date.
- **Pays on time**: from 2 days before it to 3 days after it.
- **Pays a little late**: up to 14 days after it.
- **Pays late**: later than that.

The trend compares the invoices paid in the last 12 months with the 12 before (3 at least in each): a week or more
later is "slower", a week or more sooner "faster". Xero's "usually pays in n days" and the receivables tools that
rate customers work alike; the thresholds are Monitr's own, chosen so that a customer who always pays three to four
weeks late reads as late and one who pays around the due date does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.db.models import Case, DecimalField, F, OuterRef, Subquery, Value, When
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ledger.models import OutstandingSide, RelationPaymentHabit

from .selectors.scope import OutstandingScope

NEVER_PAYS_OVERDUE_DAYS = RelationPaymentHabit.NEVER_PAYS_OVERDUE_DAYS
LEAST_HISTORY = RelationPaymentHabit.LEAST_HISTORY
EARLY_DAYS = Decimal(-2)
ON_TIME_DAYS = Decimal(3)
LITTLE_LATE_DAYS = Decimal(14)
TREND_DAYS = Decimal(7)

# The first two rules, stated once on the model (``RelationPaymentHabit.never_pays`` and ``has_history``, each also
# as a filter): behaviour_of reads them in Python, the relation table's sort (:func:`lateness`) and the cash
# forecast in the database, so the badge, the order and the forecast cannot disagree.
NEVER_PAYS = RelationPaymentHabit.never_pays_filter()
TOO_LITTLE_HISTORY = RelationPaymentHabit.too_little_history_filter()
# Later than any days a habit can hold (seven digits, one of them decimal): "does not pay" sorts as the latest payer.
NEVER_PAYS_SORTS_AS = Decimal(1_000_000)


class Rating(StrEnum):
    NEVER = "never"
    UNKNOWN = "unknown"
    EARLY = "early"
    ON_TIME = "on_time"
    LITTLE_LATE = "little_late"
    LATE = "late"


# A customer's ratings (how they pay us), and a supplier's (how we pay them).
LABELS = {
    Rating.NEVER: _("Does not pay"),
    Rating.UNKNOWN: _("Too little history"),
    Rating.EARLY: _("Pays early"),
    Rating.ON_TIME: _("Pays on time"),
    Rating.LITTLE_LATE: _("Pays a little late"),
    Rating.LATE: _("Pays late"),
}
PAYABLE_LABELS = {
    Rating.NEVER: _("Left unpaid"),
    Rating.UNKNOWN: _("Too little history"),
    Rating.EARLY: _("We pay early"),
    Rating.ON_TIME: _("We pay on time"),
    Rating.LITTLE_LATE: _("We pay a little late"),
    Rating.LATE: _("We pay late"),
}
# The badge each rating wears.
TONES = {
    Rating.NEVER: "danger",
    Rating.UNKNOWN: "neutral",
    Rating.EARLY: "success",
    Rating.ON_TIME: "success",
    Rating.LITTLE_LATE: "warning",
    Rating.LATE: "danger",
}


@dataclass(frozen=True, slots=True)
class Behaviour:
    habit: RelationPaymentHabit
    rating: Rating
    trend: str  # "slower", "faster" or ""

    @property
    def label(self) -> str:
        labels = PAYABLE_LABELS if self.habit.side == OutstandingSide.PAYABLE else LABELS
        return str(labels[self.rating])

    @property
    def tone(self) -> str:
        return TONES[self.rating]

    @property
    def on_time_share(self) -> Decimal | None:
        habit = self.habit
        return (
            (Decimal(habit.paid_on_time * 100) / habit.invoices_paid).quantize(Decimal("1"))
            if habit.invoices_paid
            else None
        )

    @property
    def reason(self) -> str:
        habit = self.habit
        if self.rating == Rating.NEVER:
            return ngettext(
                "%(count)s invoice overdue, the oldest by %(days)s days; nothing paid in the last 12 months.",
                "%(count)s invoices overdue, the oldest by %(days)s days; nothing paid in the last 12 months.",
                habit.overdue_unpaid,
            ) % {"count": habit.overdue_unpaid, "days": habit.oldest_overdue_days}
        if self.rating == Rating.UNKNOWN:
            return ngettext(
                "%(count)s invoice paid so far: too few to tell.",
                "%(count)s invoices paid so far: too few to tell.",
                habit.invoices_paid,
            ) % {"count": habit.invoices_paid}
        days = habit.days_late_weighted or Decimal(0)
        shown = number_format(abs(days), 1)
        when = (
            ngettext("%(days)s day before the due date", "%(days)s days before the due date", int(-days))
            if days < 0
            else ngettext("%(days)s day after the due date", "%(days)s days after the due date", int(days))
        ) % {"days": shown}
        figures = {"when": when, "on_time": habit.paid_on_time, "count": habit.invoices_paid}
        if habit.side == OutstandingSide.PAYABLE:
            return (
                ngettext(
                    "We pay %(when)s on average, by amount; %(on_time)s of %(count)s invoice paid on time.",
                    "We pay %(when)s on average, by amount; %(on_time)s of %(count)s invoices paid on time.",
                    habit.invoices_paid,
                )
                % figures
            )
        return (
            ngettext(
                "Pays %(when)s on average, by amount; %(on_time)s of %(count)s invoice paid on time.",
                "Pays %(when)s on average, by amount; %(on_time)s of %(count)s invoices paid on time.",
                habit.invoices_paid,
            )
            % figures
        )


def behaviour_of(habit: RelationPaymentHabit) -> Behaviour:
    days = habit.days_late_weighted
    if habit.never_pays:
        rating = Rating.NEVER
    elif not habit.has_history or days is None:  # None is in the rule; said again for the type checker
        rating = Rating.UNKNOWN
    elif days < EARLY_DAYS:
        rating = Rating.EARLY
    elif days <= ON_TIME_DAYS:
        rating = Rating.ON_TIME
    elif days <= LITTLE_LATE_DAYS:
        rating = Rating.LITTLE_LATE
    else:
        rating = Rating.LATE
    trend = ""
    if (
        habit.recent_paid >= LEAST_HISTORY
        and habit.earlier_paid >= LEAST_HISTORY
        and habit.recent_days_late is not None
        and habit.earlier_days_late is not None
    ):
        change = habit.recent_days_late - habit.earlier_days_late
        trend = "slower" if change >= TREND_DAYS else "faster" if change <= -TREND_DAYS else ""
    return Behaviour(habit=habit, rating=rating, trend=trend)


def behaviours_of(*, scope: OutstandingScope, relation_ids: list[int | None]) -> dict[int, Behaviour]:
    """{relation id: its behaviour on the scope's side} of the relations asked about that have one: one query, scoped
    to the organisation (and administration) like every read of the dashboards."""
    rows = RelationPaymentHabit.objects.for_organization(scope.organization).filter(
        side=scope.side, relation_id__in=[r for r in relation_ids if r is not None]
    )
    if scope.administration is not None:
        rows = rows.filter(administration=scope.administration)
    return {habit.relation_id: behaviour_of(habit) for habit in rows}


def _days_field() -> DecimalField:
    # A day count with one decimal, wide enough for NEVER_PAYS_SORTS_AS.
    return DecimalField(max_digits=8, decimal_places=1)


def lateness() -> Case:
    """How late a habit's relation pays, as a database expression over ``RelationPaymentHabit`` to order by: its
    days late by amount; "does not pay" later than anyone (:data:`NEVER_PAYS_SORTS_AS`); NULL for too little history,
    which the orderings put last either way. The rules of :func:`behaviour_of`, from the same conditions."""
    return Case(
        When(NEVER_PAYS, then=Value(NEVER_PAYS_SORTS_AS)),
        When(TOO_LITTLE_HISTORY, then=Value(None)),
        default=F("days_late_weighted"),
        output_field=_days_field(),
    )


def relation_lateness(*, scope: OutstandingScope, relation: str = "relation_id") -> Subquery:
    """:func:`lateness` of the relation in the outer query's column ``relation`` on the scope's side, for annotating
    rows grouped per relation: scoped to the organisation (and administration) like :func:`behaviours_of`, so
    another organisation's habits never count. NULL for a relation without a habit (nothing invoiced)."""
    rows = RelationPaymentHabit.objects.for_organization(scope.organization).filter(
        side=scope.side, relation_id=OuterRef(relation)
    )
    if scope.administration is not None:
        rows = rows.filter(administration=scope.administration)
    # A relation has one habit per side (its administration's): the unique key, found by index.
    return Subquery(rows.annotate(lateness=lateness()).values("lateness")[:1], output_field=_days_field())
