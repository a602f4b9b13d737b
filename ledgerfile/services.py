"""Storing uploads, and the writes behind the upload pages and the command: connect a file, replace a file.

Public interface:

- :func:`upload_check`: read and check an upload (nothing stored); a :class:`~ledgerfile.book.Checked`.
- :func:`ledger_file_connect`: check, store and connect a new administration in one call (what the upload page's
  Import does); raises :class:`~ledgerfile.report.FileRefused` (with ``.report``) for a bad file, and
  ``integrations.services.ConnectionRefused`` / ``SyncUnavailable`` as ``connection_create`` does.
- :func:`upload_replace`: a corrected file for a connected administration: check, store, and sync
  (``sync=False`` leaves the sync to the caller, as the command does to run it in-process).
- :func:`upload_store`, :func:`upload_latest`, :func:`upload_sources`: the stored files themselves.
- :func:`administration_by_name`: the organisation's ledger-file administration of that name, if any.

The checks run before anything is stored; a file with any problem stores nothing. Each administration keeps its
:data:`KEEP_UPLOADS` latest uploads (the latest is what every sync reads); an upload whose administration was never
connected (the wizard was left) is deleted after a day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
from collections.abc import Mapping
from typing import IO, Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from integrations.models import Connection
from integrations.services import ConnectionRefused, connection_create, connection_sync_now
from ledger.models import Administration
from monitr.tenancy.models import Organization

from .book import Checked, check
from .models import PIECE, FilePart, LedgerUpload, LedgerUploadPiece
from .reading import Source, as_source
from .report import FileRefused

PROVIDER_KEY = "ledger_file"
KEEP_UPLOADS = 3
ABANDONED_AFTER = dt.timedelta(days=1)


def upload_check(*, journal: Any, open_items: Any | None = None, columns: Mapping[str, str] | None = None) -> Checked:
    """Read and check the files; nothing is stored."""
    return check(journal, open_items, columns)


def checked_or_refused(*, journal: Any, open_items: Any | None, columns: Mapping[str, str] | None) -> Checked:
    """The check of the files; raises :class:`FileRefused` carrying the report when it found any problem."""
    checked = upload_check(journal=journal, open_items=open_items, columns=columns)
    if not checked.ok:
        raise FileRefused(report=checked.report)
    return checked


@transaction.atomic
def upload_store(
    *,
    organization: Organization,
    external_id: str,
    administration_name: str,
    journal: Any,
    open_items: Any | None = None,
    columns: Mapping[str, str] | None = None,
    user=None,
) -> LedgerUpload:
    """Store the files (already checked) as the latest upload of the administration ``external_id``."""
    journal_source = as_source(journal)
    open_items_source = as_source(open_items) if open_items is not None else None
    upload = LedgerUpload.objects.create(
        organization=organization,
        external_id=external_id,
        administration_name=administration_name,
        columns=dict(columns or {}),
        journal_name=journal_source.name[:255],
        journal_size=journal_source.size,
        journal_sha256="",
        open_items_name=open_items_source.name[:255] if open_items_source else "",
        open_items_size=open_items_source.size if open_items_source else None,
        uploaded_by=user if getattr(user, "pk", None) else None,
    )
    upload.journal_sha256 = _store_pieces(upload, FilePart.JOURNAL, journal_source)
    fields = ["journal_sha256"]
    if open_items_source is not None:
        upload.open_items_sha256 = _store_pieces(upload, FilePart.OPEN_ITEMS, open_items_source)
        fields.append("open_items_sha256")
    upload.save(update_fields=fields)
    _prune(organization=organization, external_id=external_id)
    return upload


def _store_pieces(upload: LedgerUpload, part: str, source: Source) -> str:
    digest = hashlib.sha256()
    with source.open() as stream:
        number = 0
        while piece := stream.read(PIECE):
            digest.update(piece)
            LedgerUploadPiece.objects.create(upload=upload, part=part, number=number, data=piece)
            number += 1
    return digest.hexdigest()


def _prune(*, organization: Organization, external_id: str) -> None:
    uploads = LedgerUpload.objects.for_organization(organization)
    old = uploads.filter(external_id=external_id).order_by("-uploaded_at", "-pk").values_list("pk", flat=True)
    stale = list(old[KEEP_UPLOADS:])
    connected = Administration.objects.filter(
        organization=organization, provider=PROVIDER_KEY, external_id=OuterRef("external_id")
    )
    abandoned = uploads.filter(uploaded_at__lt=timezone.now() - ABANDONED_AFTER).exclude(Exists(connected))
    stale += list(abandoned.values_list("pk", flat=True))
    if stale:
        LedgerUploadPiece.objects.filter(upload_id__in=stale).delete()
        LedgerUpload.objects.filter(pk__in=stale).delete()


def upload_latest(*, organization: Organization, external_id: str) -> LedgerUpload | None:
    """The administration's latest upload: what a sync reads."""
    return (
        LedgerUpload.objects.for_organization(organization)
        .filter(external_id=external_id)
        .order_by("-uploaded_at", "-pk")
        .first()
    )


class _Pieces(io.RawIOBase):
    """A stored file read piece by piece from the database: one piece in memory at a time."""

    def __init__(self, piece_ids: list[int]) -> None:
        self.piece_ids = piece_ids
        self.buffer = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self.buffer and self.piece_ids:
            data = LedgerUploadPiece.objects.filter(pk=self.piece_ids.pop(0)).values_list("data", flat=True).get()
            self.buffer = memoryview(bytes(data))
        size = min(len(target), len(self.buffer))
        target[:size] = self.buffer[:size]
        self.buffer = self.buffer[size:]
        return size


def _stored(upload: LedgerUpload, part: str, name: str, size: int) -> Source:
    def opener() -> IO[bytes]:
        ids = list(
            LedgerUploadPiece.objects.filter(upload=upload, part=part).order_by("number").values_list("pk", flat=True)
        )
        return io.BufferedReader(_Pieces(ids), PIECE)

    return Source(name, size, opener)


def upload_sources(upload: LedgerUpload) -> tuple[Source, Source | None]:
    """The stored journal and open-items files, as sources to read."""
    journal = _stored(upload, FilePart.JOURNAL, upload.journal_name, upload.journal_size)
    open_items = None
    if upload.has_open_items:
        open_items = _stored(upload, FilePart.OPEN_ITEMS, upload.open_items_name, upload.open_items_size or 0)
    return journal, open_items


def new_external_id() -> str:
    """An administration's external id: the file has none of its own."""
    return str(uuid.uuid4())


def administration_by_name(*, organization: Organization, name: str) -> Administration | None:
    """The organisation's ledger-file administration of that name (case aside), if there is one."""
    return (
        Administration.objects.for_organization(organization)
        .filter(provider=PROVIDER_KEY, name__iexact=name.strip())
        .order_by("pk")
        .first()
    )


def ledger_file_connect(
    *,
    organization: Organization,
    administration_name: str,
    journal: Any,
    open_items: Any | None = None,
    columns: Mapping[str, str] | None = None,
    user=None,
) -> Connection:
    """Check and store the files and connect them as a new administration; its first sync is queued."""
    from integrations.registry import get

    provider = get(PROVIDER_KEY)
    credentials = provider.check_credentials(
        {
            "organization": organization,
            "administration_name": administration_name,
            "journal": journal,
            "open_items": open_items,
            "columns": columns or {},
            "user": user,
        }
    )
    return connection_create(
        organization=organization,
        provider_key=PROVIDER_KEY,
        check=credentials,
        external_id=credentials.administrations[0].external_id,
        user=user,
    )


def upload_replace(
    *,
    connection: Connection,
    journal: Any,
    open_items: Any | None = None,
    columns: Mapping[str, str] | None = None,
    user=None,
    sync: bool = True,
) -> LedgerUpload:
    """A corrected file for a connected administration: checked whole (raises :class:`FileRefused` with the
    report), stored as its latest upload, and synced (unless ``sync`` is False). The sync replaces what changed,
    entry by entry, and deletes the entries the new file no longer has. Refused while a sync of it runs."""
    administration = connection.administration
    if connection.integration.provider_key != PROVIDER_KEY:
        raise ConnectionRefused(f"{administration.name} is not imported from a ledger file.")
    if connection.is_syncing:
        raise ConnectionRefused("An import of this administration is running; upload the file when it has finished.")
    checked_or_refused(journal=journal, open_items=open_items, columns=columns)
    with transaction.atomic():
        upload = upload_store(
            organization=administration.organization,
            external_id=administration.external_id,
            administration_name=administration.name,
            journal=journal,
            open_items=open_items,
            columns=columns,
            user=user,
        )
        if sync:
            connection_sync_now(connection=connection)
    return upload
