"""Recording reconciliation results for the Data checks page."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from ledger.models import Reconciliation, ReconciliationCheck
from ledger.records import ReconciliationRecord
from ledger.services import WriteCounts, reconciliation_record

pytestmark = pytest.mark.django_db

MARCH = date(2025, 3, 1)


def _result(expected: str, actual: str, *, account: str | None = "bank", subject: str = "1000") -> ReconciliationRecord:
    return ReconciliationRecord(
        kind=ReconciliationCheck.LEDGER_MONTH,
        subject=subject,
        period_start=MARCH,
        expected=Decimal(expected),
        actual=Decimal(actual),
        account_external_id=account,
    )


def test_a_result_is_stored_with_its_difference(administration):
    counts = reconciliation_record(administration=administration, results=[_result("100.00", "99.90")])

    stored = Reconciliation.objects.get()
    assert counts == WriteCounts(new=1)
    assert (stored.expected, stored.actual, stored.difference, stored.matches) == (
        Decimal("100.00"),
        Decimal("99.90"),
        Decimal("-0.10"),
        False,
    )
    assert stored.account.external_id == "bank"


def test_the_same_figures_again_are_unchanged_and_keep_their_first_time(administration):
    reconciliation_record(administration=administration, results=[_result("100.00", "100.00")])
    first = Reconciliation.objects.get().recorded_at

    counts = reconciliation_record(administration=administration, results=[_result("100.00", "100.00")])

    assert counts == WriteCounts(unchanged=1)
    assert Reconciliation.objects.get().recorded_at == first


def test_a_month_that_matches_after_a_refetch_replaces_its_earlier_difference(administration):
    reconciliation_record(administration=administration, results=[_result("100.00", "90.00")])

    counts = reconciliation_record(administration=administration, results=[_result("100.00", "100.00")])

    assert counts == WriteCounts(changed=1)
    assert Reconciliation.objects.get().matches


def test_an_account_that_was_not_imported_is_kept_unlinked(administration):
    reconciliation_record(
        administration=administration, results=[_result("5.00", "0.00", account="new", subject="9999")]
    )

    assert Reconciliation.objects.values_list("subject", "account").get() == ("9999", None)


def test_checked_through_removes_earlier_differences_that_are_gone(administration):
    reconciliation_record(
        administration=administration, results=[_result("1.00", "2.00"), _result("1.00", "3.00", subject="8000")]
    )

    counts = reconciliation_record(
        administration=administration, results=[_result("1.00", "3.00", subject="8000")], checked_through=MARCH
    )

    assert counts == WriteCounts(unchanged=1, deleted=1)
    assert list(Reconciliation.objects.values_list("subject", flat=True)) == ["8000"]


def test_checked_through_keeps_results_of_later_periods(administration):
    later = replace(_result("1.00", "2.00"), period_start=date(2025, 4, 1))
    reconciliation_record(administration=administration, results=[later])

    counts = reconciliation_record(administration=administration, results=[], checked_through=MARCH)

    assert counts == WriteCounts()
    assert Reconciliation.objects.count() == 1


def test_without_checked_through_no_result_is_removed(administration):
    reconciliation_record(administration=administration, results=[_result("1.00", "2.00")])

    reconciliation_record(administration=administration, results=[])

    assert Reconciliation.objects.count() == 1
