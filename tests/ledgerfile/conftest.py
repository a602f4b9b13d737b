"""Fixtures of the Ledger file suites: the year of books, files written from it, and connecting them."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from integrations.models import Connection, SyncRun
from ledger.models import Administration, Transaction
from ledgerfile.models import LedgerUpload
from ledgerfile.reading import Source
from ledgerfile.services import ledger_file_connect
from tests.connections import sync

from . import books as book_files

# Syncs run as if it were early January after the year of books, as a bookkeeper uploads the year's file.
IMPORTED_AT = dt.datetime(2026, 1, 12, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="session")
def year():
    return book_files.year()


@pytest.fixture
def enqueued(monkeypatch):
    """The syncs queued for the worker (none runs): their arguments."""
    calls: list[tuple] = []
    monkeypatch.setattr("integrations.tasks.sync_connection.delay", lambda *args: calls.append(args))
    return calls


def connect(organization, journal: bytes | Source, open_items: bytes | Source | None = None, **kwargs) -> Connection:
    """Connect the files as a new administration ("Acme books" unless named); no sync runs."""
    journal = journal if isinstance(journal, Source) else Source.from_bytes("ledger.csv", journal)
    if isinstance(open_items, bytes):
        open_items = Source.from_bytes("open-items.csv", open_items)
    return ledger_file_connect(
        organization=organization,
        administration_name=kwargs.pop("name", "Acme books"),
        journal=journal,
        open_items=open_items,
        **kwargs,
    )


def imported(connection: Connection) -> SyncRun:
    """One sync of the connection, at IMPORTED_AT; it must succeed."""
    with time_machine.travel(IMPORTED_AT, tick=False):
        return sync(connection)


def nothing_written() -> bool:
    return not (
        LedgerUpload.objects.exists()
        or Connection.objects.exists()
        or Administration.objects.exists()
        or Transaction.objects.exists()
    )
