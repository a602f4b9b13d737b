"""The beat's hourly look for digests that have come due (``notify.services.digests_send_due``)."""

from __future__ import annotations

from celery import shared_task

from .services import digests_send_due


@shared_task(expires=3000)
def digests_due() -> int:
    return digests_send_due()
