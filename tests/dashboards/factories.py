"""Books for the dashboards' tests, imported through the ledger's own write services (as a sync would store them).

:class:`Books` is one administration with a small chart of accounts; its methods store relations, open items,
daily snapshots, invoices and checks. :func:`item` builds one open item; :func:`random_items` a seeded mix of
items of every age, for comparing the dashboard's figures with figures computed here in plain Python.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from ledger.models import Administration, OutstandingItem, OutstandingSide, Reconciliation, Relation
from ledger.records import (
    AccountKind,
    AccountRecord,
    AccountRole,
    LineRecord,
    OutstandingItemRecord,
    ReconciliationCheck,
    RelationRecord,
    TransactionRecord,
    TransactionType,
)
from ledger.services import (
    accounts_upsert,
    outstanding_items_replace,
    outstanding_snapshot_record,
    relations_upsert,
    transactions_upsert,
)
from tests.ledger.factories import AdministrationFactory

RECEIVABLE = OutstandingSide.RECEIVABLE
PAYABLE = OutstandingSide.PAYABLE
CENT = Decimal("0.01")


def item(
    external_id: str,
    *,
    relation: str | None = "rel-1",
    invoiced: date,
    due: date | None,
    total: str | Decimal = "100.00",
    paid: str | Decimal = "0.00",
    invoice_number: str | None = None,
) -> OutstandingItemRecord:
    total, paid = Decimal(total), Decimal(paid)
    return OutstandingItemRecord(
        external_id=external_id,
        source_external_id=external_id,
        invoice_number=invoice_number if invoice_number is not None else f"F{external_id}",
        relation_external_id=relation,
        invoice_date=invoiced,
        due_date=due,
        total=total,
        paid=paid,
        outstanding=total - paid,
    )


@dataclass
class Books:
    administration: Administration

    @classmethod
    def create(cls, organization, *, name: str = "Acme Books BV", **fields) -> Books:
        administration = AdministrationFactory(organization=organization, name=name, **fields)
        accounts_upsert(
            administration=administration,
            rows=[
                AccountRecord(external_id="bank", code="1100", name="Bank", kind=AccountKind.BALANCE_SHEET),
                AccountRecord(
                    external_id="debtors",
                    code="1300",
                    name="Debtors",
                    kind=AccountKind.BALANCE_SHEET,
                    role=AccountRole.RECEIVABLE,
                ),
                AccountRecord(
                    external_id="creditors",
                    code="1600",
                    name="Creditors",
                    kind=AccountKind.BALANCE_SHEET,
                    role=AccountRole.PAYABLE,
                ),
                AccountRecord(external_id="vat", code="1500", name="VAT", kind=AccountKind.BALANCE_SHEET),
                AccountRecord(external_id="revenue", code="8000", name="Revenue", kind=AccountKind.PROFIT_AND_LOSS),
                AccountRecord(external_id="costs", code="4000", name="Costs", kind=AccountKind.PROFIT_AND_LOSS),
            ],
        )
        return cls(administration)

    def relations(self, *names: str, prefix: str = "rel") -> list[Relation]:
        records = [
            RelationRecord(external_id=f"{prefix}-{n}", code=f"{prefix.upper()}{n:04d}", name=name)
            for n, name in enumerate(names, start=1)
        ]
        relations_upsert(administration=self.administration, rows=records)
        return list(Relation.objects.filter(administration=self.administration).order_by("external_id"))

    def relation(self, external_id: str) -> Relation:
        return Relation.objects.get(administration=self.administration, external_id=external_id)

    def open_items(self, side: OutstandingSide, items: Iterable[OutstandingItemRecord]) -> None:
        outstanding_items_replace(administration=self.administration, side=side, items=list(items))

    def snapshot(self, as_of: date) -> None:
        """Keep the open items as they are now as the snapshot of ``as_of``."""
        outstanding_snapshot_record(administration=self.administration, as_of=as_of)

    def invoice(
        self,
        external_id: str,
        *,
        side: OutstandingSide,
        day: date,
        amount: str,
        relation: str = "rel-1",
        cost_centre: str | None = None,
    ):
        """A sales invoice (receivables) or purchase invoice (payables) of ``amount`` incl. 21% VAT, balanced, its
        revenue or cost line on ``cost_centre`` (an external id) when given. A negative amount is a credit note."""
        total = Decimal(amount)
        vat = (total * 21 / 121).quantize(CENT)
        sales = side == RECEIVABLE
        sign = 1 if sales else -1
        header = "debtors" if sales else "creditors"
        lines = (
            LineRecord(account_external_id=header, amount=sign * total, relation_external_id=relation),
            LineRecord(
                account_external_id="revenue" if sales else "costs",
                amount=-sign * (total - vat),
                cost_center_external_id=cost_centre,
            ),
            LineRecord(account_external_id="vat", amount=-sign * vat),
        )
        transactions_upsert(
            administration=self.administration,
            transactions=[
                TransactionRecord(
                    external_id=external_id,
                    transaction_type=TransactionType.SALES_INVOICE if sales else TransactionType.PURCHASE_INVOICE,
                    date=day,
                    fingerprint=f"fp-{external_id}",
                    lines=lines,
                    invoice_number=external_id,
                    relation_external_id=relation,
                    account_external_id=header,
                )
            ],
        )

    def payment(self, external_id: str, *, day: date, amount: str, relation: str = "rel-1"):
        """A payment received on the debtors account: not an invoice, so it never counts as sales."""
        total = Decimal(amount)
        transactions_upsert(
            administration=self.administration,
            transactions=[
                TransactionRecord(
                    external_id=external_id,
                    transaction_type=TransactionType.PAYMENT_RECEIVED,
                    date=day,
                    fingerprint=f"fp-{external_id}",
                    lines=(
                        LineRecord(account_external_id="bank", amount=total),
                        LineRecord(account_external_id="debtors", amount=-total, relation_external_id=relation),
                    ),
                    relation_external_id=relation,
                    account_external_id="bank",
                )
            ],
        )

    def check(self, *, side: OutstandingSide, day: date, expected: str, actual: str) -> Reconciliation:
        """The open-items check as the sync records it (written directly: only its figures matter here)."""
        return Reconciliation.objects.create(
            administration=self.administration,
            kind=ReconciliationCheck.OPEN_ITEMS,
            subject=str(side),
            period_start=day,
            expected=Decimal(expected),
            actual=Decimal(actual),
            difference=Decimal(actual) - Decimal(expected),
            recorded_at=timezone.now(),
        )

    def items(self, side: OutstandingSide = RECEIVABLE) -> list[OutstandingItem]:
        return list(OutstandingItem.objects.filter(administration=self.administration, side=side))


def random_items(
    *, seed: int, count: int, today: date, relations: list[str], prefix: str = "i", without_due: int = 0
) -> list[OutstandingItemRecord]:
    """``count`` items of every age from 200 days overdue to 60 days ahead, some partly paid, a few credit notes
    (negative), the first ``without_due`` without a due date."""
    rng = random.Random(seed)
    items = []
    for n in range(count):
        invoiced = today - timedelta(days=rng.randint(-5, 240))
        due = invoiced + timedelta(days=rng.choice((0, 14, 30, 60)))
        total = Decimal(rng.randint(1_00, 2_500_00)) / 100
        if rng.random() < 0.08:
            total = -total
        paid = (total * Decimal(rng.choice((0, 0, 0, 25, 50)) / 100)).quantize(CENT)
        items.append(
            item(
                f"{prefix}{n}",
                relation=rng.choice(relations),
                invoiced=invoiced,
                due=None if n < without_due else due,
                total=total,
                paid=paid,
            )
        )
    return items


def with_credits(today: date) -> list[OutstandingItemRecord]:
    """An overdue invoice of 100.00 and a credit note of -30.00 of 988 days ago (CN-1) for rel-1, and a payment of
    -250.00 of rel-2 not applied to any invoice (no due date)."""
    long_ago = today - timedelta(days=988)
    return [
        item("inv", relation="rel-1", invoiced=today - timedelta(days=70), due=today - timedelta(days=40)),
        item("cn", relation="rel-1", invoiced=long_ago, due=long_ago, total="-30.00", invoice_number="CN-1"),
        item("pay", relation="rel-2", invoiced=long_ago, due=None, total="-250.00"),
    ]


def shifted(records: list[OutstandingItemRecord], **changes) -> list[OutstandingItemRecord]:
    return [replace(r, **changes) for r in records]
