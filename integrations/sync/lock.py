"""A per-connection lock, so that two triggers of the same connection never import side by side.

It is a lease on the connection's own row: taken with one conditional UPDATE, renewed while the run makes progress
and while it waits (a Retry-After, a backoff), released at the end. A worker that dies mid-run leaves a lease that
simply expires, so the lock can never stay stuck. The token doubles as a fencing token: the run writes the
connection's status only with an UPDATE that also asks for its own token, so a run that lost the lock to a newer one
can no longer write anything onto the connection.
Written here rather than taken from a library because it must work the same on PostgreSQL and on the SQLite of a
demo, with no Redis; an advisory lock would need a PostgreSQL session and a Redis lock a Redis server.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid

from django.conf import settings
from django.db import connection as db_connection
from django.db import models
from django.utils import timezone

from integrations.models import Connection

LEASE = dt.timedelta(minutes=5)  # the default of settings.MONITR_SYNC_LOCK_LEASE_SECONDS


class LockLost(Exception):
    """The run's lease ran out and another run (or the sweep of interrupted runs) took the lock."""


def lease() -> dt.timedelta:
    """How long a lease lasts without renewal (``MONITR_SYNC_LOCK_LEASE_SECONDS``)."""
    seconds = getattr(settings, "MONITR_SYNC_LOCK_LEASE_SECONDS", None)
    return dt.timedelta(seconds=seconds) if seconds else LEASE


def lease_expired() -> models.Q:
    """Connections whose lock no run holds: never taken, released, or its lease ran out."""
    return (
        models.Q(sync_lock="")
        | models.Q(sync_lock_expires_at__isnull=True)
        | models.Q(sync_lock_expires_at__lte=timezone.now())
    )


def lease_live() -> models.Q:
    """Connections whose lock is held by a run whose lease has not run out."""
    return ~lease_expired()


def lock_acquire(*, connection_id: int) -> str | None:
    """A token for the lock, or None when another run holds a live lease."""
    token = uuid.uuid4().hex
    taken = (
        Connection.objects.filter(pk=connection_id)
        .filter(lease_expired())
        .update(sync_lock=token, sync_lock_expires_at=timezone.now() + lease())
    )
    return token if taken else None


def lock_renew(*, connection_id: int, token: str) -> bool:
    """Extend the lease; False when it was lost (it expired and another run took it)."""
    return bool(
        Connection.objects.filter(pk=connection_id, sync_lock=token).update(
            sync_lock_expires_at=timezone.now() + lease()
        )
    )


def queued_lease() -> dt.timedelta:
    """How long a run paused between slices keeps its lock while its next slice waits in the queue
    (``MONITR_SYNC_QUEUED_LEASE_SECONDS``): longer than any queue a healthy fleet has, short enough that a slice
    whose message was lost does not hold the connection for long (the beat's sweep then frees it)."""
    return dt.timedelta(seconds=getattr(settings, "MONITR_SYNC_QUEUED_LEASE_SECONDS", 3600))


def lock_keep_queued(*, connection_id: int, token: str) -> bool:
    """Keep the lock for the run's next slice while it waits in the queue; False when it was lost."""
    return bool(
        Connection.objects.filter(pk=connection_id, sync_lock=token).update(
            sync_lock_expires_at=timezone.now() + queued_lease()
        )
    )


def lock_resume(*, connection_id: int, token: str) -> bool:
    """Take up the lock a paused run kept for its next slice (``token``), with a fresh lease; False when it is gone
    (its wait ran out and the sweep freed it, or another run holds it now)."""
    return lock_renew(connection_id=connection_id, token=token)


def lock_release(*, connection_id: int, token: str) -> None:
    Connection.objects.filter(pk=connection_id, sync_lock=token).update(sync_lock="", sync_lock_expires_at=None)


class Lease:
    """The lock one run holds, kept alive for as long as the run is alive, waiting included.

    :meth:`wait` is the sleep handed to the provider's client: a 429's ``Retry-After`` or a backoff may be longer
    than the lease, so it sleeps in slices of a third of the lease and renews between them. The client's fetch
    threads wait with it too, a burst of 429s in all of them at once: a renewal that another thread made moments
    ago (a tenth of the lease) is not made again, and one made from a fetch thread opens a database connection of
    its own and closes it again, as that thread has no other use for one.
    """

    def __init__(self, connection_id: int, token: str) -> None:
        self.connection_id, self.token = connection_id, token
        self.lost = False
        self._owner = threading.get_ident()
        self._mutex = threading.Lock()
        self._renewed_at = time.monotonic()

    def renew(self) -> None:
        """Extend the lease now; raises :class:`LockLost` when the run no longer holds it."""
        with self._mutex:
            self._renewed_at = time.monotonic()
        self._renew()

    def wait(self, seconds: float) -> None:
        """Sleep ``seconds``, keeping the lease alive all the while; raises :class:`LockLost` when it was lost."""
        deadline = time.monotonic() + seconds
        slice_seconds = lease().total_seconds() / 3
        while True:
            if self._renewal_due():
                self._renew()
            elif self.lost:
                raise LockLost()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            time.sleep(min(remaining, slice_seconds))

    def _renewal_due(self) -> bool:
        with self._mutex:
            now = time.monotonic()
            if now - self._renewed_at < lease().total_seconds() / 10:
                return False
            self._renewed_at = now  # this thread renews; the others need not as well
            return True

    def _renew(self) -> None:
        if not self.lost:
            try:
                self.lost = not lock_renew(connection_id=self.connection_id, token=self.token)
            finally:
                if threading.get_ident() != self._owner:
                    db_connection.close()
        if self.lost:
            raise LockLost()
