"""e-Boekhouden mutations become signed double-entry lines exactly as the table in docs/eboekhouden.md says."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from eboekhouden.client.dto import Mutation, MutationHeader, MutationRow, MutationType
from eboekhouden.mapping import (
    MappingError,
    VatLedgers,
    header_fingerprint,
    mutation_lines,
    opening_balance_record,
)

D = Decimal
VAT = VatLedgers({"AF19": "af19", "AF6": "af6", "AFOVERIG": "afoverig", "VOOR": "voor"})
DAY = dt.date(2025, 3, 14)


def mutation(kind, rows, *, header="header", in_ex="EX", relation=None):
    return Mutation(
        id=1, type=kind, date=DAY, ledger_id=header, rows=tuple(rows), in_ex_vat=in_ex, relation_id=relation
    )


def row(ledger, amount, vat=None, code="GEEN"):
    return MutationRow(ledger_id=ledger, amount=D(amount), vat_code=code, vat_amount=D(vat) if vat else None)


def by_account(lines):
    totals = {}
    for line in lines:
        totals[line.account_external_id] = totals.get(line.account_external_id, D("0")) + line.amount
    return totals


def test_an_invoice_sent_excl_vat_debits_the_debtor_and_credits_revenue_and_output_vat():
    lines = mutation_lines(mutation(MutationType.INVOICE_SENT, [row(8000, "100.00", "21.00", "HOOG_VERK_21")]), VAT)

    assert by_account(lines) == {"8000": D("-100.00"), "af19": D("-21.00"), "header": D("121.00")}


def test_an_invoice_received_incl_vat_takes_the_vat_out_of_the_row():
    lines = mutation_lines(
        mutation(MutationType.INVOICE_RECEIVED, [row(4000, "121.00", "21.00", "HOOG_INK_21")], in_ex="IN"), VAT
    )

    assert by_account(lines) == {"4000": D("100.00"), "voor": D("21.00"), "header": D("-121.00")}


def test_the_vat_line_has_no_description_of_its_own_and_the_rows_keep_theirs():
    paper = MutationRow(
        ledger_id=4000, amount=D("100.00"), vat_code="HOOG_INK_21", vat_amount=D("21.00"), description="Paper"
    )
    lines = mutation_lines(mutation(MutationType.INVOICE_RECEIVED, [paper]), VAT)

    assert {line.account_external_id: line.description for line in lines} == {"4000": "Paper", "voor": "", "header": ""}


def test_low_rate_output_vat_goes_to_the_low_rate_ledger():
    lines = mutation_lines(mutation(MutationType.MONEY_RECEIVED, [row(8100, "50.00", "4.50", "LAAG_VERK_9")]), VAT)

    assert by_account(lines) == {"8100": D("-50.00"), "af6": D("-4.50"), "header": D("54.50")}


def test_a_credit_note_with_a_negative_row_flips_every_side():
    lines = mutation_lines(mutation(MutationType.INVOICE_SENT, [row(8000, "-40.00", "-8.40", "HOOG_VERK_21")]), VAT)

    assert by_account(lines) == {"8000": D("40.00"), "af19": D("8.40"), "header": D("-48.40")}


def test_a_payment_of_several_invoices_credits_each_rows_own_ledger():
    lines = mutation_lines(
        mutation(MutationType.INVOICE_PAYMENT_RECEIVED, [row(1300, "121.00"), row(1310, "60.50")], header=1100), VAT
    )

    assert by_account(lines) == {"1300": D("-121.00"), "1310": D("-60.50"), "1100": D("181.50")}


def test_a_refund_payment_row_keeps_its_negative_sign():
    lines = mutation_lines(mutation(MutationType.INVOICE_PAYMENT_RECEIVED, [row(1300, "-48.40")], header=1100), VAT)

    assert by_account(lines) == {"1300": D("48.40"), "1100": D("-48.40")}


def test_a_payment_sent_debits_the_creditor_and_credits_the_bank():
    lines = mutation_lines(mutation(MutationType.INVOICE_PAYMENT_SENT, [row(1600, "242.00")], header=1100), VAT)

    assert by_account(lines) == {"1600": D("242.00"), "1100": D("-242.00")}


def test_money_sent_incl_vat_debits_cost_and_input_vat():
    lines = mutation_lines(
        mutation(MutationType.MONEY_SENT, [row(4500, "10.90", "0.90", "LAAG_INK_9")], header=1000, in_ex="IN"), VAT
    )

    assert by_account(lines) == {"4500": D("10.00"), "voor": D("0.90"), "1000": D("-10.90")}


def test_a_general_journal_keeps_row_signs_and_the_header_takes_minus_their_sum():
    lines = mutation_lines(
        mutation(MutationType.GENERAL_JOURNAL, [row(1500, "300.00"), row(1530, "-120.00")], header=1540), VAT
    )

    assert by_account(lines) == {"1500": D("300.00"), "1530": D("-120.00"), "1540": D("-180.00")}


@pytest.mark.parametrize("kind", [k for k in MutationType if k != MutationType.OPENING_BALANCE])
def test_every_type_balances(kind):
    rows = [
        row(8000, "19.99", "3.47", "HOOG_VERK_21"),
        row(4000, "-0.01"),
        row(7000, "1000000.10", "90.01", "LAAG_INK_9"),
    ]

    lines = mutation_lines(mutation(kind, rows, in_ex="IN"), VAT)

    assert sum(line.amount for line in lines) == 0


def test_amounts_stay_exact_where_floats_would_not():
    lines = mutation_lines(mutation(MutationType.GENERAL_JOURNAL, [row(1, "0.10"), row(2, "0.20")]), VAT)

    assert by_account(lines)["header"] == D("-0.30")


def test_the_relation_is_carried_on_every_line():
    lines = mutation_lines(mutation(MutationType.INVOICE_SENT, [row(8000, "10.00")], relation=77), VAT)

    assert {line.relation_external_id for line in lines} == {"77"}


def test_vat_without_a_vat_ledger_of_that_kind_is_a_clear_error():
    with pytest.raises(MappingError, match="VOOR"):
        mutation_lines(
            mutation(MutationType.INVOICE_RECEIVED, [row(4000, "100.00", "21.00", "HOOG_INK_21")]),
            VatLedgers({"AF19": "af19"}),
        )


def test_the_opening_balance_puts_each_amount_on_its_ledger_as_a_debit_positive_line():
    headers = [
        MutationHeader(
            id=0, type=MutationType.OPENING_BALANCE, date=dt.date(2023, 1, 1), ledger_id=1100, amount=D("5000.00")
        ),
        MutationHeader(
            id=0, type=MutationType.OPENING_BALANCE, date=dt.date(2023, 1, 1), ledger_id=700, amount=D("-5000.00")
        ),
    ]

    record = opening_balance_record(headers, default_date=dt.date(2023, 1, 1))

    assert record.external_id == "opening-2023-01-01"
    assert by_account(record.lines) == {"1100": D("5000.00"), "700": D("-5000.00")}


def test_a_header_fingerprint_changes_when_the_amount_changes():
    header = MutationHeader(id=5, type=MutationType.INVOICE_SENT, date=DAY, ledger_id=1300, amount=D("121.00"))
    changed = MutationHeader(id=5, type=MutationType.INVOICE_SENT, date=DAY, ledger_id=1300, amount=D("121.01"))

    assert header_fingerprint(header) == header_fingerprint(header)
    assert header_fingerprint(header) != header_fingerprint(changed)
