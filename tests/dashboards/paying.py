"""How relations pay, for the dashboards' tests: invoices and the payments that name them, stored through the ledger's
write services and built into the open-item ledger as a sync builds it, and payment habits written as they are."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from ledger.models import RelationPaymentHabit
from ledger.records import LineRecord, TransactionRecord, TransactionType
from ledger.services import open_item_ledger_build, transactions_upsert

from .factories import RECEIVABLE, Books


def invoice(
    books: Books,
    number: str,
    *,
    day: date,
    term: int = 30,
    amount: str = "100.00",
    relation: str = "rel-1",
    side=RECEIVABLE,
    paid: Iterable[tuple[date, str]] = (),
) -> None:
    """An invoice ``number`` of ``amount`` dated ``day`` with ``term`` days to pay (a negative amount: a credit
    note), and its payments, each ``(day, amount)`` on a line naming the invoice."""
    sales = side == RECEIVABLE
    sign, account = (1, "debtors") if sales else (-1, "creditors")
    total = Decimal(amount)
    records = [
        TransactionRecord(
            external_id=f"{side}-{number}",
            transaction_type=TransactionType.SALES_INVOICE if sales else TransactionType.PURCHASE_INVOICE,
            date=day,
            fingerprint=f"fp-{side}-{number}",
            lines=(
                LineRecord(
                    account_external_id=account,
                    amount=sign * total,
                    invoice_number=number,
                    relation_external_id=relation,
                ),
                LineRecord(account_external_id="revenue" if sales else "costs", amount=-sign * total),
            ),
            invoice_number=number,
            relation_external_id=relation,
            account_external_id=account,
            payment_term_days=term,
        )
    ]
    for n, (when, part) in enumerate(paid):
        payment = Decimal(part)
        records.append(
            TransactionRecord(
                external_id=f"{side}-{number}-paid-{n}",
                transaction_type=TransactionType.PAYMENT_RECEIVED if sales else TransactionType.PAYMENT_SENT,
                date=when,
                fingerprint=f"fp-{side}-{number}-paid-{n}",
                lines=(
                    LineRecord(account_external_id="bank", amount=sign * payment),
                    LineRecord(
                        account_external_id=account,
                        amount=-sign * payment,
                        invoice_number=number,
                        relation_external_id=relation,
                    ),
                ),
                relation_external_id=relation,
                account_external_id="bank",
            )
        )
    transactions_upsert(administration=books.administration, transactions=records)


def build(books: Books, today: date) -> None:
    """The open-item ledger of the books, as a sync on ``today`` builds it (with the payment habits)."""
    open_item_ledger_build(administration=books.administration, today=today)


def habit(
    books: Books,
    relation: str,
    *,
    days: str | None,
    paid: int = 6,
    overdue: int = 0,
    oldest: int | None = None,
    recent: int = 3,
    side=RECEIVABLE,
    administration=None,
) -> RelationPaymentHabit:
    """A relation's payment habit as the ledger's build writes it: ``days`` late by amount over ``paid`` invoices,
    ``overdue`` invoices open past their due date (the oldest by ``oldest`` days), ``recent`` paid in the last year.
    ``administration``: another one's row naming this relation (which no build writes), to show it is not read."""
    return RelationPaymentHabit.objects.create(
        administration=administration or books.administration,
        side=side,
        relation=books.relation(relation),
        invoices_paid=paid,
        paid_on_time=0,
        days_late_weighted=None if days is None else Decimal(days),
        recent_paid=recent,
        overdue_unpaid=overdue,
        oldest_overdue_days=oldest,
        as_of=date(2026, 1, 1),
    )
