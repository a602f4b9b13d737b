"""Read helpers over the ledger for the sync: what is stored, and what it adds up to, for comparing with the source.

Every sum is computed by the database and comes back as exact ``Decimal``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Max, Min, QuerySet, Sum
from django.db.models.functions import TruncMonth

from .models import (
    Administration,
    OutstandingItem,
    OutstandingSide,
    Relation,
    Transaction,
    TransactionLine,
    TransactionType,
)
from .money import ZERO, cents
from .records import stored_text
from .services.bulk import batched


def transaction_fingerprints(*, administration: Administration, window_start: date, window_end: date) -> dict[str, str]:
    """``{external_id: fingerprint}`` of the transactions dated in the window (both ends included), so the importer
    fetches details only of transactions that are new or whose fingerprint changed."""
    rows = Transaction.objects.filter(administration=administration, date__range=(window_start, window_end))
    return dict(rows.values_list("external_id", "fingerprint").iterator(chunk_size=10_000))


def transactions_in_rotation(*, administration: Administration) -> QuerySet[Transaction]:
    """The transactions whose source detail is re-read in turn, in the order of that rotation (their key): all but
    the opening balance, which the source lists whole."""
    return (
        Transaction.objects.filter(administration=administration)
        .exclude(transaction_type=TransactionType.OPENING_BALANCE)
        .order_by("pk")
    )


def line_totals_by_account_month(
    *, administration: Administration, date_from: date, date_to: date
) -> dict[tuple[str, date], Decimal]:
    """``{(account external id, first day of month): sum of the lines}`` for lines dated from ``date_from`` to
    ``date_to``: what the provider's balance per ledger and month is checked against."""
    rows = (
        TransactionLine.objects.filter(administration=administration, date__range=(date_from, date_to))
        .annotate(month=TruncMonth("date"))
        .values_list("account__external_id", "month")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {(account, _as_date(month)): cents(total) for account, month, total in rows}


def account_balances(
    *, administration: Administration, as_of: date, account_external_ids: Iterable[str] | None = None
) -> dict[str, Decimal]:
    """``{account external id: balance}`` at the end of ``as_of``, debit positive; accounts without lines are
    left out. The open items of a side are checked against the balances of its debtors or creditors accounts."""
    lines = TransactionLine.objects.filter(administration=administration, date__lte=as_of)
    if account_external_ids is not None:
        lines = lines.filter(account__external_id__in=list(account_external_ids))
    rows = lines.values_list("account__external_id").annotate(total=Sum("amount")).order_by()
    return {account: cents(total) for account, total in rows}


def outstanding_totals(*, administration: Administration) -> dict[OutstandingSide, Decimal]:
    """The sum of what is still open, per side (a side without items is 0)."""
    rows = (
        OutstandingItem.objects.filter(administration=administration)
        .values_list("side")
        .annotate(total=Sum("outstanding"))
        .order_by()
    )
    totals = {side: ZERO for side in OutstandingSide}
    totals.update({OutstandingSide(side): cents(total) for side, total in rows})
    return totals


def transaction_date_range(*, administration: Administration) -> tuple[date, date] | None:
    """The dates of the first and the last stored transaction, or None when there is none: the span the check of
    balances covers."""
    span = Transaction.objects.filter(administration=administration).aggregate(first=Min("date"), last=Max("date"))
    return None if span["first"] is None else (span["first"], span["last"])


def transactions_exist(*, administration: Administration) -> bool:
    """Whether any transaction of the administration is stored (none: its first import has not stored one yet)."""
    return Transaction.objects.filter(administration=administration).exists()


def transactions_stored(*, administration: Administration, external_ids: Iterable[str]) -> set[str]:
    """Which of these transactions (by the source's id) are stored."""
    found: set[str] = set()
    rows = Transaction.objects.filter(administration=administration)
    for chunk in batched(set(external_ids), 5_000):
        found.update(rows.filter(external_id__in=chunk).values_list("external_id", flat=True))
    return found


def invoice_numbers_stored(
    *, administration: Administration, invoice_type: TransactionType, invoice_numbers: Iterable[str]
) -> set[str]:
    """Which of these invoice numbers an invoice of ``invoice_type`` carries among the stored transactions, as the
    ledger stores them (see ``stored_text``)."""
    found: set[str] = set()
    rows = Transaction.objects.filter(administration=administration, transaction_type=invoice_type)
    numbers = {stored_text(number, "invoice_number") for number in invoice_numbers} - {""}
    for chunk in batched(numbers, 5_000):
        found.update(rows.filter(invoice_number__in=chunk).values_list("invoice_number", flat=True))
    return found


@dataclass(frozen=True)
class PaymentTerms:
    """Payment terms in days, of some transactions and some relations by external id, and of some invoices by
    their number."""

    by_transaction: dict[str, int]
    by_relation: dict[str, int]
    by_invoice_number: dict[str, int] = field(default_factory=dict)

    def for_item(
        self,
        *,
        transaction_external_id: str | None,
        relation_external_id: str | None,
        invoice_number: str | None = None,
    ) -> int | None:
        """The term of an open item: its transaction's own (found by the invoice number where the provider names
        no transaction), else its relation's; None when neither has one (a term of 0 days is a term: due on the
        invoice date)."""
        if transaction_external_id:
            term = self.by_transaction.get(transaction_external_id)
        else:
            term = self.by_invoice_number.get(stored_text(invoice_number, "invoice_number")) if invoice_number else None
        if term is None and relation_external_id:
            term = self.by_relation.get(relation_external_id)
        return term


def payment_terms(
    *,
    administration: Administration,
    transaction_external_ids: Iterable[str],
    relation_external_ids: Iterable[str],
    invoice_numbers: Iterable[str] = (),
    invoice_type: TransactionType | None = None,
) -> PaymentTerms:
    """The stored payment terms of the given transactions and relations (those without a term are left out), so
    that open items, which the provider lists without a due date, get one; and of the invoices of
    ``invoice_type`` with the given numbers, for open items that name no transaction (a number that more than one
    invoice carries with different terms is left out rather than guessed)."""

    def terms(model: type[Transaction] | type[Relation], external_ids: Iterable[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        rows = model.objects.filter(administration=administration, payment_term_days__isnull=False)
        for chunk in batched(set(external_ids), 5_000):
            # payment_term_days__isnull=False: never None, though django-stubs types the nullable column so.
            found.update(rows.filter(external_id__in=chunk).values_list("external_id", "payment_term_days"))  # type: ignore[arg-type]
        return found

    by_invoice_number: dict[str, int] = {}
    if invoice_type is not None:
        ambiguous: set[str] = set()
        invoices = Transaction.objects.filter(
            administration=administration, transaction_type=invoice_type, payment_term_days__isnull=False
        )
        numbers = {stored_text(number, "invoice_number") for number in invoice_numbers} - {""}
        for chunk in batched(numbers, 5_000):
            for number, term in invoices.filter(invoice_number__in=chunk).values_list(
                "invoice_number", "payment_term_days"
            ):
                if by_invoice_number.setdefault(number, term) != term:  # type: ignore[arg-type]  # never None, as above
                    ambiguous.add(number)
        for number in ambiguous:
            del by_invoice_number[number]
    return PaymentTerms(
        by_transaction=terms(Transaction, transaction_external_ids),
        by_relation=terms(Relation, relation_external_ids),
        by_invoice_number=by_invoice_number,
    )


def transactions_unbalanced(*, administration: Administration) -> QuerySet[Transaction]:
    """Transactions whose lines do not sum to zero, newest first: stored as given, shown on the Data checks page."""
    return Transaction.objects.filter(administration=administration).exclude(imbalance=0).order_by("-date", "-id")


def _as_date(value: date) -> date:
    # TruncMonth gives a datetime on some backends; the month is a date either way.
    return value.date() if hasattr(value, "date") else value
