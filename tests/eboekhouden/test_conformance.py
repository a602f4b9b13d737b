"""e-Boekhouden passes the provider conformance suite over both of its ways in: the REST API key and the legacy
SOAP credentials, each against a fresh sandbox administration."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest

from integrations.testing import Books, ProviderConformance, StoredRecord
from ledger.models import Administration, Transaction
from tests.connections import RECENTLY

# The books' latest months, which an incremental sync at RECENTLY reads again (its look-back).
LATEST = dt.date(2025, 11, 1)
# A fault that lasts for the whole of a run.
EVERY = 1_000_000


class EboekhoudenConformance(ProviderConformance):
    provider_key = "eboekhouden"
    moment = RECENTLY

    def credentials(self, info) -> dict[str, str]:
        raise NotImplementedError

    def refused(self, info) -> dict[str, str]:
        raise NotImplementedError

    @pytest.fixture
    def books(self, sandbox_settings, eboekhouden_sandbox, eboekhouden_sandbox_administration) -> Books:
        info = eboekhouden_sandbox_administration
        return Books(self.credentials(info), info.guid, source=(eboekhouden_sandbox, info))

    def invalid_credentials(self, books: Books) -> dict[str, str]:
        _, info = books.source
        return self.refused(info)

    def _latest_invoices(self, books: Books) -> list[dict]:
        sandbox, info = books.source
        return [m for m in sandbox.truth(info.guid, LATEST) if m["id"] and m["type"] in (1, 2)]

    def edit_record(self, books: Books, administration: Administration) -> StoredRecord:
        sandbox, info = books.source
        edited = self._latest_invoices(books)[0]
        rows = [{k: v for k, v in row.items() if k != "vatAmount"} for row in edited["rows"]]
        rows[0]["amount"] = str(Decimal(str(rows[0]["amount"])) + Decimal("10.00"))
        sandbox.edit_mutation(info.guid, edited["id"], {"rows": rows})
        return StoredRecord(Transaction, {"external_id": str(edited["id"])})

    def delete_record(self, books: Books, administration: Administration) -> StoredRecord:
        sandbox, info = books.source
        deleted = self._latest_invoices(books)[1]
        sandbox.delete_mutation(info.guid, deleted["id"])
        return StoredRecord(Transaction, {"external_id": str(deleted["id"])})

    def source_failures(self, books: Books) -> dict[str, contextlib.AbstractContextManager[None]]:
        return {
            # Every answer an HTML error page with status 200, as a proxy in front of the API may give.
            "unreadable answers": self._fault(books, non_json_count=EVERY),
            # Every request refused as unavailable, however often the client tries again.
            "outage": self._fault(books, error_status=503, error_count=EVERY),
        }

    @staticmethod
    @contextlib.contextmanager
    def _fault(books: Books, **fault) -> Iterator[None]:
        sandbox, info = books.source
        sandbox.set_fault(administration=info.guid, **fault)
        try:
            yield
        finally:
            sandbox.clear_faults(administration=info.guid)


class TestEboekhoudenOverRest(EboekhoudenConformance):
    def credentials(self, info) -> dict[str, str]:
        return {"api_key": info.api_token}

    def refused(self, info) -> dict[str, str]:
        return {"api_key": "f3e1d2c4b5a69788" * 3}


class TestEboekhoudenOverSoap(EboekhoudenConformance):
    def credentials(self, info) -> dict[str, str]:
        return {
            "username": info.username,
            "security_code_1": info.security_code_1,
            "security_code_2": info.security_code_2,
        }

    def refused(self, info) -> dict[str, str]:
        return {**self.credentials(info), "security_code_1": "0A1B2C3D4E5F6A7B8C9D"}
