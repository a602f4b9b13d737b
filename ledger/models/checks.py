"""The outcome of the sync's checks, for the Data checks page: what the provider says against what was imported.

Every check is recorded, matching or not, so the page can tell "checked and right" from "never checked"; a check
that differs is never hidden.
"""

from __future__ import annotations

from django.db import models

from monitr.tenancy.scoping import TenantManager

from .accounts import Account
from .administration import Administration
from .choices import ReconciliationCheck
from .transactions import MONEY


class Reconciliation(models.Model):
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="reconciliations", db_index=False
    )
    kind = models.CharField(max_length=20, choices=ReconciliationCheck.choices)
    subject = models.CharField(max_length=100, help_text="The account code, or the side of the open items.")
    period_start = models.DateField(help_text="The month's first day, or the day open items were compared.")
    account = models.ForeignKey(
        Account,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reconciliations",
        help_text="Empty when the provider reports an account that was not imported.",
    )
    expected = models.DecimalField(**MONEY, help_text="What the provider says.")
    actual = models.DecimalField(**MONEY, help_text="What the imported data adds up to.")
    difference = models.DecimalField(**MONEY, help_text="actual − expected")
    recorded_at = models.DateTimeField(help_text="When these figures were first found.")
    reason = models.TextField(blank=True, help_text="Why they differ, where the check can tell (stored in English).")

    tenant_path = "administration__organization"
    objects = TenantManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "kind", "subject", "period_start"], name="reconciliation_unique_subject"
            )
        ]
        indexes = [
            models.Index(
                fields=["administration", "kind", "period_start"],
                condition=~models.Q(difference=0),
                name="reconciliation_differs",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject} {self.period_start}"

    @property
    def matches(self) -> bool:
        return self.difference == 0
