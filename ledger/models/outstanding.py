"""Open items (receivables and payables) as the provider lists them now, and as they stood at the end of each day.

The provider only tells what is open today. Recording a daily snapshot of the open items is what lets the
Outstanding Items dashboard show aging as of any past date.
"""

from __future__ import annotations

from django.db import models

from monitr.tenancy.scoping import TenantManager

from .administration import Administration
from .choices import OutstandingSide
from .relations import Relation
from .transactions import MONEY


class OutstandingItem(models.Model):
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="outstanding_items", db_index=False
    )
    side = models.CharField(max_length=10, choices=OutstandingSide.choices)
    external_id = models.CharField(max_length=100)
    source_external_id = models.CharField(max_length=100, help_text="The transaction that made the item.")
    invoice_number = models.TextField(blank=True)
    relation = models.ForeignKey(
        Relation, on_delete=models.SET_NULL, null=True, blank=True, related_name="outstanding_items", db_index=False
    )
    invoice_date = models.DateField()
    due_date = models.DateField(null=True, blank=True, help_text="Empty when neither item nor relation has a term.")
    total = models.DecimalField(**MONEY)
    paid = models.DecimalField(**MONEY)
    outstanding = models.DecimalField(**MONEY)

    tenant_path = "administration__organization"
    objects = TenantManager()

    class Meta:
        # The side is part of the key: the importer replaces each side's list on its own, and one source
        # transaction may leave an item on either side.
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "side", "external_id"], name="outstandingitem_unique_external_id"
            )
        ]
        indexes = [
            models.Index(fields=["administration", "side", "relation"], name="outstanding_by_relation"),
            models.Index(fields=["administration", "side", "due_date"], name="outstanding_by_due_date"),
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()} {self.invoice_number or self.external_id}"


class OutstandingSnapshot(models.Model):
    """One open item as it stood at the end of the day ``as_of``."""

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="outstanding_snapshots", db_index=False
    )
    as_of = models.DateField()
    side = models.CharField(max_length=10, choices=OutstandingSide.choices)
    external_id = models.CharField(max_length=100)
    source_external_id = models.CharField(max_length=100)
    invoice_number = models.TextField(blank=True)
    relation = models.ForeignKey(
        Relation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    invoice_date = models.DateField()
    due_date = models.DateField(null=True, blank=True)
    total = models.DecimalField(**MONEY)
    paid = models.DecimalField(**MONEY)
    outstanding = models.DecimalField(**MONEY)

    tenant_path = "administration__organization"
    objects = TenantManager()

    class Meta:
        # Leads with (administration, as_of, side): also the index the as-of dashboard reads.
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "as_of", "side", "external_id"], name="outstandingsnapshot_unique_item"
            )
        ]
        # The figures of the relations on one page of the as-of relation table (a day holds every open item).
        indexes = [
            models.Index(fields=["administration", "as_of", "side", "relation"], name="outstandingsnapshot_relation")
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()} {self.invoice_number or self.external_id} as of {self.as_of}"


class OutstandingSnapshotTotal(models.Model):
    """The totals of one side of a daily snapshot: what the Outstanding Items history chart and the 30-day
    comparison read, instead of adding up every snapshot row of every day (50,000 open items over 180 days would
    be nine million rows per page view). Written with the snapshot, by ``outstanding_snapshot_record``."""

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="outstanding_snapshot_totals", db_index=False
    )
    as_of = models.DateField()
    side = models.CharField(max_length=10, choices=OutstandingSide.choices)
    total = models.DecimalField(**MONEY)
    overdue = models.DecimalField(**MONEY, help_text="The part overdue on ``as_of``: due (else invoiced) before it.")
    items = models.PositiveIntegerField()

    tenant_path = "administration__organization"
    objects = TenantManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["administration", "as_of", "side"], name="outstandingsnapshottotal_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()} as of {self.as_of}: {self.total}"
