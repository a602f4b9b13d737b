"""The ledger's records clean the text a provider sends: no NUL characters (PostgreSQL's text cannot hold them), and
no name or code longer than its column; everything else (HTML, right-to-left marks, emoji) is kept as data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps

from ledger.records import (
    TEXT_LIMITS,
    AccountKind,
    AccountRecord,
    LineRecord,
    OutstandingItemRecord,
    RelationRecord,
    TransactionRecord,
    TransactionType,
)


def test_nul_characters_are_removed_and_the_rest_kept():
    relation = RelationRecord(external_id="1", code="R\x001", name='<b>Nul\x00Byte</b> "BV" 🍞 \u202eשלום')

    assert relation.code == "R1"
    assert relation.name == '<b>NulByte</b> "BV" 🍞 \u202eשלום'


def test_a_name_longer_than_its_column_is_shortened_with_an_ellipsis():
    account = AccountRecord(external_id="1", code="8" * 60, name="x" * 10_000, kind=AccountKind.PROFIT_AND_LOSS)

    assert account.name == "x" * 254 + "…"
    assert account.code == "8" * 49 + "…"


def test_free_texts_keep_their_length_and_lose_only_nul():
    line = LineRecord(account_external_id="a", amount=Decimal("1.00"), description="d\x00" * 5_000)
    transaction = TransactionRecord(
        external_id="t",
        transaction_type=TransactionType.JOURNAL,
        date=date(2025, 1, 1),
        fingerprint="f",
        lines=(line,),
        description="<script>\x00" * 1_000,
        invoice_number="=1+1\x00",
    )
    item = OutstandingItemRecord(
        external_id="i",
        source_external_id="t",
        invoice_number="INV\x00-1",
        relation_external_id=None,
        invoice_date=date(2025, 1, 1),
        due_date=None,
        total=Decimal("1.00"),
        paid=Decimal("0.00"),
        outstanding=Decimal("1.00"),
    )

    assert line.description == "d" * 5_000
    assert transaction.description == "<script>" * 1_000
    assert transaction.invoice_number == "=1+1"
    assert item.invoice_number == "INV-1"


@pytest.mark.parametrize(
    ("model", "field"),
    [
        ("ledger.Account", "code"),
        ("ledger.Account", "name"),
        ("ledger.Account", "category"),
        ("ledger.Account", "group"),
        ("ledger.Relation", "code"),
        ("ledger.Relation", "name"),
        ("ledger.Relation", "relation_type"),
        ("ledger.Relation", "address"),
        ("ledger.Relation", "postal_code"),
        ("ledger.Relation", "city"),
        ("ledger.Relation", "country"),
        ("ledger.Relation", "email"),
        ("ledger.CostCenter", "name"),
        ("ledger.CostCenter", "parent_external_id"),
        ("ledger.TransactionLine", "vat_code"),
        ("ledger.Transaction", "entry_number"),
        ("ledger.Reconciliation", "subject"),
    ],
)
def test_the_limits_are_the_columns_lengths(model, field):
    assert TEXT_LIMITS[field] == apps.get_model(model)._meta.get_field(field).max_length
