"""Celery tasks of the integrations: one sync of one connection, and the beat entry that starts due syncs.

Only ids travel through the broker, never credentials. Transient errors (network, 5xx, rate limits) retry the whole
run with exponential backoff and jitter; refused keys never retry (the engine marks the connection instead).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext
from kombu.exceptions import OperationalError

from integrations.errors import TransientError
from integrations.http.budget import FIRST_IMPORT, MANUAL, SCHEDULED
from integrations.models import Connection, ConnectionStatus, SyncRun, SyncRunStatus, SyncTrigger
from monitr.logs import get_logger

from .sync.engine import CONTINUED, Resume, SyncSkipped, interrupted_sweep, sync_run_execute
from .sync.lock import lease, lease_live

log = get_logger(__name__)

ENQUEUE_EVERY_SECONDS = 300
RETRY_UNSTARTED_AFTER = dt.timedelta(hours=1)
COVERED = "A sync that started after this one was asked for has already brought the books up to date."


# The broker's priority of a run's first slice (kombu's Redis steps, lower first; see
# CELERY_BROKER_TRANSPORT_OPTIONS), by the run's priority in the shared budget.
QUEUE_PRIORITY = {MANUAL: 0, FIRST_IMPORT: 3, SCHEDULED: 6}
# And of its next slices: a lane just ahead of the runs of its priority that have not started, still behind a
# person's Sync now. A run under way gives its thread back after every slice, so a Sync now gets in between; but it
# does not queue again behind every import that arrived after it started: behind a long queue a large import would
# get one slice per turn of the whole queue, end long after the rest, and spend its end alone at the source's cap for
# one key, half the budget unused. Only while fewer than half of the runs working are runs of its priority in slices
# with more left to do than it: the runs with the most left go on at once (the fleet ends soonest when the longest
# work never waits), the rest queue behind the new runs again, so that runs in slices together never hold more than
# about half of the threads, whatever the number of workers, and small imports keep being served.
CONTINUE_PRIORITY = {MANUAL: 0, FIRST_IMPORT: 2, SCHEDULED: 5}
TRIGGER_PRIORITY = {
    SyncTrigger.MANUAL: MANUAL,
    SyncTrigger.COMMAND: MANUAL,
    SyncTrigger.RECONNECT: MANUAL,
    SyncTrigger.CONNECT: FIRST_IMPORT,
    SyncTrigger.SCHEDULE: SCHEDULED,
}


class SyncTask(Task):
    """Stamps every message with the moment the sync was asked for (``requested_at``), so that requests made
    together (Sync now, the beat and the command at the same moment) give one run, however many workers there
    are and whenever they get to the messages."""

    def apply_async(self, args: Any = None, kwargs: Any = None, *more: Any, **options: Any) -> Any:
        headers = {"requested_at": timezone.now().isoformat(), **(options.pop("headers", None) or {})}
        if "priority" not in options and args and len(args) > 1:
            # The broker's lane by the trigger: a person's request first, then a new connection's first import, then
            # the schedule. (A slice that goes on with a run names its run's priority itself.)
            options["priority"] = QUEUE_PRIORITY[TRIGGER_PRIORITY.get(args[1], SCHEDULED)]
        return super().apply_async(args, kwargs, *more, headers=headers, **options)


def _covered(connection_id: int, requested_at: str | None) -> bool:
    """A run that started after the request and succeeded already brought the books up to date for it."""
    if not requested_at:
        return False
    return SyncRun.objects.filter(
        connection_id=connection_id,
        started_at__gte=dt.datetime.fromisoformat(requested_at),
        status=SyncRunStatus.SUCCEEDED,
    ).exists()


@shared_task(
    base=SyncTask,
    bind=True,
    autoretry_for=(TransientError,),
    retry_backoff=30,
    retry_backoff_max=15 * 60,
    retry_jitter=True,
    max_retries=4,
)
def sync_connection(
    self,
    connection_id: int,
    trigger: str = SyncTrigger.SCHEDULE,
    full: bool = False,
    since: str | None = None,
    resume: dict | None = None,
) -> str:
    """One slice of a sync: at most about ``MONITR_SYNC_SLICE_SECONDS`` of work, then the rest of the run is
    queued again (``resume`` names the run and its lock's token; the lane: ``CONTINUE_PRIORITY``), so a large import
    gives its thread back to a person's Sync now between slices. Slices of one connection never run at once: the
    lock stays with the run between them."""
    if not resume and not full and not since and _covered(connection_id, getattr(self.request, "requested_at", None)):
        log.info("sync.skipped", connection_id=connection_id, reason="covered")
        return COVERED
    try:
        outcome = sync_run_execute(
            connection_id=connection_id,
            trigger=trigger,
            full=full,
            since=dt.date.fromisoformat(since) if since else None,
            slice_seconds=settings.MONITR_SYNC_SLICE_SECONDS or None,
            resume=Resume(resume["run"], resume["token"]) if resume else None,
        )
    except SyncSkipped as skipped:
        if trigger == SyncTrigger.MANUAL:
            _hurry(connection_id)
        if _redelivered(self.request) and self.request.retries < self.max_retries:
            # The broker handed this task out again because the worker running it died before acknowledging it
            # (acks late). The lock may still hold the dead run's lease: come back once that has run out instead
            # of dropping the import.
            log.info("sync.redelivered_while_locked", connection_id=connection_id)
            raise self.retry(countdown=lease().total_seconds() + 1) from None
        return str(skipped)
    except Connection.DoesNotExist:
        log.info("sync.gone", connection_id=connection_id)
        return "The connection no longer exists."
    if outcome.status == CONTINUED:
        _continue(connection_id, trigger, outcome)
    return outcome.status


def _continue(connection_id: int, trigger: str, outcome) -> None:
    """Queue the run's next slice at its run's priority (raised meanwhile if a person asked for a sync): in the lane
    for runs under way while fewer than half of the other runs working now are of that priority, in slices and with
    more left to do (the running stream's estimate), else behind the runs not yet started. (The runs working are
    about the workers' threads busy, on every machine.)"""
    found = SyncRun.objects.filter(pk=outcome.run_id).values_list("priority", "progress_done", "progress_total").first()
    priority, done, total = found if found is not None else (SCHEDULED, 0, 0)
    others = (
        SyncRun.objects.filter(status=SyncRunStatus.RUNNING)
        .exclude(pk=outcome.run_id)
        .annotate(left=F("progress_total") - F("progress_done"))
    )
    counts = others.aggregate(
        working=Count("pk", filter=Q(resume={})),  # not waiting between slices
        # working on a later slice, or waiting for its next, with more to do
        longer=Count(
            "pk",
            filter=Q(priority=priority, left__gt=max(0, total - done)) & (Q(slices__gte=2) | ~Q(resume={})),
        ),
    )
    lanes = CONTINUE_PRIORITY if counts["longer"] < counts["working"] // 2 else QUEUE_PRIORITY
    sync_connection.apply_async(
        (connection_id, trigger),
        {"resume": {"run": outcome.run_id, "token": outcome.token}},
        priority=lanes.get(priority, lanes[SCHEDULED]),
    )


def _hurry(connection_id: int) -> None:
    """Sync now on a connection whose run is under way: its remaining slices go first from now on."""
    SyncRun.objects.filter(connection_id=connection_id, status=SyncRunStatus.RUNNING).update(priority=MANUAL)


def _redelivered(request) -> bool:
    return bool((request.delivery_info or {}).get("redelivered"))


class SyncUnavailable(Exception):
    """The broker could not take the sync: nothing was queued. ``str()`` is the message for the user."""


def sync_enqueue(
    *, connection: Connection, trigger: str, full: bool = False, on_unavailable: Callable[[], None] | None = None
) -> None:
    """Start a sync of ``connection`` in the worker once the current transaction commits. When the broker cannot be
    reached, ``on_unavailable`` undoes what announced the sync, and :class:`SyncUnavailable` is raised from the
    commit."""
    connection_id = connection.pk

    def publish() -> None:
        try:
            sync_connection.delay(connection_id, trigger, full)
        except (OperationalError, OSError) as exc:
            log.warning("sync.enqueue_failed", connection_id=connection_id, trigger=trigger, error=type(exc).__name__)
            if on_unavailable is not None:
                on_unavailable()
            raise SyncUnavailable(
                gettext(
                    "Syncing is unavailable right now: Monitr cannot reach its task queue. Try again in a few minutes."
                )
            ) from exc

    transaction.on_commit(publish)


@shared_task(expires=ENQUEUE_EVERY_SECONDS - 10)
def enqueue_due_syncs() -> int:
    """Start every connection whose scheduled time has passed. Runs from beat every few minutes; the entry expires
    before the next one is due, so late beats do not pile up.

    First it closes runs whose lease ran out (their worker died): those connections become due at once. A connection
    that never got a next time and never imported (its first import was never started) is due once the grace has
    passed. One whose provider is not scheduled has no next time after an import that succeeded, and so is not due
    until something asks for a sync (new data, Sync now) or a failure is to be tried again."""
    interrupted = interrupted_sweep()
    if interrupted:
        log.warning("sync.interrupted", count=interrupted)
    now = timezone.now()
    never_scheduled = Q(
        next_sync_at__isnull=True, last_success_at__isnull=True, created_at__lte=now - RETRY_UNSTARTED_AFTER
    )
    due = (
        Connection.objects.filter(Q(next_sync_at__lte=now) | never_scheduled)
        .exclude(status=ConnectionStatus.RECONNECT_NEEDED)
        .exclude(lease_live())
    )
    ids = list(due.values_list("pk", flat=True))
    # Push the schedule on, so a busy worker is not handed the same connections again at the next beat (one
    # statement for all of them); the run itself sets the real next time when it ends, and a run that never starts
    # is tried again after the grace.
    Connection.objects.filter(pk__in=ids).update(next_sync_at=now + RETRY_UNSTARTED_AFTER)
    for connection_id in ids:
        sync_connection.delay(connection_id, SyncTrigger.SCHEDULE)
    if ids:
        log.info("sync.enqueued", count=len(ids))
    return len(ids)
