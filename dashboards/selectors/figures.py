"""The figures around the open items: DSO and DPO, the comparison with 30 days before, the history for the chart,
which daily snapshots exist, and the open-items check.

- **DSO** (days sales outstanding) = open receivables on D ÷ sales invoiced in the 90 days through D (incl. VAT)
  × 90. **DPO** the same with open payables and purchase invoices. The invoiced amount is read from the ledger
  provider-neutrally: the lines of ``sales_invoice`` (``purchase_invoice``) transactions booked on the
  transaction's own header account (the debtors, resp. creditors account), signed, so a credit note reduces it:
  for sales the debit on the debtors account, for purchases the credit on the creditors account.
- **Change since 30 days ago** compares with the snapshot of D − 30; without one the page says so.
- **History**: per snapshot day in the window, the outstanding total and the part overdue *on that day*.
  Both read the totals recorded with each snapshot (``OutstandingSnapshotTotal``), a row per day and side,
  not the snapshot's items: a page view reads 180 rows, not 180 days of every open item.
- **Snapshots**: the daily snapshot of a day exists for an administration when it has rows for that day. The ledger
  records no marker for a day on which nothing at all was open, so such a day reads as "no snapshot".
- **Checks**: the latest ``open_items`` reconciliation per administration for the side (the sync compares the
  open items with the debtors or creditors ledger balance).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, F, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum

from ledger.models import (
    Administration,
    OutstandingSide,
    OutstandingSnapshotTotal,
    Reconciliation,
    ReconciliationCheck,
    TransactionLine,
    TransactionType,
)
from ledger.money import ZERO, cents
from monitr.tenancy.models import Organization

from .scope import OutstandingScope

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
    """The side's total and overdue amount in the snapshot of ``days`` before ``as_of``, in one query."""
    then = scope.as_of - timedelta(days=days)
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


def outstanding_history(*, scope: OutstandingScope, days: int = HISTORY_DAYS) -> list[HistoryPoint]:
    """Per snapshot day from ``days`` before ``as_of`` through ``as_of``: the side's total and the part overdue on
    that day. One grouped query; days without a snapshot are simply absent."""
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
