"""A relation's invoices against the days they were paid, from the open-item ledger: the chart on its invoices page.

One point per invoice of the scope's side dated in the 24 months up to the page's day (the latest
:data:`PAYMENT_CHART_INVOICES` of them), at its due date (else its invoice date, as the payment habits count it):

- paid (settled in full by that day): the days after the due date it was paid, negative when early, each payment's
  days weighted by its amount, as ``RelationPaymentHabit.days_late_weighted`` counts them;
- still open that day (also one paid later, or in part by then): the days it is overdue so far, negative while it is
  not due yet.

The ledger is read as of the page's day: an invoice dated after it is not there, a payment dated after it has not
happened. Invoices only (no credit notes, unapplied payments or opening items), as the habits count them. One query
of at most :data:`PAYMENT_CHART_INVOICES` + 1 invoices and their payments, however long the relation's history.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import FilteredRelation, Q

from ledger.models import LedgerOpenItem, OpenItemKind, Relation

from .scope import OutstandingScope

PAYMENT_CHART_INVOICES = 60
PAYMENT_CHART_MONTHS = 24
TENTH = Decimal("0.1")


@dataclass(frozen=True, slots=True)
class InvoicePayment:
    invoice_number: str
    invoice_date: date
    due: date  # the due date, else the invoice date
    paid_on: date | None  # the day it was settled in full; None while open on the page's day
    days: Decimal  # paid: days after the due date, by amount; open: days overdue so far (negative: not yet due)

    @property
    def is_open(self) -> bool:
        return self.paid_on is None

    @property
    def is_late(self) -> bool:
        return self.days > 0


@dataclass(frozen=True, slots=True)
class PaymentChart:
    as_of: date
    points: list[InvoicePayment]  # by due date
    capped: bool  # the window holds more invoices than the chart shows
    limit: int = PAYMENT_CHART_INVOICES
    months: int = PAYMENT_CHART_MONTHS
    paid: list[InvoicePayment] = field(init=False)
    open: list[InvoicePayment] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "paid", [p for p in self.points if not p.is_open])
        object.__setattr__(self, "open", [p for p in self.points if p.is_open])

    @property
    def paid_late(self) -> int:
        return sum(p.is_late for p in self.paid)

    @property
    def overdue(self) -> int:
        return sum(p.is_late for p in self.open)

    def data(self) -> dict:
        """What the page passes to its script (``json_script``): each series' points as due date, days and number."""

        def series(points: list[InvoicePayment]) -> list[dict]:
            return [{"x": p.due.isoformat(), "y": str(p.days), "n": p.invoice_number} for p in points]

        return {"as_of": self.as_of.isoformat(), "paid": series(self.paid), "open": series(self.open)}


def months_before(day: date, months: int) -> date:
    """The same day ``months`` months before ``day`` (a 29th to 31st the month lacks: its last day)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def relation_payment_chart(
    *, scope: OutstandingScope, relation: Relation, limit: int = PAYMENT_CHART_INVOICES
) -> PaymentChart:
    """The points of ``relation``'s invoices on the scope's side as of ``scope.as_of`` (see the module), scoped to the
    organisation and, when set, the administration: one query."""
    as_of = scope.as_of
    invoices = LedgerOpenItem.objects.for_organization(scope.organization).filter(
        side=scope.side,
        relation=relation,
        kind=OpenItemKind.INVOICE,
        amount__gt=0,
        invoice_date__gt=months_before(as_of, PAYMENT_CHART_MONTHS),
        invoice_date__lte=as_of,
    )
    if scope.administration is not None:
        invoices = invoices.filter(administration=scope.administration)
    # One more than shown, to know whether there are more; the invoices and their payments up to the day in one query.
    latest = invoices.order_by("-invoice_date", "-pk").values("pk")[: limit + 1]
    rows = (
        invoices.filter(pk__in=latest)
        .annotate(paid=FilteredRelation("settlements", condition=Q(settlements__date__lte=as_of)))
        .order_by("-invoice_date", "-pk", "paid__date")
        .values_list("pk", "invoice_number", "invoice_date", "due_date", "settled_on", "paid__date", "paid__amount")
    )
    found: dict[int, tuple[str, date, date, date | None]] = {}
    payments: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for pk, number, invoiced, due, settled_on, paid_on, paid in rows:
        found.setdefault(pk, (number, invoiced, due or invoiced, settled_on))
        if paid_on is not None and paid > 0:  # a payment taken back counts as the habits count it: not at all
            payments[pk].append((paid_on, paid))
    chosen = list(found.items())[:limit]
    points = [_point(as_of, *fields, payments[pk]) for pk, fields in chosen]
    points.sort(key=lambda p: (p.due, p.invoice_date, p.invoice_number))
    return PaymentChart(as_of=as_of, points=points, capped=len(found) > limit, limit=limit)


def _point(
    as_of: date,
    number: str,
    invoiced: date,
    due: date,
    settled_on: date | None,
    payments: list[tuple[date, Decimal]],
) -> InvoicePayment:
    if settled_on is None or settled_on > as_of:
        days = Decimal((as_of - due).days)
        return InvoicePayment(number, invoiced, due, None, days)
    weight = sum((paid for _day, paid in payments), Decimal(0))
    if weight > 0:
        days = (sum((paid * (day - due).days for day, paid in payments), Decimal(0)) / weight).quantize(TENTH)
    else:  # nothing paid that the habits count (reversals alone): the day it closed
        days = Decimal((settled_on - due).days)
    return InvoicePayment(number, invoiced, due, settled_on, days)
