"""The ledger's counts of a write, new, changed, deleted and unchanged: the one type a stream and a sync run use."""

from __future__ import annotations

from ledger.services import WriteCounts
from ledger.services.bulk import UpsertOutcome


def test_counts_add_up_and_read_as_a_sync_run_reports_them():
    counts = WriteCounts(new=2, unchanged=5) + WriteCounts(changed=1, deleted=3)

    assert counts == WriteCounts(new=2, changed=1, deleted=3, unchanged=5)
    assert str(counts) == "+2 new, 1 changed, 3 deleted, 5 unchanged"
    assert counts.as_dict() == {"new": 2, "changed": 1, "deleted": 3, "unchanged": 5}


def test_adding_in_place_keeps_the_type_and_takes_an_upsert_outcome():
    counts = WriteCounts(deleted=1)
    outcome = UpsertOutcome(new=3, changed=2, unchanged=7, ids={("a",): (1, True)})

    counts += outcome

    assert counts == WriteCounts(new=3, changed=2, deleted=1, unchanged=7)
    assert type(counts) is WriteCounts
    assert WriteCounts.of(outcome) == WriteCounts(new=3, changed=2, unchanged=7)
