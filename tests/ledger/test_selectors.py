"""The read helpers the sync's check uses: fingerprints per window and sums computed by the database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger.models import OutstandingSide
from ledger.selectors import (
    account_balances,
    line_totals_by_account_month,
    outstanding_totals,
    transaction_fingerprints,
    transactions_unbalanced,
)
from ledger.services import outstanding_items_replace, transactions_upsert

from .factories import journal, open_item, sale

pytestmark = pytest.mark.django_db


def test_fingerprints_are_those_of_the_window_only(administration):
    transactions_upsert(
        administration=administration,
        transactions=[
            sale("in", day=date(2025, 3, 31), fingerprint="a"),
            sale("out", day=date(2025, 4, 1), fingerprint="b"),
        ],
    )

    fingerprints = transaction_fingerprints(
        administration=administration, window_start=date(2025, 3, 1), window_end=date(2025, 3, 31)
    )

    assert fingerprints == {"in": "a"}


def test_line_totals_are_summed_per_account_and_month(administration):
    transactions_upsert(
        administration=administration,
        transactions=[
            journal("1", "0.10", "-0.10", day=date(2025, 3, 1)),
            journal("2", "0.20", "-0.20", day=date(2025, 3, 31)),
            journal("3", "5.00", "-5.00", day=date(2025, 4, 2)),
        ],
    )

    totals = line_totals_by_account_month(
        administration=administration, date_from=date(2025, 1, 1), date_to=date(2025, 12, 31)
    )

    assert totals == {
        ("bank", date(2025, 3, 1)): Decimal("0.30"),
        ("revenue", date(2025, 3, 1)): Decimal("-0.30"),
        ("bank", date(2025, 4, 1)): Decimal("5.00"),
        ("revenue", date(2025, 4, 1)): Decimal("-5.00"),
    }


def test_account_balances_count_lines_up_to_the_day(administration):
    transactions_upsert(
        administration=administration,
        transactions=[sale("1", amount="121.00", day=date(2025, 3, 1)), sale("2", day=date(2025, 3, 2))],
    )

    balances = account_balances(administration=administration, as_of=date(2025, 3, 1), account_external_ids=["debtors"])

    assert balances == {"debtors": Decimal("121.00")}


def test_outstanding_totals_add_up_each_side(administration):
    outstanding_items_replace(
        administration=administration,
        side=OutstandingSide.RECEIVABLE,
        items=[open_item("1", outstanding="0.10"), open_item("2", outstanding="0.20")],
    )

    totals = outstanding_totals(administration=administration)

    assert totals == {OutstandingSide.RECEIVABLE: Decimal("0.30"), OutstandingSide.PAYABLE: Decimal("0.00")}


def test_unbalanced_transactions_are_listed_for_the_data_checks(administration):
    transactions_upsert(administration=administration, transactions=[journal("1", "1.00", "-0.99"), sale("2")])

    assert [t.external_id for t in transactions_unbalanced(administration=administration)] == ["1"]
