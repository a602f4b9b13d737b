"""Per-organisation settings of the dashboards: how the Outstanding Items dashboard ages open items, and the cash
forecast's collection curve.

An organisation without a saved row uses the defaults (by due date; buckets 1–30, 31–60, 61–90, over 90 days), so
reading the settings never needs a write. The boundaries are the last day of each bucket after "Not yet due": the
default ``[30, 60, 90]`` gives the buckets above; they are stored ascending, positive and without repeats.
"""

from __future__ import annotations

from itertools import pairwise

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ledger.forecast import DEFAULT_CURVE, curve_validate
from monitr.tenancy.models import Organization
from monitr.tenancy.scoping import TenantManager

# Notes and follow-ups on relations live in their own module; imported here so that Django finds the model.
from .notes import RelationNote as RelationNote

DEFAULT_BOUNDARIES: tuple[int, ...] = (30, 60, 90)
MAX_BOUNDARIES = 6
MAX_BOUNDARY_DAYS = 3650


class AgingBasis(models.TextChoices):
    DUE_DATE = "due", gettext_lazy("Due date")
    INVOICE_DATE = "invoice", gettext_lazy("Invoice date")


def validate_boundaries(value: object) -> None:
    """Ascending positive whole days, one to six of them: anything else would leave a gap or an overlap."""
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Give at least one boundary, in days."))
    if len(value) > MAX_BOUNDARIES:
        raise ValidationError(
            ngettext("Give at most %(count)d boundary.", "Give at most %(count)d boundaries.", MAX_BOUNDARIES)
            % {"count": MAX_BOUNDARIES}
        )
    if any(type(day) is not int or day < 1 or day > MAX_BOUNDARY_DAYS for day in value):
        raise ValidationError(
            _("Each boundary is a whole number of days from 1 to %(days)d.") % {"days": MAX_BOUNDARY_DAYS}
        )
    if any(later <= earlier for earlier, later in pairwise(value)):
        raise ValidationError(_("Boundaries must go up, each larger than the one before."))


def default_boundaries() -> list[int]:
    return list(DEFAULT_BOUNDARIES)


def default_curve() -> list[list[int]]:
    return [list(step) for step in DEFAULT_CURVE]


def validate_curve(value: object) -> None:
    curve_validate(value)


class OutstandingSettings(models.Model):
    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="outstanding_settings")
    basis = models.CharField(
        max_length=10,
        choices=AgingBasis.choices,
        default=AgingBasis.DUE_DATE,
        help_text=gettext_lazy("Which date an item's age is counted from, unless the page is told otherwise."),
    )
    boundaries = models.JSONField(
        default=default_boundaries,
        validators=[validate_boundaries],
        help_text=gettext_lazy("The last day of each aging bucket after “Not yet due”, ascending."),
    )
    # The cash forecast's collection curve (ledger.forecast): [days after the due date, percent] steps.
    collection_curve = models.JSONField(
        default=default_curve,
        validators=[validate_curve],
        help_text=gettext_lazy("How much of an invoice is paid within how many days of its due date."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    tenant_path = "organization"
    objects = TenantManager()

    class Meta:
        verbose_name = "outstanding items settings"
        verbose_name_plural = "outstanding items settings"

    def __str__(self) -> str:
        return f"Aging settings of {self.organization}"


class AccountMapping(models.Model):
    """An admin's choice of reporting line for one account, overriding ``dashboards.mapping``'s default.

    Only overrides are stored: an account without a row follows the default rules."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="account_mappings")
    account = models.OneToOneField("ledger.Account", on_delete=models.CASCADE, related_name="reporting_mapping")
    line = models.CharField(max_length=30, help_text="The reporting line (``dashboards.mapping.ReportingLine``).")
    updated_at = models.DateTimeField(auto_now=True)

    tenant_path = "organization"
    objects = TenantManager()

    class Meta:
        verbose_name = "account mapping"

    def __str__(self) -> str:
        return f"{self.account} → {self.line}"
