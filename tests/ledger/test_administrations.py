"""Deleting an administration removes all of its books and nothing of anyone else's."""

from __future__ import annotations

from datetime import date

import pytest

from ledger.models import Account, Administration, OutstandingItem, OutstandingSnapshot, Transaction, TransactionLine
from ledger.records import OutstandingSide
from ledger.services import (
    administration_delete,
    outstanding_items_replace,
    outstanding_snapshot_record,
    transactions_upsert,
)

from .factories import open_item, sale

pytestmark = pytest.mark.django_db


def fill(administration) -> None:
    transactions_upsert(administration=administration, transactions=[sale("1"), sale("2")])
    outstanding_items_replace(administration=administration, side=OutstandingSide.RECEIVABLE, items=[open_item("1")])
    outstanding_snapshot_record(administration=administration, as_of=date(2025, 3, 31))


def test_deleting_an_administration_removes_all_its_books(administration):
    fill(administration)

    administration_delete(administration=administration)

    for model in (Administration, Account, Transaction, TransactionLine, OutstandingItem, OutstandingSnapshot):
        assert not model.objects.exists(), model.__name__


def test_deleting_an_administration_leaves_other_books_alone(administration, other_administration):
    fill(administration)
    fill(other_administration)

    administration_delete(administration=administration)

    assert TransactionLine.objects.filter(administration=other_administration).count() == 6
    assert OutstandingItem.objects.filter(administration=other_administration).count() == 1
