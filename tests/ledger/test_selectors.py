"""The read helpers the sync's check uses: fingerprints per window and sums computed by the database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from ledger.models import OutstandingSide, Relation
from ledger.selectors import (
    account_balances,
    line_totals_by_account_month,
    outstanding_totals,
    payment_terms,
    transaction_date_range,
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


def test_the_date_range_is_none_without_transactions(administration):
    assert transaction_date_range(administration=administration) is None


def test_the_date_range_spans_the_first_to_the_last_transaction(administration, other_administration):
    transactions_upsert(
        administration=administration,
        transactions=[sale("1", day=date(2023, 5, 1)), sale("2", day=date(2025, 2, 3)), sale("3")],
    )
    transactions_upsert(administration=other_administration, transactions=[sale("9", day=date(2020, 1, 1))])

    assert transaction_date_range(administration=administration) == (date(2023, 5, 1), date(2025, 3, 14))


@pytest.fixture
def terms(administration):
    Relation.objects.filter(administration=administration, external_id="rel-1").update(payment_term_days=30)
    transactions_upsert(
        administration=administration,
        transactions=[
            replace(sale("own"), payment_term_days=14),
            replace(sale("cash"), payment_term_days=0),
            sale("x"),
        ],
    )
    return payment_terms(
        administration=administration,
        transaction_external_ids=["own", "cash", "x", "not-imported"],
        relation_external_ids=["rel-1", "rel-2"],
    )


def test_an_items_payment_term_is_its_transactions_own_first(terms):
    assert terms.for_item(transaction_external_id="own", relation_external_id="rel-1") == 14


def test_an_items_payment_term_of_zero_days_is_kept(terms):
    assert terms.for_item(transaction_external_id="cash", relation_external_id="rel-1") == 0


def test_an_items_payment_term_falls_back_to_its_relations(terms):
    assert terms.for_item(transaction_external_id="not-imported", relation_external_id="rel-1") == 30


def test_an_item_without_any_payment_term_has_none(terms):
    assert terms.for_item(transaction_external_id="x", relation_external_id="rel-2") is None
