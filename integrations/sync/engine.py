"""Runs one sync of one connection: lock, SyncRun, the provider's streams in order, outcome, release.

The outcome decides the connection's status: success → Succeeded and the next scheduled time; credentials refused
or expired → Reconnect needed, no retry; a transient error → Failed, and the error is raised again so the Celery
task retries the whole run; anything else → Failed with a plain message, logged with its traceback. The message
users read comes from the typed error, which never holds a credential.

Only the run that holds the lock writes the status (the UPDATE asks for its token): a run whose lease ran out and
that another run took over stops at its next renewal, closes its own SyncRun as interrupted and leaves the
connection to the run that holds the lock, with no retry.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from integrations.errors import IntegrationError
from integrations.http.budget import FIRST_IMPORT, MANUAL, SCHEDULED
from integrations.models import Connection, ConnectionStatus, SyncCursor, SyncRun, SyncRunStatus, SyncTrigger
from integrations.models.connection import INTERRUPTED
from integrations.signals import sync_finished
from ledger.models import Administration
from ledger.signals import books_imported
from monitr.logs import get_logger
from monitr.web.stored_text import stored

from .base import SET_ASIDE_LISTED, SliceOver, Stream, StreamContext, StreamCounts
from .lock import Lease, LockLost, lease_expired, lock_acquire, lock_keep_queued, lock_release, lock_resume
from .schedule import next_scheduled_sync, next_sync_after

log = get_logger(__name__)

# Stored in English like every message of a run; pages translate it (monitr.web.stored_text).
UNEXPECTED = gettext_noop(
    "An unexpected error stopped the import. It has been logged; the next sync will try again. "
    "If it keeps happening, contact support."
)


# Told of every progress step: (stream, done, total). The command's progress bar is one.
Observer = Callable[[str, int, int], None]
# Told as each stream starts: (stream, label), the label the stream gives itself.
StreamObserver = Callable[[str, str], None]


class SyncSkipped(Exception):
    """Another run of the same connection holds the lock."""


@dataclass(frozen=True, slots=True)
class SyncOutcome:
    run_id: int | None
    status: str
    message: str = ""
    # Set when the run paused between slices (``status`` CONTINUED): the lock's token, which the next slice
    # presents to go on with the run.
    token: str = ""


# A run that paused between slices: the next slice goes on with it (integrations.tasks queues it).
CONTINUED = "continued"


@dataclass(frozen=True, slots=True)
class Resume:
    """The run a slice goes on with, and the token of the lock its earlier slice kept."""

    run_id: int
    token: str


class _Progress:
    """Writes progress to the SyncRun at most every ``interval`` seconds, renewing the lock as it goes."""

    def __init__(
        self,
        run: SyncRun,
        lease: Lease,
        observer: Observer | None,
        stream_observer: StreamObserver | None = None,
        interval: float = 0.5,
    ) -> None:
        self.run, self.lease, self.interval = run, lease, interval
        self.observer, self.stream_observer = observer, stream_observer
        self._last = 0.0

    def stream_started(self, stream: Stream, *, going_on: bool = False) -> None:
        self.run.stream, self.run.stream_label = stream.name, stream.label
        if not going_on:  # a slice that goes on with a stream keeps its progress: the stream goes on counting
            self.run.progress_done, self.run.progress_total, self.run.progress_estimated = 0, 0, False
        # Written before the observers hear of it: what they are told is already what pages read.
        self.flush()
        if self.stream_observer is not None:
            self.stream_observer(stream.name, stream.label)

    def __call__(self, done: int, total: int, estimated: bool = False) -> None:
        # An estimate may go down as well as up, but never below what is done.
        new_total = max(total, done) != self.run.progress_total or estimated != self.run.progress_estimated
        self.run.progress_done, self.run.progress_total = done, max(total, done)
        self.run.progress_estimated = estimated and done < total
        if new_total or time.monotonic() - self._last >= self.interval:
            self.flush()
        if self.observer is not None:
            self.observer(self.run.stream, done, max(total, done))

    def flush(self) -> None:
        self._last = time.monotonic()
        SyncRun.objects.filter(pk=self.run.pk).update(
            stream=self.run.stream,
            stream_label=self.run.stream_label,
            progress_done=self.run.progress_done,
            progress_total=self.run.progress_total,
            progress_estimated=self.run.progress_estimated,
        )
        self.lease.renew()


def _cursor_saver(lease: Lease, stream: str):
    connection_id = lease.connection_id

    def save(value: dict) -> None:
        # A run that lost its lock must not move the cursor of the run that took over.
        lease.renew()
        # One INSERT ... ON CONFLICT, saved after every window of a sync: update_or_create takes a savepoint, a
        # SELECT ... FOR UPDATE and an UPDATE for the same.
        SyncCursor.objects.bulk_create(
            [SyncCursor(connection_id=connection_id, stream=stream, value=value)],
            update_conflicts=True,
            unique_fields=["connection", "stream"],
            update_fields=["value", "updated_at"],
        )

    return save


def sync_run_execute(
    *,
    connection_id: int,
    trigger: str,
    full: bool = False,
    since: dt.date | None = None,
    observer: Observer | None = None,
    stream_observer: StreamObserver | None = None,
    slice_seconds: float | None = None,
    resume: Resume | None = None,
    priority: int | None = None,
) -> SyncOutcome:
    """Run one sync now, in this process. Raises :class:`SyncSkipped` when another run holds the lock, and a
    retryable :class:`IntegrationError` after recording it, so a task can retry.

    With ``slice_seconds`` the run works about that long and then pauses at its next committed step, keeping its
    lock: the outcome is CONTINUED with the lock's token, and ``resume`` hands both to the slice that goes on.
    Without it (the command, tests) the run goes to its end. ``priority`` is where its requests queue for the shared
    budget (by default from the trigger and whether the books were ever imported)."""
    token = None
    if resume is not None and lock_resume(connection_id=connection_id, token=resume.token):
        token = resume.token
    else:
        resume = None  # the run it went on with was closed (it waited too long): a new run goes on from the cursors
        token = lock_acquire(connection_id=connection_id)
    if token is None:
        if not Connection.objects.filter(pk=connection_id).exists():
            raise Connection.DoesNotExist(f"Connection {connection_id} does not exist.")
        log.info("sync.skipped", connection_id=connection_id, reason="locked")
        raise SyncSkipped(f"A sync of connection {connection_id} is already running; this one was skipped.")
    outcome = None
    try:
        outcome = _execute(
            lease=Lease(connection_id, token),
            trigger=trigger,
            full=full,
            since=since,
            observers=(observer, stream_observer),
            slice_seconds=slice_seconds,
            resume_run=resume.run_id if resume is not None else None,
            priority=priority,
        )
        return outcome
    finally:
        if outcome is None or outcome.status != CONTINUED:
            lock_release(connection_id=connection_id, token=token)


def _execute(
    *,
    lease: Lease,
    trigger: str,
    full: bool,
    since: dt.date | None,
    observers: tuple[Observer | None, StreamObserver | None],
    slice_seconds: float | None = None,
    resume_run: int | None = None,
    priority: int | None = None,
) -> SyncOutcome:
    connection_id = lease.connection_id
    connection = Connection.objects.select_related("integration", "administration").get(pk=connection_id)
    if connection.status == ConnectionStatus.RECONNECT_NEEDED:
        log.info("sync.skipped", connection_id=connection_id, reason="reconnect_needed")
        return SyncOutcome(None, SyncRunStatus.SKIPPED, connection.status_message)
    run = None
    if resume_run is not None:
        run = SyncRun.objects.filter(pk=resume_run, connection_id=connection_id, status=SyncRunStatus.RUNNING).first()
    # A run still marked running holds no lease any more (we hold it now): its worker died or stalled mid-import.
    runs_interrupted_close(connection_id=connection_id, but=run.pk if run is not None else None)
    if run is None:
        run = SyncRun.objects.create(
            connection=connection,
            administration=connection.administration,
            trigger=trigger,
            full=full or since is not None,
            priority=priority if priority is not None else priority_of(trigger, connection),
        )
    else:
        since = None  # a run that goes on starts from the cursors its earlier slices saved
    run.connection = connection  # as read here, with its integration: _finish reads the provider from it
    try:
        _connection_update(lease, status=ConnectionStatus.IN_PROGRESS, status_message="")
        return _run(
            run,
            connection,
            lease,
            since=since,
            progress=_Progress(run, lease, *observers),
            deadline=time.monotonic() + slice_seconds if slice_seconds else None,
        )
    except LockLost:
        # Another run holds the lock now and owns the connection's status: leave it alone, close only our own run
        # (the run that took over has normally closed it already).
        log.warning("sync.lock_lost", connection_id=connection_id, run_id=run.pk)
        runs_interrupted_close(connection_id=connection_id, run_id=run.pk)
        return SyncOutcome(run.pk, SyncRunStatus.FAILED, INTERRUPTED)


def _run(
    run: SyncRun,
    connection: Connection,
    lease: Lease,
    *,
    since: dt.date | None,
    progress: _Progress,
    deadline: float | None = None,
) -> SyncOutcome:
    connection_id = connection.pk
    started = time.monotonic()
    resumed = dict(run.resume) if run.slices else {}
    log.info(
        "sync.started" if not resumed else "sync.resumed",
        connection_id=connection_id,
        run_id=run.pk,
        trigger=run.trigger,
        full=run.full,
        slice=run.slices + 1,
    )
    run.slices += 1
    calls_before = dict(run.api_calls)
    source = None
    try:
        source = connection.integration.provider.open_source(
            secret=dict(connection.credentials),
            transport=connection.transport,
            external_id=connection.administration.external_id,
            wait=lease.wait,
            priority=run.priority,
            since=run.started_at.timestamp(),
        )
        if resumed.get("state") is not None and hasattr(source, "resume"):
            source.resume(resumed["state"])
        # What the run will do, for the pages that say what is in and what is still coming.
        run.plan = [{"name": s.name, "label": s.label, "brings": s.brings} for s in source.streams]
        run.resume = {}
        SyncRun.objects.filter(pk=run.pk).update(plan=run.plan, slices=run.slices, resume={})
        cursors = {c.stream: c.value for c in SyncCursor.objects.filter(connection_id=connection_id)}
        names = [stream.name for stream in source.streams]
        first = names.index(resumed["stream"]) if resumed.get("stream") in names else 0
        for index, stream in enumerate(source.streams):
            if index < first:
                continue  # done by an earlier slice of this run
            going_on = index == first and bool(resumed)
            progress.stream_started(stream, going_on=going_on)
            ctx = StreamContext(
                administration=connection.administration,
                # A full run reads from the start, but a slice that goes on with it from where the last one stopped.
                cursor={} if run.full and not going_on else dict(cursors.get(stream.name, {})),
                full=run.full,
                since=since,
                today=timezone.localdate(),
                lookback_days=settings.MONITR_SYNC_LOOKBACK_DAYS,
                reread_days=settings.MONITR_SYNC_REREAD_DAYS,
                save_cursor=_cursor_saver(lease, stream.name),
                progress=progress,
                slice_over=(lambda: time.monotonic() >= deadline)
                if deadline is not None and hasattr(source, "suspend")
                else (lambda: False),
                resumed=going_on,
            )
            try:
                counts: StreamCounts = stream.run(ctx)
            except SliceOver as over:
                _add_counts(run, stream, over.counts)
                return _pause(run, source, lease, stream.name, calls_before)
            # The label and the kind of records go with the counts: the history names each stream as the stream named
            # itself, and the summary counts per kind.
            _add_counts(run, stream, counts)
            run.api_calls = _calls(calls_before, source)
            SyncRun.objects.filter(pk=run.pk).update(counts=run.counts, api_calls=run.api_calls)
            log.info("sync.stream.finished", connection_id=connection_id, stream=stream.name, **counts.log_fields())
    except LockLost:
        raise
    except IntegrationError as error:
        _finish(run, source, lease, error=error, calls_before=calls_before)
        log.warning(
            "sync.failed", connection_id=connection_id, run_id=run.pk, error=type(error).__name__, code=error.code
        )
        if error.retryable:
            raise
        return SyncOutcome(run.pk, SyncRunStatus.FAILED, stored(error.user_message))
    except Exception:
        log.exception("sync.crashed", connection_id=connection_id, run_id=run.pk)
        _finish(run, source, lease, error=None, unexpected=True, calls_before=calls_before)
        return SyncOutcome(run.pk, SyncRunStatus.FAILED, UNEXPECTED)
    finally:
        if source is not None:
            source.close()
    _finish(run, source, lease, error=None, calls_before=calls_before)
    log.info(
        "sync.finished",
        connection_id=connection_id,
        run_id=run.pk,
        seconds=round(time.monotonic() - started, 1),
        api_calls=run.api_calls_total,
    )
    return SyncOutcome(run.pk, SyncRunStatus.SUCCEEDED)


def _add_counts(run: SyncRun, stream: Stream, counts: StreamCounts) -> None:
    """Add what a stream did to the run's counts: a stream paused between slices adds up over them."""
    done = counts.as_dict()
    earlier = run.counts.get(stream.name) or {}
    for key, value in earlier.items():
        if key == "set_aside_records":
            done[key] = (value + done.get(key, []))[:SET_ASIDE_LISTED]
        elif isinstance(value, int) and not isinstance(value, bool):
            done[key] = done.get(key, 0) + value
    run.counts[stream.name] = {**done, "label": stream.label}
    if stream.records:
        run.counts[stream.name]["records"] = str(stream.records)


def _calls(before: dict[str, int], source) -> dict[str, int]:
    """The run's API calls: its earlier slices' and this slice's source's."""
    calls = dict(before)
    for endpoint, count in source.api_calls().items():
        calls[endpoint] = calls.get(endpoint, 0) + count
    return calls


def _pause(run: SyncRun, source, lease: Lease, stream: str, calls_before: dict[str, int]) -> SyncOutcome:
    """End this slice: keep where the run goes on and what the source learned, keep the lock for the next slice
    (renewed for as long as a slice may wait in the queue), and say so. The task queues the next slice."""
    run.api_calls = _calls(calls_before, source)
    run.resume = {"stream": stream, "state": source.suspend()}
    SyncRun.objects.filter(pk=run.pk).update(counts=run.counts, api_calls=run.api_calls, resume=run.resume)
    lock_keep_queued(connection_id=lease.connection_id, token=lease.token)
    log.info("sync.paused", connection_id=lease.connection_id, run_id=run.pk, stream=stream, slice=run.slices)
    return SyncOutcome(run.pk, CONTINUED, token=lease.token)


def priority_of(trigger: str, connection: Connection) -> int:
    """Where a run's work queues: asked by a person first, then first imports, then the schedule."""
    if trigger in (SyncTrigger.MANUAL, SyncTrigger.COMMAND, SyncTrigger.RECONNECT):
        return MANUAL
    if trigger == SyncTrigger.CONNECT or connection.last_success_at is None:
        return FIRST_IMPORT
    return SCHEDULED


def _connection_update(lease: Lease, **fields) -> None:
    """Write the connection's status, fenced: the same UPDATE asks for this run's token, so a run that lost the
    lock to a newer one (or to the sweep of interrupted runs) writes nothing and stops with :class:`LockLost`."""
    if not Connection.objects.filter(pk=lease.connection_id, sync_lock=lease.token).update(**fields):
        lease.lost = True
        raise LockLost()


def runs_interrupted_close(
    *, connection_id: int | None = None, run_id: int | None = None, but: int | None = None
) -> int:
    """Mark runs still marked running as interrupted: every such run of ``connection_id`` (whose lock the caller
    holds) except ``but`` (the run it goes on with), the run ``run_id``, or, with neither, the runs of every
    connection that no live lease protects."""
    runs = SyncRun.objects.filter(status=SyncRunStatus.RUNNING)
    if run_id is not None:
        runs = runs.filter(pk=run_id)
    elif connection_id is not None:
        runs = runs.filter(connection_id=connection_id)
        if but is not None:
            runs = runs.exclude(pk=but)
    else:
        # One statement, the lease read in it: a run that takes the lock meanwhile creates its SyncRun after.
        runs = runs.filter(connection__in=Connection.objects.filter(lease_expired()))
    return runs.update(
        status=SyncRunStatus.FAILED, finished_at=timezone.now(), error_code="interrupted", error_message=INTERRUPTED
    )


def interrupted_sweep() -> int:
    """Close what runs whose lease ran out left behind, so it is on record and the beat starts them again: their
    SyncRuns become interrupted, and their connections Failed and due at once, the dead lock cleared (a run that was
    only stalled finds its token gone and stops). Returns how many connections it marked."""
    runs_interrupted_close()
    return (
        Connection.objects.filter(status=ConnectionStatus.IN_PROGRESS)
        .filter(lease_expired())
        .update(
            status=ConnectionStatus.FAILED,
            status_message=INTERRUPTED,
            sync_lock="",
            sync_lock_expires_at=None,
            next_sync_at=timezone.now(),
        )
    )


@transaction.atomic
def _finish(
    run,
    source,
    lease: Lease,
    *,
    error: IntegrationError | None,
    unexpected: bool = False,
    calls_before: dict[str, int] | None = None,
) -> None:
    now = timezone.now()
    if source is not None:
        run.api_calls = _calls(calls_before or {}, source)
    run.finished_at = now
    if error is None and not unexpected:
        run.status = SyncRunStatus.SUCCEEDED
        connection_update = {
            "status": ConnectionStatus.SUCCEEDED,
            "status_message": "",
            "last_success_at": now,
            # The run's connection, as _execute read it (with its integration): no query.
            "next_sync_at": next_scheduled_sync(run.connection.integration.provider, now, run.connection_id),
        }
    else:
        message = stored(error.user_message) if error is not None else UNEXPECTED
        run.status = SyncRunStatus.FAILED
        run.error_code = (error.code or type(error).__name__) if error is not None else "unexpected"
        run.error_message = message
        reconnect = error is not None and error.reconnect_needed
        connection_update = {
            "status": ConnectionStatus.RECONNECT_NEEDED if reconnect else ConnectionStatus.FAILED,
            "status_message": message,
        }
        if not reconnect:
            # An error may say when trying again makes sense (a monthly call limit: when the month ends).
            retry_at = getattr(error, "retry_at", None)
            connection_update["next_sync_at"] = retry_at or next_sync_after(now, run.connection_id)
    # First, and fenced: a run that is no longer the current one raises here and writes nothing at all. The lock is
    # let go in the same statement: once the run shows as ended, a Sync now or the schedule may start the next one,
    # not be skipped while the receivers warm the dashboards' figures (after the commit, outside the lock).
    _connection_update(lease, **connection_update, sync_lock="", sync_lock_expires_at=None)
    if run.status == SyncRunStatus.SUCCEEDED:
        Administration.objects.filter(pk=run.administration_id).update(last_imported_at=now)
    transaction.on_commit(lambda: _announce(run))
    run.save(
        update_fields=[
            "finished_at",
            "status",
            "error_code",
            "error_message",
            "api_calls",
            "counts",
            "stream",
            "stream_label",
            "progress_done",
            "progress_total",
            "progress_estimated",
        ]
    )


def _announce(run: SyncRun) -> None:
    """Tell the apps above of the finished run (``integrations.signals``, ``ledger.signals``), once committed."""
    administration = Administration.objects.filter(pk=run.administration_id).select_related("organization").first()
    announced = [(sync_finished, {"sender": SyncRun, "run": run, "administration": administration})]
    if run.status == SyncRunStatus.SUCCEEDED and administration is not None:
        announced.append((books_imported, {"sender": Administration, "administration": administration}))
    for signal, arguments in announced:
        for receiver, outcome in signal.send_robust(**arguments):
            if isinstance(outcome, Exception):
                log.error(
                    "sync.receiver_failed",
                    receiver=getattr(receiver, "__qualname__", repr(receiver)),
                    run_id=run.pk,
                    exc_info=outcome,
                )
