"""The Ledger file provider: books imported from a general ledger file (CSV or XLSX) instead of an API.

"Checking credentials" is checking the upload: :meth:`LedgerFileProvider.check_credentials` takes an upload that
is stored and checked already (``upload``, what the upload pages hand it), or the upload form's data (see
:mod:`ledgerfile.forms`), whose files it reads and checks whole and stores. It refuses an upload with
:class:`~ledgerfile.report.FileRefused` (an ``integrations.errors`` error whose message is the report's) when
anything is wrong, and offers one administration: a new one, under the upload's generated external id, with the
name given. The "secret" and the hint are empty: a connection reads whichever file was uploaded last, and the card
names that one (:meth:`LedgerFileProvider.arrival`) rather than the first. Connecting then goes through
``integrations.services.connection_create`` and the normal sync engine, whose source reads the administration's
latest upload.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from integrations.providers import AdministrationChoice, Arrival, Capability, Category, CredentialsCheck, Provider

from .forms import LedgerFileForm

TRANSPORT = "file"
# The longest file name the card shows whole.
NAME_SHOWN = 40


def _shown(name: str) -> str:
    return name if len(name) <= NAME_SHOWN else name[: NAME_SHOWN - 1] + "…"


class LedgerFileProvider(Provider):
    key = "ledger_file"
    name = _("Ledger file")
    category = Category.ACCOUNTING
    logo = "img/providers/ledger-file.svg"
    description = _("A general ledger exported as CSV or Excel from any bookkeeping: journal lines and open items.")
    # Open items are there when an open-items file (or sheet) was uploaded; an upload without one has none.
    capabilities = frozenset({Capability.GENERAL_LEDGER, Capability.OUTSTANDING_ITEMS, Capability.COST_CENTRES})
    credentials_form = LedgerFileForm
    transports = {TRANSPORT: _("File upload")}
    credentials_noun = _("file")
    credentials_the = _("the file")
    # Its own pages (ledgerfile.urls): the upload instead of the credentials wizard, a corrected file instead of a key.
    add_url_name = "ledgerfile:add"
    update_url_name = "ledgerfile:replace"
    update_label = _("Upload a corrected file")
    # The books change only when a file is uploaded, and each upload starts its sync: a scheduled sync would read the
    # same latest upload again for nothing.
    scheduled = False

    def check_credentials(self, cleaned_data: dict[str, Any]) -> CredentialsCheck:
        from .reading import as_source
        from .services import checked_or_refused, new_external_id, upload_checked, upload_store

        organization = cleaned_data["organization"]
        upload = cleaned_data.get("upload")
        if upload is not None:  # stored and checked already (the upload pages)
            upload_checked(upload, organization)
        else:
            journal = as_source(cleaned_data["journal"])
            open_items = cleaned_data.get("open_items")
            open_items = as_source(open_items) if open_items is not None else None
            columns = cleaned_data.get("columns") or {}
            checked = checked_or_refused(journal=journal, open_items=open_items, columns=columns)
            upload = upload_store(
                organization=organization,
                external_id=new_external_id(),
                administration_name=cleaned_data["administration_name"].strip(),
                journal=journal,
                open_items=open_items,
                columns=columns,
                user=cleaned_data.get("user"),
                checked=checked,
            )
        return CredentialsCheck(
            secret={},
            hint="",
            transport=TRANSPORT,
            administrations=(AdministrationChoice(upload.external_id, upload.administration_name),),
        )

    def arrival(self, administration) -> Arrival | None:
        """The administration's latest file, by its name, and when it was uploaded."""
        from .models import LedgerUpload

        latest = (
            LedgerUpload.objects.filter(
                organization_id=administration.organization_id, external_id=administration.external_id
            )
            .order_by("-uploaded_at", "-pk")
            .values_list("journal_name", "uploaded_at")
            .first()
        )
        if latest is None:
            return None
        name, uploaded_at = latest
        return Arrival(gettext("%(file)s uploaded") % {"file": _shown(name)}, uploaded_at)

    def open_source(
        self,
        *,
        secret: dict[str, str],
        transport: str,
        external_id: str,
        wait=None,
        priority: int = 2,
        since: float | None = None,
    ):
        from .sync import LedgerFileSource

        return LedgerFileSource(external_id)
