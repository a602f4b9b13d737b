"""The bulk machinery under the services: batching, its guard on keys, and batches that commit one by one."""

from __future__ import annotations

from itertools import count

import pytest

from ledger.models import Account, AccountKind
from ledger.records import AccountRecord
from ledger.services import WriteCounts, accounts_upsert
from ledger.services.bulk import Table, batched, upsert

from .factories import AdministrationFactory


def test_batched_reads_its_input_lazily():
    assert next(batched(count(), 3)) == [0, 1, 2]


def test_batched_gives_the_remainder_as_a_last_short_batch():
    assert list(batched(range(5), 2)) == [[0, 1], [2, 3], [4]]


def test_upsert_refuses_fixed_values_that_are_not_part_of_the_key():
    table = Table(model=Account, key=("administration_id", "external_id"), columns=("external_id", "name"))

    with pytest.raises(ValueError, match="key"):
        upsert(table=table, fixed={"name": "x"}, rows=[("1", "x")])


@pytest.mark.django_db(transaction=True)
def test_batches_that_each_commit_stay_idempotent():
    administration = AdministrationFactory()
    chart = [
        AccountRecord(external_id=str(n), code=str(n), name=f"Account {n}", kind=AccountKind.BALANCE_SHEET)
        for n in range(5)
    ]

    first = accounts_upsert(administration=administration, rows=chart, batch_size=2)
    again = accounts_upsert(administration=administration, rows=chart, batch_size=2)

    assert (first, again) == (WriteCounts(new=5), WriteCounts(unchanged=5))
    assert Account.objects.filter(administration=administration).count() == 5
