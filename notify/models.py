"""What Monitr tells people without being asked: the e-mail digests and the alerts.

A member's e-mail digest of one organisation: weekly (a day and an hour, Europe/Amsterdam), monthly (the first
day of the month, at an hour) or none. A member without a row gets the default, weekly on Monday at 8:00, saved the
first time a digest is sent or the choice changed. ``last_figures`` keeps what the last digest said (the overdue
totals), so the next one says how they changed."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from ledger.models import OutstandingSide
from monitr.tenancy.models import Membership, Organization
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


class AlertKind(models.TextChoices):
    RELATION_OVERDUE_AMOUNT = "relation_overdue_amount", _("A relation's overdue above an amount")
    RELATION_OVERDUE_DAYS = (
        "relation_overdue_days",
        _("A relation's oldest overdue invoice older than a number of days"),
    )
    TOTAL_OVERDUE_AMOUNT = "total_overdue_amount", _("Total overdue above an amount")
    TOTAL_OVERDUE_SHARE = "total_overdue_share", _("Overdue above a share of what is open")
    DAYS_OUTSTANDING = "days_outstanding", _("DSO or DPO above a number of days")
    SYNC_FAILING = "sync_failing", _("An import failing twice in a row")
    RECONNECT_NEEDED = "reconnect_needed", _("A key that needs reconnecting")

    @property
    def threshold(self) -> str | None:
        """What the rule's threshold is: "amount", "days", "percent", or None (the imports' rules have none)."""
        return _THRESHOLDS.get(self)

    @property
    def has_side(self) -> bool:
        return self.threshold is not None


_THRESHOLDS = {
    AlertKind.RELATION_OVERDUE_AMOUNT: "amount",
    AlertKind.RELATION_OVERDUE_DAYS: "days",
    AlertKind.TOTAL_OVERDUE_AMOUNT: "amount",
    AlertKind.TOTAL_OVERDUE_SHARE: "percent",
    AlertKind.DAYS_OUTSTANDING: "days",
}


class AlertRule(models.Model):
    """A rule an admin sets: checked after every sync of the organisation's books (``notify.alerts``). Its
    threshold is the one field its kind asks for (``AlertKind.threshold``); its side, for the open items' rules.
    The members who follow it get an e-mail when it fires; every member sees it in the notification list."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="alert_rules")
    kind = models.CharField(max_length=30, choices=AlertKind.choices)
    side = models.CharField(max_length=20, choices=OutstandingSide.choices, default=OutstandingSide.RECEIVABLE)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    days = models.PositiveIntegerField(null=True, blank=True)
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    followers = models.ManyToManyField(Membership, blank=True, related_name="followed_alerts")
    created_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    tenant_path = "organization"
    objects = TenantManager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} rule of {self.organization}"

    @property
    def threshold_value(self) -> Decimal | int | None:
        name = AlertKind(self.kind).threshold
        return getattr(self, name) if name else None


class AlertState(models.Model):
    """Whether a rule's condition holds for one subject (a relation, a connection, or the whole organisation: ""),
    as last checked. A notification is made when it starts to hold (a crossing), not while it keeps holding; once
    it no longer holds the state is deleted, so the next crossing fires again."""

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="states")
    subject = models.CharField(max_length=60, blank=True)
    since = models.DateTimeField()

    tenant_path = "rule__organization"
    objects = TenantManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "subject"], name="alert_state_unique_subject")]

    def __str__(self) -> str:
        return f"{self.subject or 'whole'} of rule {self.rule_id} since {self.since:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """One crossing of a rule, as the notification list shows it. What it says is kept as facts (``kind``,
    ``subject_name``, ``values``), so each reader reads it in their own language; ``link`` is the page to act on."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="notifications")
    rule = models.ForeignKey(AlertRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications")
    kind = models.CharField(max_length=30, choices=AlertKind.choices)
    side = models.CharField(max_length=20, choices=OutstandingSide.choices, blank=True)
    subject_name = models.CharField(max_length=255, blank=True)
    values = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    tenant_path = "organization"
    objects = TenantManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="notification_by_time")]

    def __str__(self) -> str:
        return f"{self.kind} notification of {self.organization}"

    def text(self) -> str:
        """What happened, in the active language (see ``notify.texts``)."""
        from .texts import notification_text

        return notification_text(self)
