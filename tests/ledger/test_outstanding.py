"""Open items: each side replaced as a whole; a daily snapshot of them, recorded once per day."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from ledger.models import OutstandingItem, OutstandingSide, OutstandingSnapshot
from ledger.services import UnknownReferenceError, WriteCounts, outstanding_items_replace, outstanding_snapshot_record

from .factories import open_item

pytestmark = pytest.mark.django_db

RECEIVABLE = OutstandingSide.RECEIVABLE
PAYABLE = OutstandingSide.PAYABLE


def _open(administration, side) -> dict[str, Decimal]:
    items = OutstandingItem.objects.filter(administration=administration, side=side)
    return dict(items.values_list("external_id", "outstanding"))


def test_replace_stores_the_open_items_of_a_side(administration):
    counts = outstanding_items_replace(
        administration=administration, side=RECEIVABLE, items=[open_item("1"), open_item("2", outstanding="40.00")]
    )

    assert counts == WriteCounts(new=2)
    assert _open(administration, RECEIVABLE) == {"1": Decimal("100.00"), "2": Decimal("40.00")}


def test_replace_removes_items_no_longer_open_and_updates_the_rest(administration):
    outstanding_items_replace(administration=administration, side=RECEIVABLE, items=[open_item("1"), open_item("2")])

    counts = outstanding_items_replace(
        administration=administration, side=RECEIVABLE, items=[open_item("2", outstanding="25.00"), open_item("3")]
    )

    assert counts == WriteCounts(new=1, changed=1, deleted=1)
    assert _open(administration, RECEIVABLE) == {"2": Decimal("25.00"), "3": Decimal("100.00")}


def test_replace_of_one_side_leaves_the_other_side_alone(administration):
    outstanding_items_replace(administration=administration, side=PAYABLE, items=[open_item("1")])

    outstanding_items_replace(administration=administration, side=RECEIVABLE, items=[])

    assert _open(administration, PAYABLE) == {"1": Decimal("100.00")}


def test_one_external_id_may_be_open_on_both_sides(administration):
    outstanding_items_replace(administration=administration, side=PAYABLE, items=[open_item("1")])
    outstanding_items_replace(administration=administration, side=RECEIVABLE, items=[open_item("1")])

    assert OutstandingItem.objects.filter(external_id="1").count() == 2


def test_replace_with_the_same_items_changes_nothing(administration, row_versions):
    items = [open_item(str(n)) for n in range(5)]
    outstanding_items_replace(administration=administration, side=RECEIVABLE, items=items)
    before = row_versions(OutstandingItem)

    counts = outstanding_items_replace(administration=administration, side=RECEIVABLE, items=items, batch_size=2)

    assert counts == WriteCounts(unchanged=5)
    assert row_versions(OutstandingItem) == before


def test_replace_keeps_an_item_without_due_date_or_relation(administration):
    item = replace(open_item("1", relation=None), due_date=None)

    outstanding_items_replace(administration=administration, side=RECEIVABLE, items=[item])

    assert OutstandingItem.objects.values_list("relation", "due_date").get() == (None, None)


def test_replace_refuses_an_unknown_relation_and_keeps_the_old_list(administration):
    outstanding_items_replace(administration=administration, side=RECEIVABLE, items=[open_item("1")])

    with pytest.raises(UnknownReferenceError):
        outstanding_items_replace(
            administration=administration, side=RECEIVABLE, items=[open_item("2"), open_item("3", relation="nobody")]
        )

    assert _open(administration, RECEIVABLE) == {"1": Decimal("100.00")}


def test_snapshot_keeps_the_open_items_of_both_sides_as_of_the_day(administration):
    outstanding_items_replace(administration=administration, side=RECEIVABLE, items=[open_item("1")])
    outstanding_items_replace(administration=administration, side=PAYABLE, items=[open_item("9", outstanding="5.00")])

    counts = outstanding_snapshot_record(administration=administration, as_of=date(2025, 4, 1))

    assert counts == WriteCounts(new=2)
    snapshot = OutstandingSnapshot.objects.filter(administration=administration, as_of=date(2025, 4, 1))
    assert set(snapshot.values_list("side", "external_id", "outstanding")) == {
        (RECEIVABLE, "1", Decimal("100.00")),
        (PAYABLE, "9", Decimal("5.00")),
    }


def test_recording_the_same_day_twice_keeps_one_snapshot(administration):
    outstanding_items_replace(administration=administration, side=RECEIVABLE, items=[open_item("1"), open_item("2")])
    outstanding_snapshot_record(administration=administration, as_of=date(2025, 4, 1))

    counts = outstanding_snapshot_record(administration=administration, as_of=date(2025, 4, 1))

    assert counts == WriteCounts(unchanged=2)
    assert OutstandingSnapshot.objects.count() == 2


def test_recording_the_same_day_after_a_payment_takes_the_latest_state(administration):
    outstanding_items_replace(administration=administration, side=RECEIVABLE, items=[open_item("1"), open_item("2")])
    outstanding_snapshot_record(administration=administration, as_of=date(2025, 4, 1))
    outstanding_items_replace(
        administration=administration, side=RECEIVABLE, items=[open_item("2", outstanding="1.00")]
    )

    counts = outstanding_snapshot_record(administration=administration, as_of=date(2025, 4, 1))

    assert counts == WriteCounts(changed=1, deleted=1)
    assert dict(OutstandingSnapshot.objects.values_list("external_id", "outstanding")) == {"2": Decimal("1.00")}


def test_a_new_days_snapshot_leaves_earlier_days_as_they_were(administration):
    outstanding_items_replace(administration=administration, side=RECEIVABLE, items=[open_item("1")])
    outstanding_snapshot_record(administration=administration, as_of=date(2025, 4, 1))
    outstanding_items_replace(administration=administration, side=RECEIVABLE, items=[])

    outstanding_snapshot_record(administration=administration, as_of=date(2025, 4, 2))

    assert list(OutstandingSnapshot.objects.values_list("as_of", "external_id")) == [(date(2025, 4, 1), "1")]


def test_a_replace_that_changes_the_items_says_so_on_the_administration(administration):
    """``outstanding_changed_at`` is what a page figured from the open items (the cash forecast) is kept until."""

    def changed_at():
        administration.refresh_from_db()
        return administration.outstanding_changed_at

    assert changed_at() is None
    outstanding_items_replace(administration=administration, side=RECEIVABLE, items=[open_item("1")])
    first = changed_at()
    assert first is not None

    outstanding_items_replace(administration=administration, side=RECEIVABLE, items=[open_item("1")])
    assert changed_at() == first  # the same items: nothing to figure again

    for items in ([open_item("1", outstanding="60.00")], [open_item("1", outstanding="60.00"), open_item("2")], []):
        before = changed_at()
        outstanding_items_replace(administration=administration, side=RECEIVABLE, items=items)
        assert changed_at() > before  # changed, added, deleted
