"""The records refuse input that could not be stored exactly, before anything is written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger.records import LineRecord, OutstandingItemRecord, TransactionRecord, TransactionType


def test_a_line_refuses_a_float_amount():
    with pytest.raises(TypeError, match="never float"):
        LineRecord(account_external_id="bank", amount=0.1)  # type: ignore[arg-type]


def test_a_line_refuses_an_amount_with_more_than_two_decimal_places():
    with pytest.raises(ValueError, match="two decimal places"):
        LineRecord(account_external_id="bank", amount=Decimal("0.005"))


def test_a_line_refuses_an_amount_too_large_for_the_database():
    with pytest.raises(ValueError, match="two decimal places"):
        LineRecord(account_external_id="bank", amount=Decimal("1e16"))


def test_a_line_refuses_a_vat_amount_that_is_not_a_decimal():
    with pytest.raises(TypeError):
        LineRecord(account_external_id="bank", amount=Decimal("1.00"), vat_amount=21)  # type: ignore[arg-type]


def test_a_line_keeps_a_negative_amount_as_given():
    assert LineRecord(account_external_id="bank", amount=Decimal("-12.50")).amount == Decimal("-12.50")


def test_a_transaction_needs_an_external_id():
    with pytest.raises(ValueError, match="external_id"):
        TransactionRecord(
            external_id="", transaction_type=TransactionType.JOURNAL, date=date(2025, 1, 1), fingerprint="", lines=()
        )


def test_a_transaction_takes_its_lines_as_a_tuple_only():
    with pytest.raises(TypeError, match="tuple"):
        TransactionRecord(
            external_id="1",
            transaction_type=TransactionType.JOURNAL,
            date=date(2025, 1, 1),
            fingerprint="",
            lines=[],  # type: ignore[arg-type]
        )


def test_an_open_item_refuses_a_float_outstanding_amount():
    with pytest.raises(TypeError):
        OutstandingItemRecord(
            external_id="1",
            source_external_id="1",
            invoice_number="F1",
            relation_external_id=None,
            invoice_date=date(2025, 1, 1),
            due_date=None,
            total=Decimal("10.00"),
            paid=Decimal("0.00"),
            outstanding=10.0,  # type: ignore[arg-type]
        )
