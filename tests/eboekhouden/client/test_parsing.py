"""REST JSON into DTOs: both casings, exact amounts, the mutation shapes the importer depends on."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eboekhouden.client import parsing
from eboekhouden.client.dto import (
    Ledger,
    Mutation,
    MutationHeader,
    MutationRow,
    MutationType,
    OutstandingItem,
    Side,
    VatLine,
)

# As the live service returned it (quoted in docs/eboekhouden.md).
LIVE_MUTATION = (
    '{"id":6427,"type":3,"date":"2025-01-26","description":"TRTP SEPA ...","termOfPayment":0,'
    '"ledgerId":43981046,"relationId":60657073,"inExVat":"IN","invoiceNumber":"50158","entryNumber":"",'
    '"rows":[{"ledgerId":13201873,"vatCode":"GEEN","amount":20.0,"description":"..."}],"vat":[]}'
)


def test_the_live_mutation_quoted_in_the_docs_parses_exactly():
    mutation = parsing.mutation_from_json(parsing.loads(LIVE_MUTATION))

    assert mutation == Mutation(
        id=6427,
        type=MutationType.INVOICE_PAYMENT_RECEIVED,
        date=dt.date(2025, 1, 26),
        ledger_id=43981046,
        rows=(MutationRow(ledger_id=13201873, amount=Decimal("20.0"), vat_code="GEEN", description="..."),),
        vat=(),
        description="TRTP SEPA ...",
        term_of_payment=0,
        relation_id=60657073,
        in_ex_vat="IN",
        invoice_number="50158",
        entry_number=None,
    )


def test_amounts_are_decimals_not_floats():
    mutation = parsing.mutation_from_json(parsing.loads(LIVE_MUTATION))

    assert type(mutation.rows[0].amount) is Decimal


def test_the_spec_examples_pascal_case_parse_like_camel_case():
    pascal = (
        '{"Id": 12, "Type": 2, "Date": "2026-08-29", "Description": "Description", "TermOfPayment": 12,'
        ' "LedgerId": 40444521, "RelationId": 111, "InExVat": "EX", "InvoiceNumber": "F00001",'
        ' "EntryNumber": "ENTR001", "Rows": [{"LedgerId": 2001, "VatCode": "NL21", "VatAmount": 2.1,'
        ' "CostCenterId": 10, "Amount": 10.0, "Description": "Row 1 description", "InvoiceNumber": "F00001",'
        ' "RelationId": 111}], "Vat": [{"VatCode": "NL21", "Amount": 2.1}]}'
    )
    camel = re.sub(r'"([A-Z])(\w*)":', lambda m: f'"{m.group(1).lower()}{m.group(2)}":', pascal)
    assert '"invoiceNumber"' in camel

    from_pascal = parsing.mutation_from_json(parsing.loads(pascal))

    assert from_pascal == parsing.mutation_from_json(parsing.loads(camel))
    assert from_pascal.rows[0] == MutationRow(
        ledger_id=2001,
        amount=Decimal("10.0"),
        vat_code="NL21",
        vat_amount=Decimal("2.1"),
        cost_centre_id=10,
        description="Row 1 description",
        invoice_number="F00001",
        relation_id=111,
    )
    assert from_pascal.vat == (VatLine("NL21", Decimal("2.1")),)


def test_a_pascal_case_list_envelope_gives_its_items():
    document = parsing.loads(
        '{"Items": [{"Id": 1, "Code": "7000", "Description": "Inkopen", "Category": "VW", "Group": null}], "Count": 1}'
    )

    ledgers = [parsing.ledger_from_json(item) for item in parsing.envelope_items(document)]

    assert ledgers == [Ledger(id=1, code="7000", description="Inkopen", category="VW", group=None)]


def test_a_payment_of_several_invoices_keeps_each_invoice_number_and_row():
    payment = parsing.mutation_from_json(
        parsing.loads(
            '{"id": 9001, "type": 3, "date": "2024-11-02", "ledgerId": 100, "relationId": 7,'
            ' "inExVat": "EX", "invoiceNumber": "7771-2024-15525,7771-2024-15644",'
            ' "rows": [{"ledgerId": 1300, "amount": 121.00, "invoiceNumber": "7771-2024-15525"},'
            ' {"ledgerId": 1300, "amount": 60.50, "invoiceNumber": "7771-2024-15644"}], "vat": []}'
        )
    )

    assert payment.invoice_numbers == ("7771-2024-15525", "7771-2024-15644")
    assert [(row.invoice_number, row.amount) for row in payment.rows] == [
        ("7771-2024-15525", Decimal("121.00")),
        ("7771-2024-15644", Decimal("60.50")),
    ]


def test_the_opening_balance_items_all_have_id_zero_and_their_own_ledger():
    document = parsing.loads(
        '{"items": [{"id": 0, "ledgerId": 11, "amount": 1500.00},'
        ' {"id": 0, "type": 0, "ledgerId": 12, "amount": -1500.00, "date": "2024-01-01"}], "count": 2}'
    )

    headers = [parsing.mutation_header_from_json(item) for item in parsing.envelope_items(document)]

    assert headers == [
        MutationHeader(id=0, type=MutationType.OPENING_BALANCE, date=None, ledger_id=11, amount=Decimal("1500.00")),
        MutationHeader(
            id=0, type=MutationType.OPENING_BALANCE, date=dt.date(2024, 1, 1), ledger_id=12, amount=Decimal("-1500.00")
        ),
    ]
    assert all(header.is_opening_balance for header in headers)


def test_a_mutation_without_its_optional_fields_parses_with_none():
    mutation = parsing.mutation_from_json(parsing.loads('{"id": 5, "type": 7, "date": "2025-03-01"}'))

    assert mutation == Mutation(id=5, type=MutationType.GENERAL_JOURNAL, date=dt.date(2025, 3, 1), ledger_id=None)


def test_a_relation_with_only_id_and_code_parses():
    relation = parsing.relation_from_json(parsing.loads('{"id": 3, "code": "R0001"}'))

    assert (relation.id, relation.code, relation.name, relation.term_of_payment, relation.inactive) == (
        3,
        "R0001",
        None,
        None,
        None,
    )


def test_zero_references_mean_none():
    row = parsing.mutation_from_json(
        parsing.loads(
            '{"id": 1, "type": 7, "date": "2025-01-01", "relationId": 0,'
            ' "rows": [{"ledgerId": 5, "amount": 1, "costCenterId": 0}]}'
        )
    )

    assert (row.relation_id, row.rows[0].cost_centre_id) == (None, None)


def test_amounts_that_floats_would_round_wrongly_stay_exact():
    document = parsing.loads(
        '{"items": [{"id": 1, "type": 2, "date": "2025-01-01", "ledgerId": 1, "amount": 0.1},'
        ' {"id": 2, "type": 2, "date": "2025-01-01", "ledgerId": 1, "amount": 0.2},'
        ' {"id": 3, "type": 2, "date": "2025-01-01", "ledgerId": 1, "amount": 90071992547409.93}], "count": 3}'
    )

    first, second, big = (parsing.mutation_header_from_json(item).amount for item in parsing.envelope_items(document))

    assert first + second == Decimal("0.3")
    assert big == Decimal("90071992547409.93")
    assert float(big) != big  # a float could not have carried it


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False, allow_infinity=False))
def test_any_two_decimal_amount_round_trips_exactly(amount):
    document = parsing.loads(f'{{"id": 1, "type": 2, "date": "2025-01-01", "ledgerId": 1, "amount": {amount}}}')

    assert parsing.mutation_header_from_json(document).amount == amount


def test_outstanding_items_keep_their_side_and_amounts():
    item = parsing.outstanding_item_from_json(
        parsing.loads(
            '{"Date": "2025-02-01", "MutationId": 1, "InvoiceNumber": null, "RelationId": 101,'
            ' "RelationCode": null, "Company": "SkillSource", "TotalAmount": 100.0, "PaidAmount": 40.1,'
            ' "OutstandingAmount": 59.9}'
        ),
        Side.DEBTORS,
    )

    assert item == OutstandingItem(
        side=Side.DEBTORS,
        date=dt.date(2025, 2, 1),
        invoice_number=None,
        relation_id=101,
        relation_code=None,
        company="SkillSource",
        total_amount=Decimal("100.0"),
        paid_amount=Decimal("40.1"),
        outstanding_amount=Decimal("59.9"),
        mutation_id=1,
    )


@pytest.mark.parametrize(
    "text",
    [
        "<html>Service Unavailable</html>",
        '{"items": "nope"}',
        "[1, 2, 3]",
        '{"count": 1}',
    ],
)
def test_an_answer_that_is_not_a_list_envelope_is_a_parse_error(text):
    with pytest.raises(parsing.ParseError):
        parsing.envelope_items(parsing.loads(text))


@pytest.mark.parametrize(
    "text",
    [
        '{"id": "abc", "type": 2, "date": "2025-01-01", "amount": 1}',
        '{"id": 1, "type": 9, "date": "2025-01-01", "amount": 1}',
        '{"id": 1, "type": 2, "date": "yesterday", "amount": 1}',
        '{"id": 1, "type": 2, "date": "2025-01-01", "amount": "lots"}',
        '{"id": 1, "type": 2, "date": "2025-01-01"}',
    ],
)
def test_a_header_with_a_wrong_field_is_a_parse_error(text):
    with pytest.raises(parsing.ParseError):
        parsing.mutation_header_from_json(parsing.loads(text))


def test_a_parse_error_names_the_field_but_not_the_value():
    with pytest.raises(parsing.ParseError) as caught:
        parsing.mutation_header_from_json(parsing.loads('{"id": 1, "type": 2, "date": "secret-ish", "amount": 1}'))

    assert "mutation.date" in str(caught.value)
    assert "secret-ish" not in str(caught.value)


def test_a_row_including_vat_splits_into_excl_vat_and_vat():
    mutation = parsing.mutation_from_json(
        parsing.loads(
            '{"id": 1, "type": 5, "date": "2025-01-01", "inExVat": "IN",'
            ' "rows": [{"ledgerId": 8000, "amount": 121.00, "vatCode": "HOOG_VERK_21", "vatAmount": 21.00}]}'
        )
    )

    assert mutation.row_amounts(mutation.rows[0]) == (Decimal("100.00"), Decimal("21.00"), Decimal("121.00"))


def test_a_negative_row_excluding_vat_keeps_its_sign():
    mutation = parsing.mutation_from_json(
        parsing.loads(
            '{"id": 1, "type": 2, "date": "2025-01-01", "inExVat": "EX",'
            ' "rows": [{"ledgerId": 8000, "amount": -50.00, "vatCode": "HOOG_VERK_21", "vatAmount": -10.50}]}'
        )
    )

    assert mutation.row_amounts(mutation.rows[0]) == (Decimal("-50.00"), Decimal("-10.50"), Decimal("-60.50"))


@pytest.mark.parametrize("day", ["10000-01-01", "+12345-06-07", "2025-02-30", "0000-01-01"])
def test_a_date_of_the_right_shape_that_no_date_can_hold_is_unreadable_not_garbled(day):
    with pytest.raises(parsing.UnreadableValue, match="out of the range"):
        parsing.mutation_from_json({"id": 5, "type": 7, "date": day})


def test_a_date_of_another_shape_is_a_garbled_answer():
    with pytest.raises(parsing.ParseError) as caught:
        parsing.mutation_from_json({"id": 5, "type": 7, "date": "26 januari 2025"})
    assert not isinstance(caught.value, parsing.UnreadableValue)


@pytest.mark.parametrize("number", ['"1e999999999"', str(10**30), "1E+400"])
def test_a_whole_number_beyond_any_id_or_term_is_unreadable_and_never_expanded(number):
    answer = parsing.loads('{"id": 5, "type": 7, "date": "2025-01-01", "termOfPayment": ' + number + "}")

    with pytest.raises(parsing.UnreadableValue, match="termOfPayment"):
        parsing.mutation_from_json(answer)


def test_an_unreadable_record_keeps_its_id_or_a_stable_digest():
    error = parsing.UnreadableValue("Its date 10000-01-01 is out of the range Monitr can read.")

    named = parsing.unreadable({"id": 42, "date": "10000-01-01"}, "mutation", error)
    anonymous = parsing.unreadable({"id": "x", "date": "10000-01-01"}, "mutation", error)

    assert (named.external_id, named.reason) == ("42", str(error))
    assert anonymous.external_id.startswith("unreadable-")
    assert anonymous == parsing.unreadable({"date": "10000-01-01", "id": "x"}, "mutation", error)
