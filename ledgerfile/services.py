"""Storing uploads, checking them, and the writes behind the upload pages and the command: connect a file, replace a
file.

Public interface:

- :func:`upload_check`: read and check files (nothing stored); a :class:`~ledgerfile.book.Checked`.
- :func:`upload_store`: store files as an upload (with the outcome of their check, when they were checked).
- :func:`upload_check_start`: check a stored upload, here when it is small and in the worker when it is not (the
  pages show its progress); :func:`upload_check_run` is the check itself, which keeps its outcome with the upload:
  the summary the preview shows (``LedgerUpload.summary``), or the report of the problems.
- :func:`ledger_file_connect`: connect a checked upload as a new administration (what the upload page's Import
  does), or check, store and connect files in one call; raises :class:`~ledgerfile.report.FileRefused` (with
  ``.report``) for a bad file, and ``integrations.services.ConnectionRefused`` / ``SyncUnavailable`` as
  ``connection_create`` does.
- :func:`upload_replace`: a checked upload (or files, checked and stored here) becomes the latest upload of a
  connected administration, and is synced (``sync=False`` leaves the sync to the caller, as the command does to run
  it in-process).
- :func:`upload_checked`: the upload, when its check passed; else :class:`~ledgerfile.report.FileRefused`.
- :func:`upload_latest`, :func:`upload_sources`: the stored files themselves.
- :func:`administration_by_name`: the organisation's ledger-file administration of that name, if any.

Only a checked upload is connected, and the check that passed is the one that counts: connecting or replacing from
a stored upload neither checks nor copies it again. Each administration keeps its :data:`KEEP_UPLOADS` latest
uploads (the latest is what every sync reads); an upload whose administration was never connected (the wizard was
left) is deleted after a day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import time
import uuid
from collections.abc import Mapping
from typing import IO, Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from kombu.exceptions import OperationalError

from integrations.models import Connection
from integrations.services import ConnectionRefused, connection_create, connection_sync_now
from ledger.models import Administration
from monitr.logs import get_logger
from monitr.tenancy.models import Organization

from .book import READING, Checked, Progress, check
from .models import PIECE, CheckState, FilePart, LedgerUpload, LedgerUploadPiece
from .outcome import CheckSummary
from .reading import MEGABYTE, Source, as_source
from .report import FileRefused, Report

log = get_logger(__name__)

PROVIDER_KEY = "ledger_file"
KEEP_UPLOADS = 3
ABANDONED_AFTER = dt.timedelta(days=1)


def upload_check(
    *,
    journal: Any,
    open_items: Any | None = None,
    columns: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> Checked:
    """Read and check the files; nothing is stored."""
    return check(journal, open_items, columns, progress=progress)


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
    checked: Checked | None = None,
) -> LedgerUpload:
    """Store the files as the latest upload of the administration ``external_id``; with ``checked``, the outcome of
    their check (with these columns) is kept with them."""
    journal_source = as_source(journal)
    open_items_source = as_source(open_items) if open_items is not None else None
    upload = LedgerUpload.objects.create(
        organization=organization,
        external_id=external_id,
        administration_name=administration_name,
        columns=dict(columns or {}),
        **(_outcome(checked) if checked is not None else {}),
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


# --- the check of a stored upload -------------------------------------------------------------------------------

# An upload of at most this many bytes is checked in the request that asks (a second or two); a larger one in the
# worker, while the page shows how far the check is: a file near the limit takes a minute or more.
CHECK_IN_REQUEST_BYTES = 2 * MEGABYTE
# How often a running check writes how far it is.
PROGRESS_EVERY = 0.5
# A check that has not said how far it is for this long has stopped (its worker died): it can be started again.
STALLED_AFTER = dt.timedelta(minutes=2)
UNEXPECTED = gettext_noop(
    "The check stopped on an unexpected error. Check the file again; if it stops again, tell Monitr's support."
)


class _Superseded(Exception):
    """A newer check of the upload was asked for (or the upload was deleted): this one stops and writes nothing."""


def _outcome(checked: Checked) -> dict[str, Any]:
    """The fields of an upload that keep the outcome of its check."""
    passed = checked.ok and checked.summary is not None
    return {
        "check_state": CheckState.PASSED if passed else CheckState.REFUSED,
        "check_share": 1.0,
        "check_step": "",
        "check_updated_at": timezone.now(),
        "summary": CheckSummary.of(checked.summary).as_data() if passed else None,  # type: ignore[arg-type]
        "report": None if passed else checked.report.as_data(),
    }


def upload_check_start(upload: LedgerUpload) -> LedgerUpload:
    """Check the upload (with its columns) anew: here when it is small, else in the worker. Returns the upload as it
    is then: checked, or waiting for the worker. When the worker's queue cannot be reached the check runs here."""
    from .tasks import check_upload

    token = uuid.uuid4().hex
    LedgerUpload.objects.filter(pk=upload.pk).update(
        check_state=CheckState.WAITING,
        check_token=token,
        check_step="",
        check_share=0.0,
        check_updated_at=timezone.now(),
        summary=None,
        report=None,
    )
    if upload.size <= CHECK_IN_REQUEST_BYTES:
        upload_check_run(upload_id=upload.pk, token=token)
    else:

        def publish() -> None:
            try:
                check_upload.delay(upload.pk, token)
            except (OperationalError, OSError) as error:
                log.warning("ledgerfile.check_enqueue_failed", upload_id=upload.pk, error=type(error).__name__)
                upload_check_run(upload_id=upload.pk, token=token)

        transaction.on_commit(publish)
    upload.refresh_from_db()
    return upload


def upload_check_run(*, upload_id: int, token: str) -> None:
    """Check the stored upload and keep the outcome with it, telling how far the check is as it goes. Does nothing
    when the check ``token`` is no longer the upload's latest (a newer one was asked for, or the upload is gone)."""
    fenced = LedgerUpload.objects.filter(pk=upload_id, check_token=token)
    upload = fenced.first()
    if upload is None:
        return
    last = 0.0

    def progress(step: str, share: float) -> None:
        nonlocal last
        if time.monotonic() - last < PROGRESS_EVERY:
            return
        last = time.monotonic()
        updated = fenced.update(
            check_state=CheckState.RUNNING, check_step=step, check_share=share, check_updated_at=timezone.now()
        )
        if not updated:
            raise _Superseded

    try:
        progress(READING, 0.0)
        journal, open_items = upload_sources(upload)
        checked = check(journal, open_items, upload.columns, progress=progress)
    except _Superseded:
        log.info("ledgerfile.check_superseded", upload_id=upload_id)
        return
    except Exception:
        if not fenced.exists():  # cancelled while it ran: its pieces went with it
            log.info("ledgerfile.check_superseded", upload_id=upload_id)
            return
        log.exception("ledgerfile.check_failed", upload_id=upload_id)
        fenced.update(
            check_state=CheckState.FAILED,
            check_step="",
            check_updated_at=timezone.now(),
            report=Report.from_data({"problems": [["", None, "", UNEXPECTED]]}).as_data(),
        )
        return
    fenced.update(**_outcome(checked))
    log.info("ledgerfile.checked", upload_id=upload_id, problems=checked.report.total)


def _silent(upload: LedgerUpload) -> bool:
    return upload.check_updated_at is None or upload.check_updated_at < timezone.now() - STALLED_AFTER


def upload_check_stalled(upload: LedgerUpload) -> bool:
    """The check started and has said nothing for :data:`STALLED_AFTER`: its worker is gone."""
    return upload.check_state == CheckState.RUNNING and _silent(upload)


def upload_check_waits_long(upload: LedgerUpload) -> bool:
    """No worker has started the check in :data:`STALLED_AFTER`: they are busy (imports), or none is running."""
    return upload.check_state == CheckState.WAITING and _silent(upload)


def upload_checked(upload: LedgerUpload, organization: Organization) -> LedgerUpload:
    """The upload, when it belongs to the organisation and its check passed; else refused with the reason."""
    if upload.organization_id != organization.pk:
        raise ConnectionRefused(gettext("This upload belongs to another organisation."))
    if upload.check_state == CheckState.REFUSED and upload.report:
        raise FileRefused(report=Report.from_data(upload.report))
    if upload.check_state != CheckState.PASSED:
        raise FileRefused(
            gettext_noop("The file has not been checked yet: it can be imported once its check has passed.")
        )
    return upload


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
    upload: LedgerUpload | None = None,
    administration_name: str = "",
    journal: Any | None = None,
    open_items: Any | None = None,
    columns: Mapping[str, str] | None = None,
    user=None,
) -> Connection:
    """Connect an upload whose check passed as a new administration (it becomes the administration's first upload, as
    it is); or, given files instead, check and store them and connect them. Its first sync is queued."""
    from integrations.registry import get

    provider = get(PROVIDER_KEY)
    if upload is not None:
        data: dict[str, Any] = {"organization": organization, "upload": upload}
    else:
        data = {
            "organization": organization,
            "administration_name": administration_name,
            "journal": journal,
            "open_items": open_items,
            "columns": columns or {},
            "user": user,
        }
    credentials = provider.check_credentials(data)
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
    upload: LedgerUpload | None = None,
    journal: Any | None = None,
    open_items: Any | None = None,
    columns: Mapping[str, str] | None = None,
    user=None,
    sync: bool = True,
) -> LedgerUpload:
    """A corrected file for a connected administration: an upload whose check passed (or files, checked whole here:
    raises :class:`FileRefused` with the report) becomes its latest upload, and is synced (unless ``sync`` is
    False). The sync replaces what changed, entry by entry, and deletes the entries the new file no longer has.
    Refused while a sync of it runs."""
    administration = connection.administration
    organization = administration.organization
    if connection.integration.provider_key != PROVIDER_KEY:
        raise ConnectionRefused(gettext("%(name)s is not imported from a ledger file.") % {"name": administration.name})
    if connection.is_syncing:
        raise ConnectionRefused(
            gettext("An import of this administration is running; upload the file when it has finished.")
        )
    if upload is None:
        checked = checked_or_refused(journal=journal, open_items=open_items, columns=columns)
    else:
        upload_checked(upload, organization)
    with transaction.atomic():
        if upload is None:
            upload = upload_store(
                organization=organization,
                external_id=administration.external_id,
                administration_name=administration.name,
                journal=journal,
                open_items=open_items,
                columns=columns,
                user=user,
                checked=checked,
            )
        else:
            # The checked upload becomes the administration's latest, as it is: its rows and pieces are kept.
            upload.external_id = administration.external_id
            upload.administration_name = administration.name
            upload.uploaded_at = timezone.now()
            upload.save(update_fields=["external_id", "administration_name", "uploaded_at"])
            _prune(organization=organization, external_id=administration.external_id)
        if sync:
            connection_sync_now(connection=connection)
    return upload
