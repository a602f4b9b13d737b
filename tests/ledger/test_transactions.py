"""Writing transactions with their lines: created once, untouched when unchanged, replaced exactly when changed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from ledger.models import Transaction, TransactionLine
from ledger.records import LineRecord, TransactionRecord, TransactionType
from ledger.services import UnknownReferenceError, WriteCounts, transactions_delete_missing, transactions_upsert

from .factories import journal, sale

pytestmark = pytest.mark.django_db


def _lines(administration, external_id: str) -> list[tuple]:
    return list(
        TransactionLine.objects.filter(transaction__administration=administration, transaction__external_id=external_id)
        .order_by("line_number")
        .values_list("line_number", "account__external_id", "amount")
    )


def test_upsert_stores_new_transactions_with_their_lines(administration):
    counts = transactions_upsert(administration=administration, transactions=[sale("1"), sale("2", amount="60.50")])

    assert counts == WriteCounts(new=2)
    assert _lines(administration, "2") == [
        (1, "debtors", Decimal("60.50")),
        (2, "revenue", Decimal("-50.00")),
        (3, "vat", Decimal("-10.50")),
    ]


def test_upsert_resolves_the_header_account_and_relation(administration):
    transactions_upsert(administration=administration, transactions=[sale("1", relation="rel-2")])

    stored = Transaction.objects.get(administration=administration, external_id="1")
    assert (stored.account.external_id, stored.relation.external_id) == ("debtors", "rel-2")


def test_lines_repeat_their_transactions_date_and_administration(administration):
    transactions_upsert(administration=administration, transactions=[sale("1", day=date(2024, 12, 31))])

    lines = TransactionLine.objects.filter(transaction__external_id="1")
    assert set(lines.values_list("date", "administration")) == {(date(2024, 12, 31), administration.pk)}


def test_upserting_the_same_transactions_again_changes_nothing(administration):
    transactions = [sale("1"), sale("2"), journal("3", "5.00", "-5.00")]
    transactions_upsert(administration=administration, transactions=transactions)
    line_ids = set(TransactionLine.objects.values_list("pk", flat=True))

    counts = transactions_upsert(administration=administration, transactions=transactions)

    assert counts == WriteCounts(unchanged=3)
    assert set(TransactionLine.objects.values_list("pk", flat=True)) == line_ids


def test_upserting_the_same_transactions_again_rewrites_no_row(administration, row_versions):
    transactions = [sale(str(n)) for n in range(20)]
    transactions_upsert(administration=administration, transactions=transactions)
    before = (row_versions(Transaction), row_versions(TransactionLine))

    transactions_upsert(administration=administration, transactions=transactions, batch_lines=7)

    assert (row_versions(Transaction), row_versions(TransactionLine)) == before


def test_an_unchanged_amount_written_with_another_number_of_places_is_unchanged(administration):
    transactions_upsert(administration=administration, transactions=[journal("1", "5.1", "-5.1")])

    counts = transactions_upsert(administration=administration, transactions=[journal("1", "5.10", "-5.10")])

    assert counts == WriteCounts(unchanged=1)


def test_a_changed_transaction_gets_exactly_its_new_lines(administration):
    transactions_upsert(administration=administration, transactions=[journal("1", "10.00", "-4.00", "-6.00")])

    counts = transactions_upsert(
        administration=administration, transactions=[journal("1", "12.00", "-12.00", fingerprint="fp2")]
    )

    assert counts == WriteCounts(changed=1)
    assert _lines(administration, "1") == [(1, "bank", Decimal("12.00")), (2, "revenue", Decimal("-12.00"))]


def test_a_changed_transaction_rewrites_only_itself(administration, row_versions):
    transactions_upsert(administration=administration, transactions=[sale("1"), sale("2")])
    untouched = Transaction.objects.get(external_id="2").pk
    before = row_versions(Transaction)[untouched]

    transactions_upsert(administration=administration, transactions=[sale("1", amount="242.00"), sale("2")])

    assert row_versions(Transaction)[untouched] == before


def test_a_changed_line_is_found_even_when_the_fingerprint_is_the_same(administration):
    transactions_upsert(administration=administration, transactions=[journal("1", "10.00", "-10.00")])

    counts = transactions_upsert(administration=administration, transactions=[journal("1", "11.00", "-11.00")])

    assert counts == WriteCounts(changed=1)
    assert _lines(administration, "1")[0] == (1, "bank", Decimal("11.00"))


def test_a_new_fingerprint_alone_counts_as_a_change_and_is_stored(administration):
    transactions_upsert(administration=administration, transactions=[sale("1", fingerprint="a")])

    counts = transactions_upsert(administration=administration, transactions=[sale("1", fingerprint="b")])

    assert counts == WriteCounts(changed=1)
    assert Transaction.objects.get(external_id="1").fingerprint == "b"


def test_a_new_date_moves_the_lines_with_the_transaction(administration):
    transactions_upsert(administration=administration, transactions=[sale("1", day=date(2025, 1, 31))])

    transactions_upsert(administration=administration, transactions=[sale("1", day=date(2025, 2, 1))])

    assert set(TransactionLine.objects.values_list("date", flat=True)) == {date(2025, 2, 1)}


def test_an_unbalanced_transaction_is_kept_and_flagged_with_its_difference(administration):
    transactions_upsert(administration=administration, transactions=[journal("1", "10.00", "-9.99"), sale("2")])

    flagged = Transaction.objects.get(external_id="1")
    assert (flagged.imbalance, flagged.is_balanced) == (Decimal("0.01"), False)
    assert len(_lines(administration, "1")) == 2
    assert Transaction.objects.get(external_id="2").is_balanced


def test_amounts_stay_exact_where_floating_point_would_not(administration):
    transactions_upsert(administration=administration, transactions=[journal("1", "0.10", "0.20", "-0.30")])

    stored = Transaction.objects.get(external_id="1")
    assert stored.imbalance == Decimal("0.00")
    assert [amount for *_, amount in _lines(administration, "1")] == [
        Decimal("0.10"),
        Decimal("0.20"),
        Decimal("-0.30"),
    ]


def test_the_opening_balance_is_one_transaction_with_a_line_per_account(administration):
    opening = TransactionRecord(
        external_id="opening-balance",
        transaction_type=TransactionType.OPENING_BALANCE,
        date=date(2025, 1, 1),
        fingerprint="opening",
        lines=(
            LineRecord(account_external_id="bank", amount=Decimal("1000.00")),
            LineRecord(account_external_id="debtors", amount=Decimal("250.00")),
            LineRecord(account_external_id="creditors", amount=Decimal("-1250.00")),
        ),
    )

    transactions_upsert(administration=administration, transactions=[opening])
    transactions_upsert(administration=administration, transactions=[opening])

    assert Transaction.objects.filter(external_id="opening-balance").count() == 1
    assert len(_lines(administration, "opening-balance")) == 3


def test_the_last_of_two_records_with_one_id_wins(administration):
    counts = transactions_upsert(
        administration=administration, transactions=[sale("1", amount="10.00"), sale("1", amount="20.00")]
    )

    assert counts == WriteCounts(new=1)
    assert _lines(administration, "1")[0][2] == Decimal("20.00")


def test_many_transactions_are_written_in_batches_without_loss(administration):
    transactions = (sale(str(n)) for n in range(50))

    counts = transactions_upsert(administration=administration, transactions=transactions, batch_lines=10)

    assert counts == WriteCounts(new=50)
    assert TransactionLine.objects.filter(administration=administration).count() == 150


def test_an_unknown_account_is_refused_and_nothing_of_the_batch_is_written(administration):
    bad = replace(journal("2", "1.00", "-1.00"), lines=(LineRecord(account_external_id="9999", amount=Decimal(1)),))

    with pytest.raises(UnknownReferenceError, match="'9999'"):
        transactions_upsert(administration=administration, transactions=[sale("1"), bad])

    assert not Transaction.objects.exists()


def test_an_other_administrations_account_is_unknown(administration, other_administration):
    with pytest.raises(UnknownReferenceError):
        transactions_upsert(administration=administration, transactions=[sale("1", relation="rel-9")])


def test_line_relations_and_cost_centres_are_stored(administration):
    record = replace(
        journal("1"),
        lines=(
            LineRecord(
                account_external_id="bank",
                amount=Decimal("5.00"),
                relation_external_id="rel-2",
                cost_center_external_id="cc-1",
            ),
            LineRecord(account_external_id="revenue", amount=Decimal("-5.00")),
        ),
    )

    transactions_upsert(administration=administration, transactions=[record])

    first = TransactionLine.objects.get(line_number=1)
    assert (first.relation.external_id, first.cost_center.external_id) == ("rel-2", "cc-1")


def test_delete_missing_removes_transactions_the_window_no_longer_lists(administration):
    transactions_upsert(
        administration=administration, transactions=[sale("1", day=date(2025, 3, 1)), sale("2", day=date(2025, 3, 31))]
    )

    counts = transactions_delete_missing(
        administration=administration,
        window_start=date(2025, 3, 1),
        window_end=date(2025, 3, 31),
        seen_external_ids={"2"},
    )

    assert counts == WriteCounts(deleted=1)
    assert list(Transaction.objects.values_list("external_id", flat=True)) == ["2"]
    assert not TransactionLine.objects.filter(transaction__external_id="1").exists()


def test_delete_missing_told_what_the_window_held_reads_only_that(administration, django_assert_num_queries):
    transactions_upsert(
        administration=administration,
        transactions=[sale(n, day=date(2025, 3, day)) for n, day in (("1", 1), ("2", 10), ("3", 31))],
    )
    window = {"window_start": date(2025, 3, 1), "window_end": date(2025, 3, 31)}

    # A first import's window held nothing: nothing is read, only the set-aside records are forgotten.
    with django_assert_num_queries(3):
        counts = transactions_delete_missing(
            administration=administration, **window, seen_external_ids={"1", "2", "3"}, stored_before=()
        )
    assert counts == WriteCounts()

    # Held "1" to "3", lists "2": "1" and "3" go, a transaction written since ("4") is not the caller's to judge.
    transactions_upsert(administration=administration, transactions=[sale("4", day=date(2025, 3, 5))])
    counts = transactions_delete_missing(
        administration=administration, **window, seen_external_ids={"2"}, stored_before=["1", "2", "3"]
    )

    assert counts == WriteCounts(deleted=2)
    assert sorted(Transaction.objects.values_list("external_id", flat=True)) == ["2", "4"]


def test_delete_missing_leaves_transactions_outside_the_window_alone(administration):
    transactions_upsert(
        administration=administration,
        transactions=[sale("feb", day=date(2025, 2, 28)), sale("apr", day=date(2025, 4, 1))],
    )

    counts = transactions_delete_missing(
        administration=administration, window_start=date(2025, 3, 1), window_end=date(2025, 3, 31), seen_external_ids=()
    )

    assert counts == WriteCounts()
    assert Transaction.objects.count() == 2


def test_delete_missing_leaves_other_administrations_alone(administration, other_administration):
    transactions_upsert(administration=other_administration, transactions=[sale("1")])

    transactions_delete_missing(
        administration=administration,
        window_start=date(2025, 1, 1),
        window_end=date(2025, 12, 31),
        seen_external_ids=(),
    )

    assert Transaction.objects.filter(administration=other_administration).count() == 1


def test_a_transactions_own_payment_term_is_stored_and_a_new_one_is_a_change(administration):
    transactions_upsert(administration=administration, transactions=[replace(sale("1"), payment_term_days=14)])

    counts = transactions_upsert(administration=administration, transactions=[replace(sale("1"), payment_term_days=30)])

    assert counts == WriteCounts(changed=1)
    assert Transaction.objects.get(external_id="1").payment_term_days == 30
