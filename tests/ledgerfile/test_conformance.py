"""The Ledger file provider passes the provider conformance suite: its "credentials" are the upload, its source
the administration's latest upload, and a change at the source is a new upload of the corrected file."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from decimal import Decimal

import pytest

from integrations.testing import Books, ProviderConformance, StoredRecord
from ledger.models import Administration, Transaction
from ledgerfile.models import LedgerUpload
from ledgerfile.reading import Source
from ledgerfile.services import upload_store

from . import books as book_files
from .conftest import IMPORTED_AT


def _upload(administration: Administration, year: book_files.Books, *, journal: bytes | None = None) -> LedgerUpload:
    """Store a new latest upload of the administration's books, as a corrected file replaces the last one."""
    return upload_store(
        organization=administration.organization,
        external_id=administration.external_id,
        administration_name=administration.name,
        journal=Source.from_bytes("ledger.csv", journal if journal is not None else book_files.default_csv(year)),
        open_items=Source.from_bytes("open-items.csv", book_files.open_items_csv(year)),
    )


def _entry(year: book_files.Books, description: str) -> str:
    return next(line.entry for line in year.lines if line.description.startswith(description))


class TestLedgerFile(ProviderConformance):
    provider_key = "ledger_file"
    has_secret = False  # the upload itself: nothing to keep from anyone's eyes
    moment = IMPORTED_AT

    @pytest.fixture
    def books(self, conformance_organization, year) -> Books:
        credentials = {
            "organization": conformance_organization,
            "user": None,
            "administration_name": "Acme books",
            "journal": Source.from_bytes("ledger.csv", book_files.default_csv(year)),
            "open_items": Source.from_bytes("open-items.csv", book_files.open_items_csv(year)),
            "columns": {},
        }
        return Books(credentials, external_id=None, source=year)

    def invalid_credentials(self, books: Books) -> dict:
        # The year's file with one line left out: its entry no longer balances.
        year: book_files.Books = books.source
        unbalanced = dataclasses.replace(year, lines=year.lines[:-1])
        return {**books.credentials, "journal": Source.from_bytes("ledger.csv", book_files.default_csv(unbalanced))}

    def edit_record(self, books: Books, administration: Administration) -> StoredRecord:
        year: book_files.Books = books.source
        salary = _entry(year, "Salarissen 03-2025")
        raised = Decimal("100.00")
        lines = [
            dataclasses.replace(line, amount=line.amount + (raised if line.amount > 0 else -raised))
            if line.entry == salary
            else line
            for line in year.lines
        ]
        _upload(administration, dataclasses.replace(year, lines=lines))
        return StoredRecord(Transaction, {"external_id": salary})

    def delete_record(self, books: Books, administration: Administration) -> StoredRecord:
        year: book_files.Books = books.source
        fee = _entry(year, "Kosten zakelijke rekening")
        _upload(administration, dataclasses.replace(year, lines=[line for line in year.lines if line.entry != fee]))
        return StoredRecord(Transaction, {"external_id": fee})

    def source_failures(self, books: Books) -> dict[str, contextlib.AbstractContextManager[None]]:
        return {"unreadable upload": self._unreadable_upload(books)}

    @contextlib.contextmanager
    def _unreadable_upload(self, books: Books) -> Iterator[None]:
        # The latest upload no longer reads as a ledger (as a change of Monitr's rules could make it); once it is
        # gone, the upload before it is the latest again.
        administration = Administration.objects.get(
            organization=books.credentials["organization"], provider=self.provider_key
        )
        unreadable = _upload(administration, books.source, journal=b"\x00\x01 not a ledger \xff\xfe")
        try:
            yield
        finally:
            unreadable.delete()
