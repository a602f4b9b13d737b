"""Calls made to a provider per credential and calendar month, for providers that meter calls by the month
(e-Boekhouden's legacy SOAP API: about 5,000 a month per login)."""

from __future__ import annotations

import datetime as dt

from django.db import models, transaction
from django.db.models import F


class MonthlyCalls(models.Model):
    """The calls Monitr made with one credential in one month, every connection and run together. ``credential``
    names it by a keyed hash (``eboekhouden.client.transport.credential_key``), never by the credential itself; the
    row belongs to the login, not to an organisation (two organisations may use one login)."""

    provider = models.CharField(max_length=40)
    credential = models.CharField(max_length=80)
    month = models.DateField(help_text="The month's first day.")
    calls = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "credential", "month"], name="monthly_calls_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.month:%Y-%m}: {self.calls}"


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def monthly_calls_used(*, provider: str, credential: str, day: dt.date) -> int:
    """The calls made with ``credential`` in the month of ``day``."""
    row = MonthlyCalls.objects.filter(provider=provider, credential=credential, month=month_of(day)).first()
    return row.calls if row is not None else 0


def monthly_calls_add(*, provider: str, credential: str, day: dt.date, calls: int) -> None:
    """Count ``calls`` more in the month of ``day`` (atomically: runs of one login may end at the same moment)."""
    if calls <= 0:
        return
    month = month_of(day)
    with transaction.atomic():
        row, created = MonthlyCalls.objects.select_for_update().get_or_create(
            provider=provider, credential=credential, month=month, defaults={"calls": calls}
        )
        if not created:
            MonthlyCalls.objects.filter(pk=row.pk).update(calls=F("calls") + calls)
