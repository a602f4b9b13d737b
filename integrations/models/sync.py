"""The record of every sync run (what users see in the sync history) and the per-stream cursors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from ledger.models import Administration
from ledger.services import WriteCounts
from monitr.tenancy.scoping import TenantManager

from .connection import Connection


class SyncTrigger(models.TextChoices):
    CONNECT = "connect", _("First sync after connecting")
    MANUAL = "manual", _("Sync now")
    SCHEDULE = "schedule", _("Schedule")
    COMMAND = "command", _("Command")
    RECONNECT = "reconnect", _("After a key update")


class SyncRunStatus(models.TextChoices):
    RUNNING = "running", _("In progress")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


def stream_name_shown(name: str) -> str:
    """What a stream is called where its run recorded no label (runs from before streams named themselves)."""
    return name.replace("_", " ").capitalize()


@dataclass(frozen=True, slots=True)
class StreamResult:
    """What one stream of a run did, with the label the stream gave itself."""

    name: str
    label: str
    counts: dict[str, Any]


class SyncRun(models.Model):
    """One run of the sync engine for one connection, with its counts, API calls, progress and outcome.

    ``counts`` holds, per stream name, what the stream did and its ``label`` (the stream's own, so that pages need
    no provider's stream names)."""

    connection = models.ForeignKey(Connection, null=True, on_delete=models.SET_NULL, related_name="runs")
    administration = models.ForeignKey(Administration, on_delete=models.CASCADE, related_name="sync_runs")
    trigger = models.CharField(max_length=20, choices=SyncTrigger.choices)
    status = models.CharField(max_length=20, choices=SyncRunStatus.choices, default=SyncRunStatus.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    full = models.BooleanField(default=False, help_text="Re-read everything instead of from the cursors.")
    stream = models.CharField(max_length=40, blank=True, help_text="The stream running now.")
    stream_label = models.CharField(max_length=80, blank=True, help_text="What the stream running now is called.")
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    progress_estimated = models.BooleanField(
        default=False, help_text="progress_total is the running stream's estimate (shown as 'about'); never below done."
    )
    plan = models.JSONField(
        default=list,
        help_text="The run's streams in order, as it started them: name, label and the part of the books each brings.",
    )
    counts = models.JSONField(default=dict, help_text="Per stream: its label; new, changed, deleted, unchanged.")
    api_calls = models.JSONField(default=dict, help_text="API calls per endpoint.")
    error_code = models.CharField(max_length=60, blank=True)
    error_message = models.TextField(blank=True)
    priority = models.PositiveSmallIntegerField(
        default=2, help_text="Where its work queues: 0 asked by a person, 1 a first import, 2 the schedule."
    )
    slices = models.PositiveIntegerField(default=0, help_text="Tasks the run has taken so far (one slice each).")
    resume = models.JSONField(
        default=dict,
        blank=True,
        help_text="While the run waits for its next slice: the stream to go on with and what the source had learned.",
    )

    tenant_path = "administration__organization"
    objects = TenantManager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [
            # The beat looks for runs still marked running every few minutes (to close those whose worker died):
            # they are a handful among every run ever made.
            models.Index(
                fields=["connection"], condition=models.Q(status="running"), name="sync_run_running_by_connection"
            )
        ]

    def __str__(self) -> str:
        return f"Sync of {self.administration} at {self.started_at:%Y-%m-%d %H:%M} ({self.status})"

    @property
    def duration(self):  # -> timedelta | None
        return self.finished_at - self.started_at if self.finished_at else None

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def stream_shown(self) -> str:
        """What the stream running now is called."""
        return self.stream_label or stream_name_shown(self.stream)

    @property
    def stream_results(self) -> list[StreamResult]:
        """Each stream's counts with its label, in the order the streams ran."""
        return [
            StreamResult(name=name, label=counts.get("label") or stream_name_shown(name), counts=counts)
            for name, counts in self.counts.items()
        ]

    @property
    def totals(self) -> dict[str, int]:
        """The counts of every stream added up."""
        return WriteCounts.total(self.counts.values()).as_dict()

    @property
    def api_calls_total(self) -> int:
        return sum(self.api_calls.values())


class SyncCursor(models.Model):
    """How far a stream of a connection has read; moved only after the data it covers is committed."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="cursors")
    stream = models.CharField(max_length=40)
    value = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    tenant_path = "connection__integration__organization"
    objects = TenantManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connection", "stream"], name="sync_cursor_unique_stream")]

    def __str__(self) -> str:
        return f"{self.stream} cursor of connection {self.connection_id}"
