"""The Ledger file provider: books imported from a general ledger file (CSV or XLSX) instead of an API.

"Checking credentials" is checking the upload: :meth:`LedgerFileProvider.check_credentials` takes the upload form's
data (see :mod:`ledgerfile.forms`), reads and checks the files whole, refuses them with
:class:`~ledgerfile.report.FileRefused` (an ``integrations.errors`` error whose message is the report's) when
anything is wrong, stores them, and offers one administration: a new one, under a generated external id, with the
name given. The "secret" is empty; the hint is the file's name. Connecting then goes through
``integrations.services.connection_create`` and the normal sync engine, whose source reads the administration's
latest upload.
"""

from __future__ import annotations

from typing import Any

from integrations.providers import AdministrationChoice, Capability, Category, CredentialsCheck, Provider

from .forms import LedgerFileForm

TRANSPORT = "file"
HINT_LENGTH = 40  # Connection.credentials_hint


def _hint(name: str) -> str:
    return name if len(name) <= HINT_LENGTH else name[: HINT_LENGTH - 1] + "…"


class LedgerFileProvider(Provider):
    key = "ledger_file"
    name = "Ledger file"
    category = Category.ACCOUNTING
    logo = "img/providers/ledger-file.svg"
    description = "A general ledger exported as CSV or Excel from any bookkeeping: journal lines and open items."
    # Open items are there when an open-items file (or sheet) was uploaded; an upload without one has none.
    capabilities = frozenset({Capability.GENERAL_LEDGER, Capability.OUTSTANDING_ITEMS, Capability.COST_CENTRES})
    credentials_form = LedgerFileForm

    def check_credentials(self, cleaned_data: dict[str, Any]) -> CredentialsCheck:
        from .reading import as_source
        from .services import checked_or_refused, new_external_id, upload_store

        journal = as_source(cleaned_data["journal"])
        open_items = cleaned_data.get("open_items")
        open_items = as_source(open_items) if open_items is not None else None
        columns = cleaned_data.get("columns") or {}
        name = cleaned_data["administration_name"].strip()
        checked_or_refused(journal=journal, open_items=open_items, columns=columns)
        external_id = new_external_id()
        upload_store(
            organization=cleaned_data["organization"],
            external_id=external_id,
            administration_name=name,
            journal=journal,
            open_items=open_items,
            columns=columns,
            user=cleaned_data.get("user"),
        )
        return CredentialsCheck(
            secret={},
            hint=_hint(journal.name),
            transport=TRANSPORT,
            administrations=(AdministrationChoice(external_id, name),),
        )

    def open_source(self, *, secret: dict[str, str], transport: str, external_id: str, wait=None):
        from .sync import LedgerFileSource

        return LedgerFileSource(external_id)
