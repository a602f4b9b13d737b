"""A sync run's changes in words: per kind of record, never one sum of unlike things, numbers in the language."""

from __future__ import annotations

from django.utils import translation

from integrations.summary import run_changes


def test_counts_each_kind_apart_in_one_order_and_adds_up_streams_of_one_kind():
    counts = {
        "outstanding_items": {"records": "open_items", "new": 4, "changed": 0},
        "open_item_terms": {"records": "open_items", "new": 0, "changed": 7},
        "month_balances": {"records": "month_balances", "new": 1},
        "relations": {"records": "relations", "new": 2, "set_aside": 1},
        "outstanding_items_again": {"records": "open_items", "changed": 2},
    }

    with translation.override("en"):
        assert run_changes(counts) == (
            "New: 2 relations, 4 open items, 1 balance per month; changed: 9 open items; set aside: 1 relation"
        )


def test_a_stream_without_a_kind_is_named_by_its_label():
    with translation.override("en"):
        assert run_changes({"journal": {"label": "Journal entries", "deleted": 2}}) == "Deleted: Journal entries: 2"


def test_counts_are_written_in_the_language():
    counts = {"mutations": {"records": "transactions", "new": 1562}}
    with translation.override("nl"):
        assert "1.562" in run_changes(counts)
    with translation.override("en"):
        assert "1,562 transactions" in run_changes(counts)


def test_a_run_that_changed_nothing_says_so():
    assert run_changes({"mutations": {"records": "transactions", "new": 0, "unchanged": 9}}) == "no changes"
    assert run_changes(None) == "no changes"
