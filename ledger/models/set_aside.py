"""Records an import could not store, set aside with the reason, for the Data checks page.

A source record holding a value the ledger cannot keep (see :mod:`ledger.limits`) must not stop the import of all
the others: the importer stores the rest and keeps one row here per such record. The row stays while the source
keeps the record as it is, and disappears when a later import stores the record (the source fixed it) or finds it
gone from the source.
"""

from __future__ import annotations

from django.db import models

from monitr.tenancy.scoping import TenantManager

from .administration import Administration
from .choices import SetAsideKind


class SetAsideRecord(models.Model):
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="set_aside_records", db_index=False
    )
    kind = models.CharField(max_length=20, choices=SetAsideKind.choices)
    external_id = models.CharField(max_length=100, help_text="The source's id of the record.")
    label = models.CharField(max_length=255, blank=True, help_text="How people recognise the record.")
    record_date = models.DateField(
        null=True, blank=True, help_text="The record's date, when it has a usable one: the month to read again."
    )
    reason = models.TextField(help_text="Why it could not be stored.")
    first_seen_at = models.DateTimeField(help_text="The first import that set it aside.")
    last_seen_at = models.DateTimeField(help_text="The latest import that set it aside.")

    tenant_path = "administration__organization"
    objects = TenantManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "kind", "external_id"], name="set_aside_record_unique_external_id"
            )
        ]
        ordering = ["kind", "external_id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.label or self.external_id}: set aside"
