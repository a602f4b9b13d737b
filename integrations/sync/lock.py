"""A per-connection lock, so that two triggers of the same connection never import side by side.

It is a lease on the connection's own row: taken with one conditional UPDATE, renewed while the run makes progress,
released at the end. A worker that dies mid-run leaves a lease that simply expires, so the lock can never stay stuck.
Written here rather than taken from a library because it must work the same on PostgreSQL and on the SQLite of a
demo, with no Redis; an advisory lock would need a PostgreSQL session and a Redis lock a Redis server.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from integrations.models import Connection

LEASE = dt.timedelta(minutes=5)  # the default of settings.MONITR_SYNC_LOCK_LEASE_SECONDS


def lease() -> dt.timedelta:
    """How long a lease lasts without renewal (``MONITR_SYNC_LOCK_LEASE_SECONDS``)."""
    seconds = getattr(settings, "MONITR_SYNC_LOCK_LEASE_SECONDS", None)
    return dt.timedelta(seconds=seconds) if seconds else LEASE


def lock_acquire(*, connection_id: int) -> str | None:
    """A token for the lock, or None when another run holds a live lease."""
    token = uuid.uuid4().hex
    now = timezone.now()
    taken = (
        Connection.objects.filter(pk=connection_id)
        .filter(models.Q(sync_lock="") | models.Q(sync_lock_expires_at__lt=now))
        .update(sync_lock=token, sync_lock_expires_at=now + lease())
    )
    return token if taken else None


def lock_renew(*, connection_id: int, token: str) -> bool:
    """Extend the lease; False when it was lost (it expired and another run took it)."""
    return bool(
        Connection.objects.filter(pk=connection_id, sync_lock=token).update(
            sync_lock_expires_at=timezone.now() + lease()
        )
    )


def lock_release(*, connection_id: int, token: str) -> None:
    Connection.objects.filter(pk=connection_id, sync_lock=token).update(sync_lock="", sync_lock_expires_at=None)
