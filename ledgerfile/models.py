"""Uploaded ledger files, kept so that every sync of an administration reads its latest upload again.

The files are stored in the database, in pieces of :data:`PIECE` bytes (:class:`LedgerUploadPiece`), not under
``MONITR_DATA_DIR``: the web process that receives an upload and the worker that imports it are separate containers
that share the database and no folder (see docker-compose.yml); the upload commits in the same transaction as
the rest of the connection, so there is never a row without its file or a file without its row; backups of the
database hold it; and deleting an organisation deletes its files. Pieces rather than one column: writing and reading
a 50 MB file never holds more than one piece in memory.

An upload is checked whole before it can be connected; the check's state, progress and outcome (the summary the
preview shows, or the report of the problems) are kept with it, so that no step checks it again.

An upload belongs to an organisation and names its administration by the administration's external id, a UUID
generated when the file is first uploaded: the administration itself is created when the connection is (by
``integrations.services.connection_create``), after the upload was checked and stored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from monitr.tenancy.models import Organization
from monitr.tenancy.scoping import TenantManager
from monitr.web.stored_text import shown

PIECE = 1 << 20


class CheckState(models.TextChoices):
    """Where the check of an upload is. A file is checked whole before it can be imported, in the worker when it is
    large (see ledgerfile.services.upload_check_start); the outcome is kept with the upload."""

    NOT_ASKED = "", _("Not checked")  # its columns are still to be chosen
    WAITING = "waiting", _("Waiting to be checked")
    RUNNING = "running", _("Being checked")
    PASSED = "passed", _("Can be imported")
    REFUSED = "refused", _("Cannot be imported")
    FAILED = "failed", _("The check stopped")


class FilePart(models.TextChoices):
    JOURNAL = "journal", _("Journal")
    OPEN_ITEMS = "open_items", _("Open items")


class LedgerUpload(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="ledger_uploads")
    external_id = models.CharField(
        max_length=100, help_text="The external id of the administration this upload is the ledger of (a UUID)."
    )
    administration_name = models.CharField(max_length=255, help_text="The name given when the file was uploaded.")
    columns = models.JSONField(
        default=dict, blank=True, help_text="The column mapping: field → header (open items' fields prefixed)."
    )
    journal_name = models.CharField(max_length=255)
    journal_size = models.PositiveBigIntegerField()
    journal_sha256 = models.CharField(max_length=64)
    open_items_name = models.CharField(max_length=255, blank=True)
    open_items_size = models.PositiveBigIntegerField(null=True, blank=True)
    open_items_sha256 = models.CharField(max_length=64, blank=True)
    uploaded_at = models.DateTimeField(
        auto_now_add=True, help_text="When the file was uploaded, or when it became its administration's file."
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    check_state = models.CharField(max_length=10, choices=CheckState.choices, blank=True, default=CheckState.NOT_ASKED)
    check_token = models.CharField(
        max_length=32, blank=True, help_text="The check asked for last: an older one still running writes nothing."
    )
    check_step = models.CharField(max_length=80, blank=True, help_text="What the running check is doing.")
    check_share = models.FloatField(default=0, help_text="How much of the running check is done, 0 to 1.")
    check_updated_at = models.DateTimeField(null=True, blank=True, help_text="When the check last said how far it is.")
    summary = models.JSONField(
        null=True, blank=True, help_text="What the check found, for the preview (ledgerfile.outcome.CheckSummary)."
    )
    report = models.JSONField(null=True, blank=True, help_text="The problems a refused check found.")

    tenant_path = "organization"
    objects = TenantManager()

    class Meta:
        indexes = [models.Index(fields=["organization", "external_id", "-uploaded_at"], name="ledgerupload_latest")]
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.journal_name} for {self.administration_name} ({self.uploaded_at:%Y-%m-%d %H:%M})"

    @property
    def has_open_items(self) -> bool:
        return bool(self.open_items_name)

    @property
    def size(self) -> int:
        """The bytes of its files together."""
        return self.journal_size + (self.open_items_size or 0)

    @property
    def check_percent(self) -> int:
        return min(100, round(100 * self.check_share))

    @property
    def check_step_shown(self) -> str:
        """What the running check is doing, in the page's language (the step is stored in English)."""
        from .book import READING

        return shown(self.check_step or READING)


class LedgerUploadPiece(models.Model):
    """One piece of an uploaded file's bytes, in order of ``number``."""

    upload = models.ForeignKey(LedgerUpload, on_delete=models.CASCADE, related_name="pieces")
    part = models.CharField(max_length=20, choices=FilePart.choices)
    number = models.PositiveIntegerField()
    data = models.BinaryField()

    tenant_path = "upload__organization"
    objects = TenantManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["upload", "part", "number"], name="ledgeruploadpiece_unique_number")
        ]

    def __str__(self) -> str:
        return f"Piece {self.number} of the {self.part} of upload {self.upload_id}"
