"""Read by the table in docs/eboekhouden.md, the REST detail view gives exactly the lines the sandbox holds as truth.

The reader below is written from the table alone (it shares no code with the sandbox), so it checks both the
view and the truth: header ledgerId + rows + vat[] + inExVat must reproduce every mutation's lines.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest

from .helpers import Rest

# +1: the header ledger is debited; -1: credited. Rows take the other side.
HEADER_SIDE = {1: -1, 2: 1, 3: 1, 4: -1, 5: 1, 6: -1, 7: -1}
VAT_TYPES = {1, 2, 5, 6}
VAT_LEDGER_CATEGORY = {"HOOG_VERK_21": "AF19", "LAAG_VERK_9": "AF6", "HOOG_INK_21": "VOOR", "LAAG_INK_9": "VOOR"}


def read_lines(detail: dict, vat_ledgers: dict[str, int]) -> dict[int, Decimal]:
    """Signed lines per ledger (debit positive) of one REST mutation."""
    side = HEADER_SIDE[detail["type"]]
    lines: dict[int, Decimal] = defaultdict(Decimal)
    total = Decimal(0)
    vat_by_code: dict[str, Decimal] = defaultdict(Decimal)
    for row in detail["rows"]:
        vat = row.get("vatAmount", Decimal(0)) if detail["type"] in VAT_TYPES else Decimal(0)
        excl = row["amount"] - vat if detail["inExVat"] == "IN" else row["amount"]
        total += excl + vat
        lines[row["ledgerId"]] -= side * excl
        if vat:
            lines[vat_ledgers[VAT_LEDGER_CATEGORY[row["vatCode"]]]] -= side * vat
            vat_by_code[row["vatCode"]] += vat
    assert {v["vatCode"]: v["amount"] for v in detail["vat"] if v["amount"]} == {
        code: amount for code, amount in vat_by_code.items() if amount
    }
    lines[detail["ledgerId"]] += side * total
    return {ledger: amount for ledger, amount in lines.items() if amount}


def per_ledger(truth_lines: list[dict]) -> dict[int, Decimal]:
    found: dict[int, Decimal] = defaultdict(Decimal)
    for line in truth_lines:
        found[line["ledgerId"]] += line["amount"]
    return {ledger: amount for ledger, amount in found.items() if amount}


@pytest.fixture
def books(eboekhouden_sandbox, eboekhouden_sandbox_administration):
    """A fresh administration plus hand-made mutations for every case the table distinguishes."""
    sandbox, admin = eboekhouden_sandbox, eboekhouden_sandbox_administration
    ledgers = {lg["code"]: lg["ledgerId"] for lg in sandbox.balances(admin.guid)}
    customer = sandbox.outstanding(admin.guid, "D")[0]["relationId"]
    add = sandbox.add_mutation
    cases = [
        # credit note, amounts incl. VAT, two rates
        {
            "type": 2,
            "date": "2025-11-01",
            "ledgerId": ledgers["1300"],
            "relationId": customer,
            "inExVat": "IN",
            "invoiceNumber": "CN-1",
            "rows": [
                {"ledgerId": ledgers["8000"], "amount": "-121.00", "vatCode": "HOOG_VERK_21"},
                {"ledgerId": ledgers["8100"], "amount": "-10.90", "vatCode": "LAAG_VERK_9"},
            ],
        },
        # purchase invoice excl. VAT with one credit row
        {
            "type": 1,
            "date": "2025-11-02",
            "ledgerId": ledgers["1600"],
            "inExVat": "EX",
            "invoiceNumber": "P-1",
            "rows": [
                {"ledgerId": ledgers["7000"], "amount": "200.00", "vatCode": "HOOG_INK_21"},
                {"ledgerId": ledgers["7100"], "amount": "-50.00", "vatCode": "LAAG_INK_9"},
            ],
        },
        # a refund: money sent back to a customer is a negative payment received
        {
            "type": 3,
            "date": "2025-11-03",
            "ledgerId": ledgers["1100"],
            "relationId": customer,
            "inExVat": "IN",
            "invoiceNumber": "CN-1",
            "rows": [{"ledgerId": ledgers["1300"], "amount": "-131.90", "invoiceNumber": "CN-1"}],
        },
        # money received and sent, excl. VAT
        {
            "type": 5,
            "date": "2025-11-04",
            "ledgerId": ledgers["1000"],
            "inExVat": "EX",
            "rows": [{"ledgerId": ledgers["8000"], "amount": "99.99", "vatCode": "HOOG_VERK_21"}],
        },
        {
            "type": 6,
            "date": "2025-11-05",
            "ledgerId": ledgers["1100"],
            "inExVat": "EX",
            "rows": [{"ledgerId": ledgers["4300"], "amount": "33.33", "vatCode": "HOOG_INK_21"}],
        },
        # a general journal entry with debit and credit rows that do not balance among themselves
        {
            "type": 7,
            "date": "2025-11-06",
            "ledgerId": ledgers["9000"],
            "rows": [
                {"ledgerId": ledgers["4500"], "amount": "70.00"},
                {"ledgerId": ledgers["4600"], "amount": "-20.00"},
            ],
        },
    ]
    for case in cases:
        add(admin.guid, case)
    invoices = [
        add(
            admin.guid,
            {
                "type": 2,
                "date": "2025-11-07",
                "ledgerId": ledgers["1300"],
                "relationId": customer,
                "invoiceNumber": number,
                "termOfPayment": 14,
                "rows": [{"ledgerId": ledgers["8000"], "amount": amount, "vatCode": "HOOG_VERK_21"}],
            },
        )
        for number, amount in (("S-1", "100.00"), ("S-2", "250.50"))
    ]
    # one payment of both invoices: one row per invoice, the numbers comma-separated in the header
    add(
        admin.guid,
        {
            "type": 3,
            "date": "2025-11-08",
            "ledgerId": ledgers["1100"],
            "relationId": customer,
            "inExVat": "IN",
            "invoiceNumber": "S-1,S-2",
            "rows": [
                {
                    "ledgerId": ledgers["1300"],
                    "amount": str(invoice["lines"][0]["amount"]),
                    "invoiceNumber": invoice["invoiceNumber"],
                }
                for invoice in invoices
            ],
        },
    )
    return sandbox, admin, ledgers


def test_every_mutation_read_from_rest_gives_the_truths_lines(books) -> None:
    sandbox, admin, _ = books
    rest = Rest(sandbox, admin)
    vat_ledgers = {item["category"]: item["ledgerId"] for item in sandbox.balances(admin.guid)}
    truth = {m["id"]: m for m in sandbox.truth(admin.guid)}
    seen = defaultdict(set)
    for mutation_id, expected in truth.items():
        if mutation_id == 0:
            continue
        detail = rest.json(f"/v1/mutation/{mutation_id}")
        assert read_lines(detail, vat_ledgers) == per_ledger(expected["lines"]), detail
        assert sum(line["amount"] for line in expected["lines"]) == 0
        seen[detail["type"]].add(detail["inExVat"])
        if any(row["amount"] < 0 for row in detail["rows"]):
            seen["negative"].add(detail["type"])
        if "," in detail["invoiceNumber"]:
            seen["several invoices"].add(detail["type"])
    assert set(seen) >= {1, 2, 3, 4, 5, 6, 7, "negative", "several invoices"}
    assert seen[1] == seen[2] == {"IN", "EX"}
    assert seen["negative"] >= {1, 2, 3, 7}


def test_the_opening_balance_items_in_the_list_are_its_lines(books) -> None:
    sandbox, admin, _ = books
    items = [item for item in Rest(sandbox, admin).all("/v1/mutation") if item["id"] == 0]
    opening = sandbox.truth_mutation(admin.guid, 0)
    assert {item["type"] for item in items} == {0}
    assert {item["ledgerId"]: item["amount"] for item in items} == per_ledger(opening["lines"])
    assert sum(item["amount"] for item in items) == 0


def test_monthly_balances_equal_the_sum_of_the_truths_lines(books) -> None:
    sandbox, admin, _ = books
    rest = Rest(sandbox, admin)
    codes = {item["ledgerId"]: item["code"] for item in sandbox.balances(admin.guid)}
    truth = sandbox.truth(admin.guid)
    for month in ("2024-02", "2025-11"):
        start, end = f"{month}-01", f"{month}-28"
        expected: dict[str, Decimal] = defaultdict(Decimal)
        for mutation in truth:
            if start <= mutation["date"] <= end:
                for line in mutation["lines"]:
                    expected[codes[line["ledgerId"]]] += line["amount"]
        answer = rest.json("/v1/ledger/balances", **{"from": start, "to": end})
        found = {item["code"]: item["balance"] for item in answer["items"]}
        assert {k: v for k, v in found.items() if v} == {k: v for k, v in expected.items() if v}
