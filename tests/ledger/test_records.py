"""The records refuse input that could not be stored exactly, before anything is written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger.records import (
    LineRecord,
    OutstandingItemRecord,
    RefusedValue,
    RelationRecord,
    TransactionRecord,
    TransactionType,
    due_date_after,
)


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


@pytest.mark.parametrize("day", [date(9999, 12, 30), date(1899, 12, 31), date(2200, 1, 1)])
def test_a_transaction_dated_out_of_range_is_refused_with_the_date_in_the_reason(day):
    with pytest.raises(RefusedValue, match=rf"date \({day.isoformat()}\) is outside the dates Monitr stores"):
        TransactionRecord(external_id="1", transaction_type=TransactionType.JOURNAL, date=day, fingerprint="", lines=())


@pytest.mark.parametrize(("term", "shown"), [(3_000_000, "3,000,000"), (-14, "-14"), (3_651, "3,651")])
def test_a_payment_term_out_of_range_is_refused(term, shown):
    with pytest.raises(RefusedValue, match=f"payment term of {shown} days is outside"):
        RelationRecord(external_id="r", code="R", name="R", payment_term_days=term)


def test_the_longest_payment_term_accepted_is_ten_years():
    assert RelationRecord(external_id="r", code="R", name="R", payment_term_days=3_650).payment_term_days == 3_650


def test_a_due_date_beyond_the_range_is_refused_instead_of_overflowing():
    assert due_date_after(date(2025, 1, 31), 30) == date(2025, 3, 2)
    with pytest.raises(RefusedValue, match=r"invoice date \(9999-12-30\)"):
        due_date_after(date(9999, 12, 30), 30)
    with pytest.raises(RefusedValue, match=r"due date \(2200-01-30\)"):
        due_date_after(date(2199, 12, 31), 30)


def test_an_amount_beyond_the_columns_precision_is_refused_with_a_readable_reason():
    with pytest.raises(RefusedValue, match=r"amount \(12345678901234567\) cannot be stored: .* at most 16 digits"):
        LineRecord(account_external_id="bank", amount=Decimal("12345678901234567"))


def test_an_id_holding_a_nul_or_too_long_is_refused():
    with pytest.raises(RefusedValue, match="cannot store"):
        RelationRecord(external_id="a\x00b", code="", name="")
    with pytest.raises(RefusedValue, match="longer than the 100 characters"):
        RelationRecord(external_id="9" * 101, code="", name="")


def test_a_lone_surrogate_in_text_becomes_a_replacement_character():
    record = RelationRecord(external_id="r", code="", name="Acme \ud800 BV \ud83d\ude00")

    assert record.name == "Acme \ufffd BV \U0001f600"
