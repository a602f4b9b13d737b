"""The totals recorded with each daily snapshot, per side: what the Outstanding Items history and comparison read."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from ledger.models import OutstandingSide, OutstandingSnapshotTotal
from ledger.services import administration_delete, outstanding_items_replace, outstanding_snapshot_record

from .factories import open_item

pytestmark = pytest.mark.django_db

RECEIVABLE = OutstandingSide.RECEIVABLE
PAYABLE = OutstandingSide.PAYABLE
DAY = date(2025, 4, 1)


def _totals(administration, as_of: date = DAY) -> dict[str, tuple[Decimal, Decimal, int]]:
    rows = OutstandingSnapshotTotal.objects.filter(administration=administration, as_of=as_of)
    return {
        side: (total, overdue, items)
        for side, total, overdue, items in rows.values_list("side", "total", "overdue", "items")
    }


def test_a_snapshot_records_each_sides_total_the_part_overdue_that_day_and_the_items(administration):
    outstanding_items_replace(
        administration=administration,
        side=RECEIVABLE,
        items=[
            open_item("1", outstanding="100.00"),  # due 2025-03-31: overdue on 1 April
            open_item("2", outstanding="40.50", due=date(2025, 4, 30)),  # not yet due
            open_item("3", outstanding="7.25", due=DAY),  # due that very day: not overdue
            replace(open_item("4", outstanding="10.00"), due_date=None),  # no due date: aged from 1 March
        ],
    )
    outstanding_items_replace(administration=administration, side=PAYABLE, items=[open_item("9", outstanding="5.00")])

    outstanding_snapshot_record(administration=administration, as_of=DAY)

    assert _totals(administration) == {
        RECEIVABLE: (Decimal("157.75"), Decimal("110.00"), 4),
        PAYABLE: (Decimal("5.00"), Decimal("5.00"), 1),
    }


def test_recording_the_day_again_replaces_its_totals_and_a_side_with_nothing_open_has_none(administration):
    outstanding_items_replace(administration=administration, side=RECEIVABLE, items=[open_item("1"), open_item("2")])
    outstanding_items_replace(administration=administration, side=PAYABLE, items=[open_item("9")])
    outstanding_snapshot_record(administration=administration, as_of=DAY)
    outstanding_items_replace(
        administration=administration, side=RECEIVABLE, items=[open_item("2", outstanding="1.00")]
    )
    outstanding_items_replace(administration=administration, side=PAYABLE, items=[])

    outstanding_snapshot_record(administration=administration, as_of=DAY)

    assert _totals(administration) == {RECEIVABLE: (Decimal("1.00"), Decimal("1.00"), 1)}


def test_another_days_totals_are_left_as_they_were(administration):
    outstanding_items_replace(administration=administration, side=RECEIVABLE, items=[open_item("1")])
    outstanding_snapshot_record(administration=administration, as_of=DAY)
    outstanding_items_replace(administration=administration, side=RECEIVABLE, items=[])

    outstanding_snapshot_record(administration=administration, as_of=date(2025, 4, 2))

    assert _totals(administration) == {RECEIVABLE: (Decimal("100.00"), Decimal("100.00"), 1)}
    assert _totals(administration, date(2025, 4, 2)) == {}


def test_deleting_the_administration_deletes_its_totals(administration):
    outstanding_items_replace(administration=administration, side=RECEIVABLE, items=[open_item("1")])
    outstanding_snapshot_record(administration=administration, as_of=DAY)

    administration_delete(administration=administration)

    assert not OutstandingSnapshotTotal.objects.exists()
