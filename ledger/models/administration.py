"""An administration: the books of one company, as kept in one provider.

Imported data belongs to the administration, not to the connection that fetched it: removing a connection keeps
the books readable (marked disconnected), and connecting the same administration again re-attaches them.
"""

from __future__ import annotations

import datetime as dt

from django.db import models

from monitr.tenancy.models import Organization
from monitr.tenancy.scoping import TenantManager

# ``lines_complete_through`` once every line of the books is stored: no month is read from the source's balances.
LINES_COMPLETE = dt.date(9999, 12, 31)


class Administration(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="administrations")
    provider = models.CharField(max_length=40, help_text="Key of the provider whose books these are.")
    external_id = models.CharField(max_length=100, help_text="The provider's id of the administration (a GUID).")
    name = models.CharField(max_length=255, help_text="The company name the provider gives.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_imported_at = models.DateTimeField(
        null=True, blank=True, help_text="When the last import of these books succeeded."
    )
    disconnected_at = models.DateTimeField(
        null=True, blank=True, help_text="Set while no connection imports these books; the data stays readable."
    )
    accounts_reviewed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=(
            "Accounts first seen after this moment are new: listed on the account mapping page until an admin marks "
            "the chart reviewed. The first import of the chart sets it, so the chart Monitr starts with is not new."
        ),
    )

    ledger_checked_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=(
            "When the import last compared every ledger and month with the provider's balances. Only differences "
            "are stored, so this says that a check with nothing to list ran."
        ),
    )

    open_items_built_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=(
            "When the open-item ledger was last built from the transactions (ledger.models.open_items); until then "
            "open items as of a past day come from the daily snapshots."
        ),
    )
    open_items_digest = models.CharField(
        max_length=64,
        blank=True,
        help_text=(
            "A hash of what the open-item ledger was last built from (its items and settlements, and the day): a "
            "build that finds the same skips the writing."
        ),
    )

    outstanding_changed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=(
            "When the open items, their relations' names or their payment habits last changed: a page figured from "
            "them (the cash forecast) may be kept until then."
        ),
    )

    lines_complete_through = models.DateField(
        default=LINES_COMPLETE,
        help_text=(
            "The lines of every month up to this day are stored; statements read the source's monthly balances for "
            "the months after it. A first import sets it back and moves it on month by month."
        ),
    )

    tenant_path = "organization"
    objects = TenantManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "provider", "external_id"], name="administration_unique_per_provider"
            )
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def lines_complete(self) -> bool:
        return self.lines_complete_through >= LINES_COMPLETE

    @property
    def is_connected(self) -> bool:
        return self.disconnected_at is None
