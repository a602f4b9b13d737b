"""Factories for the ledger's models, and builders of the records the ledger's services take."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from ledger.models import Account, AccountKind, Administration, CostCenter, Relation
from ledger.records import LineRecord, OutstandingItemRecord, TransactionRecord, TransactionType
from tests.factories import OrganizationFactory


class AdministrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Administration

    organization = factory.SubFactory(OrganizationFactory)
    provider = "eboekhouden"
    external_id = factory.Faker("uuid4")
    name = factory.Sequence(lambda n: f"Administration {n} BV")


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    administration = factory.SubFactory(AdministrationFactory)
    external_id = factory.Sequence(lambda n: f"acc-{n}")
    code = factory.Sequence(lambda n: f"{1000 + n}")
    name = factory.Sequence(lambda n: f"Account {n}")
    kind = AccountKind.BALANCE_SHEET


class RelationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relation

    administration = factory.SubFactory(AdministrationFactory)
    external_id = factory.Sequence(lambda n: f"rel-{n}")
    code = factory.Sequence(lambda n: f"R{n:04d}")
    name = factory.Sequence(lambda n: f"Relation {n} BV")


class CostCenterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CostCenter

    administration = factory.SubFactory(AdministrationFactory)
    external_id = factory.Sequence(lambda n: f"cc-{n}")
    name = factory.Sequence(lambda n: f"Cost centre {n}")


def sale(
    external_id: str,
    *,
    amount: str = "121.00",
    day: date = date(2025, 3, 14),
    fingerprint: str | None = None,
    relation: str | None = "rel-1",
) -> TransactionRecord:
    """An invoice sent: debtors debit incl. VAT, revenue and output VAT credit; balanced."""
    total = Decimal(amount)
    vat = (total * Decimal(21) / Decimal(121)).quantize(Decimal("0.01"))
    return TransactionRecord(
        external_id=external_id,
        transaction_type=TransactionType.SALES_INVOICE,
        date=day,
        fingerprint=fingerprint or f"fp-{external_id}-{amount}-{day}",
        description=f"Invoice {external_id}",
        invoice_number=f"F{external_id}",
        relation_external_id=relation,
        account_external_id="debtors",
        vat_inclusive=False,
        lines=(
            LineRecord(account_external_id="debtors", amount=total, relation_external_id=relation),
            LineRecord(account_external_id="revenue", amount=-(total - vat), vat_code="HOOG_VERK_21", vat_amount=-vat),
            LineRecord(account_external_id="vat", amount=-vat),
        ),
    )


def journal(
    external_id: str, *amounts: str, day: date = date(2025, 3, 14), fingerprint: str = "fp"
) -> TransactionRecord:
    """A general journal entry with one line per amount, alternating bank and revenue; balanced only if the
    amounts are."""
    accounts = ("bank", "revenue")
    return TransactionRecord(
        external_id=external_id,
        transaction_type=TransactionType.JOURNAL,
        date=day,
        fingerprint=fingerprint,
        lines=tuple(LineRecord(account_external_id=accounts[i % 2], amount=Decimal(a)) for i, a in enumerate(amounts)),
    )


def open_item(
    external_id: str, *, outstanding: str = "100.00", relation: str | None = "rel-1", due: date | None = None
) -> OutstandingItemRecord:
    return OutstandingItemRecord(
        external_id=external_id,
        source_external_id=external_id,
        invoice_number=f"F{external_id}",
        relation_external_id=relation,
        invoice_date=date(2025, 3, 1),
        due_date=due or date(2025, 3, 31),
        total=Decimal("100.00"),
        paid=Decimal("100.00") - Decimal(outstanding),
        outstanding=Decimal(outstanding),
    )
