"""The figures around the open items: DSO and DPO, the comparison with 30 days before, the history for the chart,
which daily snapshots exist, and the open-items check.

- **DSO** (days sales outstanding) = open receivables on D ÷ sales invoiced in the 90 days through D (incl. VAT)
  × 90. **DPO** the same with open payables and purchase invoices. The invoiced amount is read from the ledger
  provider-neutrally: the lines of ``sales_invoice`` (``purchase_invoice``) transactions booked on the
  transaction's own header account (the debtors, resp. creditors account), signed, so a credit note reduces it:
  for sales the debit on the debtors account, for purchases the credit on the creditors account.
- **Change since 30 days ago** compares with D − 30: by the open-item ledger once it is built (any day back to the
  first booking), else with the snapshot of that day; without one the page says so.
- **History**: once the open-item ledger is built, per month end over the 24 months through D, the outstanding
  total, the part overdue *on that day* and DSO (DPO) by the countback method, read from the month ends the ledger
  keeps (``OpenItemMonthEnd``, a row per month and side). Before, per snapshot day in the last 180 days, from the
  totals recorded with each snapshot (``OutstandingSnapshotTotal``): either way a page view reads a few hundred rows
  at most, not every open item of every day.
- **Countback** DSO of a month end: the open receivables are matched against the sales of that month, then of the
  month before, and so on; DSO is the days of the months they use up whole, plus the share of the last one. Unlike
  the 90-day ratio it follows the months' real sales, so a seasonal month does not skew it.
- **Snapshots**: the daily snapshot of a day exists for an administration when it has rows for that day. The ledger
  records no marker for a day on which nothing at all was open, so such a day reads as "no snapshot".
- **Checks**: the latest ``open_items`` reconciliation per administration for the side (the sync compares the
  open items with the debtors or creditors ledger balance).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, F, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum

from ledger.models import (
    Administration,
    OpenItemMonthEnd,
    OutstandingSide,
    OutstandingSnapshotTotal,
    Reconciliation,
    ReconciliationCheck,
    TransactionLine,
    TransactionType,
)
from ledger.money import ZERO, cents
from monitr.tenancy.models import Organization

from .kept import kept
from .outstanding import Aging, outstanding_aging
from .scope import OutstandingScope, reads_ledger

TURNOVER_WINDOW_DAYS = 90
COMPARE_DAYS = 30
HISTORY_DAYS = 180


@dataclass(frozen=True, slots=True)
class Turnover:
    """Invoiced in the window, and the days outstanding computed from it (None when nothing was invoiced)."""

    date_from: date
    date_to: date
    invoiced: Decimal
    open_amount: Decimal

    @property
    def days(self) -> Decimal | None:
        if self.invoiced <= 0:
            return None
        return (self.open_amount / self.invoiced * TURNOVER_WINDOW_DAYS).quantize(Decimal("0.1"))


def outstanding_turnover(*, scope: OutstandingScope, open_amount: Decimal) -> Turnover:
    """Sales (receivables) or purchases (payables) invoiced in the 90 days through ``as_of``, for DSO or DPO."""
    date_from = scope.as_of - timedelta(days=TURNOVER_WINDOW_DAYS - 1)
    receivable = scope.side == OutstandingSide.RECEIVABLE
    invoice_type = TransactionType.SALES_INVOICE if receivable else TransactionType.PURCHASE_INVOICE
    # The window and the administrations are said of both the lines and their transactions (a line has its
    # transaction's date and administration), so that the database finds the window's invoices through the
    # transactions' (administration, type, date) index instead of reading every transaction.
    lines = TransactionLine.objects.for_organization(scope.organization).filter(
        date__range=(date_from, scope.as_of),
        transaction__date__range=(date_from, scope.as_of),
        transaction__transaction_type=invoice_type,
        account_id=F("transaction__account_id"),
    )
    if scope.administration is not None:
        lines = lines.filter(administration=scope.administration, transaction__administration=scope.administration)
    else:
        lines = lines.filter(transaction__administration__organization=scope.organization)
    signed = cents(lines.aggregate(total=Sum("amount"))["total"])
    # Lines are debit positive: sales invoices debit the debtors account, purchase invoices credit the creditors.
    invoiced = signed if receivable else -signed
    return Turnover(date_from=date_from, date_to=scope.as_of, invoiced=invoiced + ZERO, open_amount=open_amount)


@dataclass(frozen=True, slots=True)
class Comparison:
    as_of: date
    available: bool
    total: Decimal
    overdue: Decimal


def outstanding_comparison(*, scope: OutstandingScope, days: int = COMPARE_DAYS) -> Comparison:
    """The side's total and overdue amount ``days`` before ``as_of``: by the open-item ledger once it is built, else
    in the snapshot of that day; one query."""
    then = scope.as_of - timedelta(days=days)
    if reads_ledger(scope):
        from .outstanding import outstanding_aging

        aging = outstanding_aging(scope=replace(scope, as_of=then, today=max(scope.today, then + timedelta(days=1))))
        return Comparison(as_of=then, available=True, total=aging.total, overdue=aging.overdue)
    rows = OutstandingSnapshotTotal.objects.for_organization(scope.organization).filter(as_of=then)
    if scope.administration is not None:
        rows = rows.filter(administration=scope.administration)
    side = Q(side=scope.side)
    row = rows.aggregate(
        # A side without open items has no row: the snapshot exists when either side has one.
        rows=Count("pk"),
        total=Sum("total", filter=side),
        overdue=Sum("overdue", filter=side),
    )
    return Comparison(as_of=then, available=row["rows"] > 0, total=cents(row["total"]), overdue=cents(row["overdue"]))


@dataclass(frozen=True, slots=True)
class HistoryPoint:
    as_of: date
    total: Decimal
    overdue: Decimal
    days: Decimal | None = None  # DSO or DPO by countback, where the history is by month end


HISTORY_MONTHS = 24
# How far back the countback may reach for a month end's sales: open items older than this are rare, and a DSO past
# it says "more than a year" as well as any figure would.
COUNTBACK_MONTHS = 12


def countback_days(open_amount: Decimal, months: list[tuple[date, Decimal]]) -> Decimal | None:
    """Days outstanding by countback: ``months`` are (month end, invoiced in that month), latest first. None when
    nothing was invoiced in any of them; the months' whole days when the open amount outlasts them all."""
    if not any(invoiced > 0 for _end, invoiced in months):
        return None
    left, days = open_amount, Decimal(0)
    for end, invoiced in months:
        if left <= 0:
            break
        length = Decimal(end.day)  # a month end's day is its number of days
        if invoiced > 0 and left < invoiced:
            days += left / invoiced * length
            left = ZERO
        else:
            days += length
            left -= max(invoiced, ZERO)
    return days.quantize(Decimal("0.1"))


def _month_end_history(scope: OutstandingScope) -> list[HistoryPoint]:
    first = date(scope.as_of.year - (HISTORY_MONTHS + COUNTBACK_MONTHS) // 12, scope.as_of.month, 1)
    rows = OpenItemMonthEnd.objects.for_organization(scope.organization).filter(
        side=scope.side, month_end__range=(first, scope.as_of)
    )
    if scope.administration is not None:
        rows = rows.filter(administration=scope.administration)
    grouped = list(
        rows.values("month_end")
        .annotate(total=Sum("total"), overdue=Sum("overdue"), invoiced=Sum("invoiced"))
        .order_by("month_end")
    )
    invoiced = [(r["month_end"], cents(r["invoiced"])) for r in grouped]
    points = []
    for index, row in enumerate(grouped[-HISTORY_MONTHS:], start=max(0, len(grouped) - HISTORY_MONTHS)):
        earlier = invoiced[max(0, index - COUNTBACK_MONTHS + 1) : index + 1][::-1]
        total = cents(row["total"])
        points.append(
            HistoryPoint(
                as_of=row["month_end"], total=total, overdue=cents(row["overdue"]), days=countback_days(total, earlier)
            )
        )
    return points


def outstanding_history(*, scope: OutstandingScope, days: int = HISTORY_DAYS) -> list[HistoryPoint]:
    """By the open-item ledger once it is built: per month end of the 24 months through ``as_of`` (whose own point
    the page adds), the side's total, the part overdue then and the days outstanding (countback). Else per snapshot
    day from ``days`` before ``as_of``: total and overdue; days without a snapshot are simply absent. One query."""
    if reads_ledger(scope):
        return _month_end_history(scope)
    rows = OutstandingSnapshotTotal.objects.for_organization(scope.organization).filter(
        side=scope.side, as_of__range=(scope.as_of - timedelta(days=days), scope.as_of)
    )
    if scope.administration is not None:
        rows = rows.filter(administration=scope.administration)
    grouped = rows.values("as_of").annotate(total=Sum("total"), overdue=Sum("overdue")).order_by("as_of")
    return [HistoryPoint(as_of=r["as_of"], total=cents(r["total"]), overdue=cents(r["overdue"])) for r in grouped]


@dataclass(frozen=True, slots=True)
class SnapshotStatus:
    """Whether the snapshot of ``as_of`` exists for each administration asked about."""

    as_of: date
    missing: list[Administration]
    first: date | None = None  # the first snapshot day of these administrations
    nearest_earlier: date | None = None
    missing_all: bool = False

    @property
    def complete(self) -> bool:
        return not self.missing


def outstanding_snapshot_status(
    *, organization: Organization, administrations: list[Administration], as_of: date
) -> SnapshotStatus:
    """Which of ``administrations`` have a snapshot of ``as_of``; when some lack one, the first snapshot day and the
    nearest earlier one, to offer instead. Two queries at most."""
    ids = [a.pk for a in administrations]
    # The day's totals stand for its snapshot: recorded with it, a row per side that has items, a few rows a day.
    snapshots = OutstandingSnapshotTotal.objects.for_organization(organization).filter(administration_id__in=ids)
    present = set(snapshots.filter(as_of=as_of).values_list("administration_id", flat=True).distinct())
    missing = [a for a in administrations if a.pk not in present]
    if not missing:
        return SnapshotStatus(as_of=as_of, missing=[])
    bounds = snapshots.aggregate(first=Min("as_of"), nearest=Max("as_of", filter=Q(as_of__lt=as_of)))
    return SnapshotStatus(
        as_of=as_of,
        missing=missing,
        first=bounds["first"],
        nearest_earlier=bounds["nearest"],
        missing_all=len(missing) == len(administrations),
    )


def outstanding_checks(*, scope: OutstandingScope) -> QuerySet[Reconciliation]:
    """The latest open-items check of the side for each administration in the scope, with its administration."""
    kind, subject = ReconciliationCheck.OPEN_ITEMS, str(scope.side)
    latest = (
        Reconciliation.objects.filter(administration=OuterRef("administration"), kind=kind, subject=subject)
        .order_by("-period_start")
        .values("period_start")[:1]
    )
    rows = Reconciliation.objects.for_organization(scope.organization).filter(kind=kind, subject=subject)
    if scope.administration is not None:
        rows = rows.filter(administration=scope.administration)
    return rows.filter(period_start=Subquery(latest)).select_related("administration").order_by("administration__name")


@dataclass(frozen=True, slots=True)
class Headline:
    """What the Outstanding Items page shows above its relation table: the aging, DSO or DPO, the change since 30
    days before, and the history (by month end from the books, else by snapshot day, with the day's own point)."""

    aging: Aging
    turnover: Turnover
    comparison: Comparison
    history: list[HistoryPoint]
    monthly: bool


def outstanding_headline(*, scope: OutstandingScope) -> Headline:
    """The page's headline figures of the scope, kept until its books change (``dashboards.selectors.kept``): they
    read every open item, the turnover's invoices and the history, and change only with a sync."""
    return kept(
        "outstanding",
        scope,
        [scope.side, scope.as_of, scope.today, scope.basis, *scope.boundaries],
        lambda: _headline(scope),
    )


def _headline(scope: OutstandingScope) -> Headline:
    aging = outstanding_aging(scope=scope)
    monthly = reads_ledger(scope)
    history = outstanding_history(scope=scope)
    if (scope.is_live or monthly) and (not history or history[-1].as_of != scope.as_of):
        # The day's own point, from the figures above: today's snapshot may not be recorded yet, and the month ends
        # stop at the last whole month.
        history.append(HistoryPoint(as_of=scope.as_of, total=aging.total, overdue=aging.overdue))
    return Headline(
        aging=aging,
        turnover=outstanding_turnover(scope=scope, open_amount=aging.total),
        comparison=outstanding_comparison(scope=scope),
        history=history,
        monthly=monthly,
    )
