"""The chart of accounts and the cost centres lines can be booked on."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Now

from monitr.tenancy.scoping import TenantManager

from .administration import Administration
from .choices import AccountKind, AccountRole


class Account(models.Model):
    """One account (a ledger, "grootboekrekening") of an administration's chart of accounts."""

    administration = models.ForeignKey(Administration, on_delete=models.CASCADE, related_name="accounts")
    external_id = models.CharField(max_length=100)
    code = models.CharField(max_length=50, help_text="The account number people read, e.g. 1300.")
    name = models.CharField(max_length=255)
    category = models.CharField(max_length=30, blank=True, help_text="The provider's category code, e.g. DEB.")
    kind = models.CharField(max_length=20, choices=AccountKind.choices)
    # Set by the provider when it maps its chart; what dashboards and checks read instead of ``category``.
    role = models.CharField(max_length=20, choices=AccountRole.choices, blank=True, default=AccountRole.UNSPECIFIED)
    group = models.CharField(max_length=100, blank=True)
    # Set by the database when the row is inserted and never written again: an import's upsert leaves it alone.
    first_seen_at = models.DateTimeField(db_default=Now(), editable=False)

    tenant_path = "administration__organization"
    objects = TenantManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["administration", "external_id"], name="account_unique_external_id")
        ]
        indexes = [models.Index(fields=["administration", "code"], name="account_by_code")]
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CostCenter(models.Model):
    administration = models.ForeignKey(Administration, on_delete=models.CASCADE, related_name="cost_centers")
    external_id = models.CharField(max_length=100)
    name = models.CharField(max_length=255)
    # Kept as the provider's id rather than a foreign key: parents may arrive after their children.
    parent_external_id = models.CharField(max_length=100, blank=True)
    active = models.BooleanField(default=True)

    tenant_path = "administration__organization"
    objects = TenantManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["administration", "external_id"], name="costcenter_unique_external_id")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
