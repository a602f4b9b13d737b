"""The sample files in ledgerfile/samples/ are the test year of books (``python -m tests.ledgerfile.books`` writes
them), and each reads cleanly as the layout it shows."""

from __future__ import annotations

import pytest

from ledgerfile.book import check

from . import books


@pytest.mark.parametrize("name", sorted(books.SAMPLE_FILES))
def test_each_sample_is_the_year_written_by_the_generator(name, year):
    assert (books.SAMPLES / name).read_bytes() == books.SAMPLE_FILES[name](year)


@pytest.mark.parametrize(
    "journal,open_items,columns",
    [
        ("ledger.csv", "open-items.csv", None),
        ("grootboek-nl.csv", None, books.DUTCH_MAPPING),
        ("ledger.xlsx", None, None),
    ],
)
def test_each_sample_reads_cleanly(journal, open_items, columns):
    checked = check(books.SAMPLES / journal, books.SAMPLES / open_items if open_items else None, columns)
    assert checked.ok, checked.report.text()
    assert 100 <= checked.summary.lines <= 400
    assert checked.summary.debit_total == checked.summary.credit_total
