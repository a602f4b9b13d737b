"""Records an import set aside: the write services hand over what names rows not stored, and the list of set-aside
records follows what is stored, what the source no longer lists, and which organisation owns it."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.models import OutstandingItem, OutstandingSide, SetAsideKind, SetAsideRecord, Transaction
from ledger.records import SetAsideEntry
from ledger.services import (
    outstanding_items_replace,
    set_aside_record,
    set_aside_replace,
    transactions_delete_missing,
    transactions_upsert,
)

from .factories import open_item, sale

pytestmark = pytest.mark.django_db

TRANSACTION = SetAsideKind.TRANSACTION


def entry(external_id: str, *, kind: SetAsideKind = TRANSACTION, day: date | None = date(2025, 3, 14)):
    return SetAsideEntry(kind=kind, external_id=external_id, reason="A value out of range.", record_date=day)


def _set_aside(administration, kind: SetAsideKind = TRANSACTION) -> set[str]:
    return set(
        SetAsideRecord.objects.filter(administration=administration, kind=kind).values_list("external_id", flat=True)
    )


def test_a_transaction_naming_a_relation_not_stored_is_handed_over_and_the_rest_is_written(administration):
    refused = []

    transactions_upsert(
        administration=administration,
        transactions=[sale("1"), sale("2", relation="rel-gone"), sale("3")],
        refuse=lambda record, reason: refused.append((record.external_id, reason)),
    )

    assert set(Transaction.objects.filter(administration=administration).values_list("external_id", flat=True)) == {
        "1",
        "3",
    }
    assert refused == [
        ("2", "It refers to relation rel-gone, which Monitr has not imported (set aside too, or not in the source).")
    ]


def test_storing_a_transaction_removes_its_set_aside_entry(administration):
    set_aside_record(administration=administration, entries=[entry("1"), entry("2")])

    transactions_upsert(administration=administration, transactions=[sale("1")])

    assert _set_aside(administration) == {"2"}


def test_a_set_aside_transaction_the_source_no_longer_lists_is_forgotten(administration):
    set_aside_record(administration=administration, entries=[entry("1"), entry("2"), entry("9", day=date(2025, 5, 1))])

    transactions_delete_missing(
        administration=administration,
        window_start=date(2025, 3, 1),
        window_end=date(2025, 3, 31),
        seen_external_ids={"2"},
    )

    assert _set_aside(administration) == {"2", "9"}


def test_an_open_item_naming_a_relation_not_stored_is_handed_over(administration):
    refused = []

    outstanding_items_replace(
        administration=administration,
        side=OutstandingSide.RECEIVABLE,
        items=[open_item("1"), open_item("2", relation="nobody")],
        refuse=lambda item, reason: refused.append(item.external_id),
    )

    assert list(
        OutstandingItem.objects.filter(administration=administration).values_list("external_id", flat=True)
    ) == ["1"]
    assert refused == ["2"]


def test_a_full_refresh_keeps_only_the_entries_it_set_aside_again(administration):
    relation = SetAsideKind.RELATION
    set_aside_record(administration=administration, entries=[entry("1", kind=relation), entry("2", kind=relation)])
    set_aside_record(administration=administration, entries=[entry("7")])

    set_aside_replace(administration=administration, kind=relation, entries=[entry("2", kind=relation)])

    assert _set_aside(administration, relation) == {"2"}
    assert _set_aside(administration) == {"7"}


def test_setting_aside_again_keeps_when_it_was_first_seen_and_updates_the_reason(administration):
    set_aside_record(administration=administration, entries=[entry("1")])
    first = SetAsideRecord.objects.get(administration=administration)

    changed = SetAsideEntry(kind=TRANSACTION, external_id="1", reason="Another reason.")
    set_aside_record(administration=administration, entries=[changed])

    again = SetAsideRecord.objects.get(administration=administration)
    assert (again.first_seen_at, again.reason) == (first.first_seen_at, "Another reason.")
    assert again.last_seen_at >= first.last_seen_at


def test_set_aside_records_belong_to_their_organisation(administration, other_administration, other_organization):
    set_aside_record(administration=administration, entries=[entry("1")])

    assert not SetAsideRecord.objects.for_organization(other_organization).exists()
    assert SetAsideRecord.objects.for_organization(administration.organization).count() == 1
