"""A stream's counts extend the ledger's with the records set aside; a sync run stores them and adds them up."""

from __future__ import annotations

from integrations.models import SyncRun
from integrations.sync.base import SET_ASIDE_LISTED, StreamCounts
from ledger.services import WriteCounts


def test_a_stream_adds_a_write_services_counts_and_another_streams_set_aside_records():
    counts = StreamCounts()
    counts += WriteCounts(new=4, deleted=1)
    counts += StreamCounts(unchanged=2, set_aside=1, set_aside_records=[{"record": "M-1", "reason": "date"}])

    assert counts.as_dict() == {
        "new": 4,
        "changed": 0,
        "deleted": 1,
        "unchanged": 2,
        "set_aside": 1,
        "set_aside_records": [{"record": "M-1", "reason": "date"}],
    }
    assert StreamCounts.of(WriteCounts(changed=3)).as_dict() == {"new": 0, "changed": 3, "deleted": 0, "unchanged": 0}


def test_a_stream_lists_only_the_first_records_set_aside():
    many = [{"record": f"M-{n}", "reason": "date"} for n in range(SET_ASIDE_LISTED + 5)]
    counts = StreamCounts(set_aside=3, set_aside_records=many[:3])

    counts += StreamCounts(set_aside=len(many), set_aside_records=many)

    assert counts.set_aside == len(many) + 3
    assert counts.set_aside_records == many[:3] + many[: SET_ASIDE_LISTED - 3]


def test_a_sync_runs_totals_add_its_streams_stored_counts():
    run = SyncRun(
        counts={
            "ledgers": {"new": 1, "changed": 0, "deleted": 0, "unchanged": 9},
            "mutations": {"new": 5, "changed": 2, "deleted": 1, "unchanged": 0, "set_aside": 1},
            "older": {"new": 1},  # a count missing from what an earlier version stored is 0
        }
    )

    assert run.totals == {"new": 7, "changed": 2, "deleted": 1, "unchanged": 9}
    assert SyncRun(counts={}).totals == {"new": 0, "changed": 0, "deleted": 0, "unchanged": 0}
