"""A member's e-mail digest of one organisation: weekly (a day and an hour, Europe/Amsterdam), monthly (the first
day of the month, at an hour) or none. A member without a row gets the default, weekly on Monday at 8:00, saved the
first time a digest is sent or the choice changed. ``last_figures`` keeps what the last digest said (the overdue
totals), so the next one says how they changed."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from monitr.tenancy.models import Membership
from monitr.tenancy.scoping import TenantManager


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly, on the first")
    NONE = "none", _("None")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class DigestSubscription(models.Model):
    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="digest")
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, default=Weekday.MONDAY)
    hour = models.PositiveSmallIntegerField(default=8, help_text="0-23, Europe/Amsterdam")
    last_sent_at = models.DateTimeField(null=True, blank=True)
    last_figures = models.JSONField(default=dict, blank=True)

    tenant_path = "membership__organization"
    objects = TenantManager()

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} digest of {self.membership}"
