"""The size limit: a file at the limit imports in bounded memory; a larger one is refused before it is read."""

from __future__ import annotations

import tracemalloc

import pytest

from ledger.models import Transaction
from ledgerfile.book import LedgerFile, check
from ledgerfile.reading import Source
from ledgerfile.report import FileRefused

from .big import write_entries, write_journal
from .conftest import connect, imported, nothing_written

pytestmark = pytest.mark.django_db


def _peak(action) -> int:
    """The most memory Python held while ``action`` ran, in bytes."""
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_reading_streams_the_rows(tmp_path):
    """Checking a journal and reading all its transactions never holds a copy of it: with the same entries, a file
    five times as large (longer descriptions) needs about the same memory; what the check keeps grows with the
    number of entries (their numbers), not with the rows or the bytes."""
    narrow, wide = tmp_path / "narrow.csv", tmp_path / "wide.csv"
    narrow_size = write_entries(narrow, 4_000)
    wide_size = write_entries(wide, 4_000, pad=300)
    assert wide_size > 5 * narrow_size

    def read_all(path):
        def action():
            with LedgerFile(path) as ledger:
                assert ledger.report.ok
                for _ in ledger.transaction_records():
                    pass

        return action

    narrow_peak, wide_peak = _peak(read_all(narrow)), _peak(read_all(wide))

    assert wide_peak < wide_size / 4
    assert wide_peak < narrow_peak + 500_000


def test_a_file_one_byte_over_the_limit_is_refused(organization, enqueued, settings, tmp_path):
    settings.LEDGER_FILE_MAX_BYTES = 200_000
    path = tmp_path / "ledger.csv"
    write_journal(path, 200_001)

    with pytest.raises(FileRefused) as refused:
        connect(organization, Source.from_path(path))

    assert refused.value.report.problems[0].message.startswith("The file is 0.2 MB, more than the 0.2 MB Monitr reads.")
    assert nothing_written()


def test_a_file_at_the_limit_is_read(settings, tmp_path):
    settings.LEDGER_FILE_MAX_BYTES = 200_000
    path = tmp_path / "ledger.csv"
    entries = write_journal(path, 200_000)

    checked = check(path)

    assert checked.ok, checked.report.text()
    assert checked.summary.entries == entries


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_a_file_of_the_default_limit_imports(organization, enqueued, settings, tmp_path):
    """The default limit, 50 MB: connected, synced and stored whole (a few minutes)."""
    path = tmp_path / "ledger.csv"
    entries = write_journal(path, settings.LEDGER_FILE_MAX_BYTES)

    connection = connect(organization, Source.from_path(path))
    run = imported(connection)

    assert run.counts["transactions"]["new"] == entries
    assert Transaction.objects.filter(administration=connection.administration).count() == entries
