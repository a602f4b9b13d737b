"""The Celery tasks: due connections are started, only ids travel, a locked connection is skipped."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from celery.exceptions import Retry
from django.conf import settings
from django.utils import timezone

from integrations import tasks
from integrations.http.budget import FIRST_IMPORT, MANUAL, SCHEDULED
from integrations.models import Connection, ConnectionStatus, SyncRun, SyncRunStatus
from integrations.models.connection import INTERRUPTED
from integrations.sync.engine import CONTINUED, SyncOutcome
from integrations.sync.lock import lock_acquire

pytestmark = pytest.mark.django_db


@pytest.fixture
def delayed(monkeypatch):
    calls = []
    monkeypatch.setattr(tasks.sync_connection, "delay", lambda *args: calls.append(args))
    return calls


def test_due_connections_are_started_with_their_id_only(connection, delayed):
    connection.next_sync_at = timezone.now() - dt.timedelta(minutes=1)
    connection.save()

    assert tasks.enqueue_due_syncs() == 1

    assert delayed == [(connection.pk, "schedule")]


def test_a_started_connection_is_not_handed_out_again_at_the_next_beat(connection, delayed):
    connection.next_sync_at = timezone.now() - dt.timedelta(minutes=1)
    connection.save()

    tasks.enqueue_due_syncs()
    tasks.enqueue_due_syncs()

    assert len(delayed) == 1


def test_connections_not_yet_due_or_needing_a_reconnect_wait(connection, delayed):
    connection.next_sync_at = timezone.now() + dt.timedelta(minutes=1)
    connection.save()
    assert tasks.enqueue_due_syncs() == 0

    connection.next_sync_at = timezone.now() - dt.timedelta(minutes=1)
    connection.status = ConnectionStatus.RECONNECT_NEEDED
    connection.save()
    assert tasks.enqueue_due_syncs() == 0
    assert delayed == []


def test_the_task_runs_a_sync(connection, fake_provider):
    assert tasks.sync_connection.apply(args=(connection.pk, "manual")).get() == "succeeded"

    assert SyncRun.objects.get().trigger == "manual"


def test_the_task_skips_a_connection_that_is_already_syncing(connection, fake_provider):
    lock_acquire(connection_id=connection.pk)

    result = tasks.sync_connection.apply(args=(connection.pk, "manual")).get()

    assert "already running" in result
    assert not SyncRun.objects.exists()


def _run_as_delivered(task, *args, redelivered: bool = False, requested_at: str | None = None):
    task.push_request(delivery_info={"redelivered": redelivered}, retries=0, requested_at=requested_at)
    try:
        return task.run(*args)
    finally:
        task.pop_request()


def test_a_redelivered_task_that_finds_a_dead_runs_lease_comes_back_after_it(
    connection, fake_provider, settings, monkeypatch
):
    settings.MONITR_SYNC_LOCK_LEASE_SECONDS = 7
    lock_acquire(connection_id=connection.pk)  # the lease of a run whose worker was killed
    retried = []
    monkeypatch.setattr(tasks.sync_connection, "retry", lambda **kwargs: retried.append(kwargs) or Retry())

    with pytest.raises(Retry):
        _run_as_delivered(tasks.sync_connection, connection.pk, "manual", redelivered=True)

    assert retried == [{"countdown": 8.0}]
    assert "already running" in _run_as_delivered(tasks.sync_connection, connection.pk, "manual", redelivered=False)
    assert len(retried) == 1  # a first delivery that meets a live run is skipped, as before
    assert not SyncRun.objects.exists()


def test_a_request_that_a_later_successful_run_covered_gives_no_second_run(connection, fake_provider):
    asked = timezone.now().isoformat()
    assert tasks.sync_connection.apply(args=(connection.pk, "manual")).get() == "succeeded"

    assert _run_as_delivered(tasks.sync_connection, connection.pk, "schedule", requested_at=asked) == tasks.COVERED
    # A full re-read is never covered by an incremental run, and a request made after the run starts one.
    assert _run_as_delivered(tasks.sync_connection, connection.pk, "command", True, requested_at=asked) == "succeeded"
    later = timezone.now().isoformat()
    assert _run_as_delivered(tasks.sync_connection, connection.pk, "manual", requested_at=later) == "succeeded"
    assert SyncRun.objects.count() == 3


def test_every_queued_sync_says_when_it_was_asked_for_in_the_lane_of_its_trigger(connection, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.Task, "apply_async", lambda self, args, kwargs, **options: sent.append(options))

    with time_machine.travel(dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        for trigger in ("manual", "connect", "schedule"):
            tasks.sync_connection.delay(connection.pk, trigger)

    asked = {"requested_at": "2026-03-01T12:00:00+00:00"}
    # A person's Sync now goes first, a new connection's first import next, the schedule last (lower goes first).
    assert sent == [{"headers": asked, "priority": priority} for priority in (0, 3, 6)]


@pytest.mark.skipif(not settings.CELERY_BROKER_URL.startswith("redis"), reason="the lanes are kombu's Redis lists")
def test_a_runs_next_slice_has_a_lane_of_its_own_ahead_of_new_runs_of_its_priority_behind_sync_now():
    from monitr.celery import app

    with app.connection_for_write() as connection:
        lane = connection.default_channel.priority  # the list kombu puts a message of a priority in
        order = [
            lane(tasks.QUEUE_PRIORITY[MANUAL]),
            lane(tasks.CONTINUE_PRIORITY[FIRST_IMPORT]),
            lane(tasks.QUEUE_PRIORITY[FIRST_IMPORT]),
            lane(tasks.CONTINUE_PRIORITY[SCHEDULED]),
            lane(tasks.QUEUE_PRIORITY[SCHEDULED]),
        ]
    # Workers take from the lowest lane that holds a message: each its own list, in this order.
    assert order == sorted(set(order))
    assert lane(tasks.CONTINUE_PRIORITY[MANUAL]) == order[0]


def test_a_paused_run_goes_ahead_of_new_runs_while_under_half_of_those_working_are_in_slices_with_more_left(
    connection, monkeypatch
):
    sent = []
    monkeypatch.setattr(tasks.Task, "apply_async", lambda self, args, kwargs, **options: sent.append(options))

    def run(*, left: int, priority: int = FIRST_IMPORT, slices: int = 1, between: bool = True) -> SyncRun:
        return SyncRun.objects.create(
            connection=connection,
            administration=connection.administration,
            trigger="connect",
            status=SyncRunStatus.RUNNING,
            priority=priority,
            slices=slices,
            progress_done=100,
            progress_total=100 + left,
            resume={"stream": "mutations", "state": {}} if between else {},
        )

    def pause(paused: SyncRun) -> int:
        tasks._continue(connection.pk, "connect", SyncOutcome(paused.pk, CONTINUED, token="t"))
        return sent[-1]["priority"]

    paused = run(left=400)
    assert pause(paused) == tasks.QUEUE_PRIORITY[FIRST_IMPORT]  # nothing else works: any free thread takes it
    for _ in range(3):
        run(left=9000, between=False)  # working on their first slice
    run(left=9000, priority=SCHEDULED, slices=3, between=False)  # working, in slices of another priority
    SyncRun.objects.filter(pk=run(left=9000, slices=4, between=False).pk).update(status=SyncRunStatus.SUCCEEDED)
    assert pause(paused) == tasks.CONTINUE_PRIORITY[FIRST_IMPORT]  # four working, none of them counts
    run(left=500, slices=2, between=False)  # working on its second slice, with more left: five working, one counts
    run(left=300)  # waiting for its next slice, with less left: does not count
    assert pause(paused) == tasks.CONTINUE_PRIORITY[FIRST_IMPORT]
    run(left=500)  # waiting for its next slice, with more left: two of five working, so this one queues behind
    assert pause(paused) == tasks.QUEUE_PRIORITY[FIRST_IMPORT]
    assert pause(run(left=5000)) == tasks.CONTINUE_PRIORITY[FIRST_IMPORT]  # the most left goes on at once
    run(left=9000, between=False)
    assert pause(paused) == tasks.QUEUE_PRIORITY[FIRST_IMPORT]  # three with more left, of six working
    run(left=9000, between=False)
    run(left=9000, between=False)
    assert pause(paused) == tasks.CONTINUE_PRIORITY[FIRST_IMPORT]  # three of eight
    # A person's Sync now always goes first.
    assert pause(run(left=0, priority=MANUAL)) == tasks.QUEUE_PRIORITY[MANUAL]


def test_the_task_of_a_removed_connection_ends_quietly(db):
    assert tasks.sync_connection.apply(args=(987654, "schedule")).get() == "The connection no longer exists."


def test_sync_enqueue_waits_for_the_commit(connection, delayed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sync_enqueue(connection=connection, trigger="connect")

    assert delayed == [(connection.pk, "connect", False)]


class TestRunsWhoseWorkerDied:
    """The beat closes a run whose lease ran out and starts its connection again at once, a first import too."""

    def dead_run(self, connection, settings) -> SyncRun:
        settings.MONITR_SYNC_LOCK_LEASE_SECONDS = 2
        Connection.objects.filter(pk=connection.pk).update(status=ConnectionStatus.IN_PROGRESS)
        lock_acquire(connection_id=connection.pk)
        return SyncRun.objects.create(
            connection=connection, administration=connection.administration, trigger="connect"
        )

    def test_a_first_import_whose_worker_died_is_closed_and_started_again(self, connection, delayed, settings):
        run = self.dead_run(connection, settings)
        assert connection.next_sync_at is None  # a first import: never scheduled yet

        with time_machine.travel(timezone.now() + dt.timedelta(seconds=3)):
            assert tasks.enqueue_due_syncs() == 1

        assert delayed == [(connection.pk, "schedule")]
        run.refresh_from_db()
        assert (run.status, run.error_code, run.error_message) == (SyncRunStatus.FAILED, "interrupted", INTERRUPTED)
        connection.refresh_from_db()
        assert (connection.status, connection.status_message) == (ConnectionStatus.FAILED, INTERRUPTED)
        assert connection.sync_lock == ""  # a run that was only stalled finds its token gone and stops
        assert connection.can_sync

    def test_a_scheduled_run_whose_worker_died_is_started_again_before_its_next_time(
        self, connection, delayed, settings
    ):
        connection.next_sync_at = timezone.now() + dt.timedelta(hours=3)  # pushed on when the beat started it
        connection.save()
        self.dead_run(connection, settings)

        with time_machine.travel(timezone.now() + dt.timedelta(seconds=3)):
            assert tasks.enqueue_due_syncs() == 1

        assert delayed == [(connection.pk, "schedule")]

    def test_a_live_run_is_left_alone(self, connection, delayed, settings):
        run = self.dead_run(connection, settings)

        assert tasks.enqueue_due_syncs() == 0

        run.refresh_from_db()
        assert run.status == SyncRunStatus.RUNNING
        assert Connection.objects.get(pk=connection.pk).status == ConnectionStatus.IN_PROGRESS

    def test_a_connection_whose_first_sync_never_started_is_started_after_the_grace(self, connection, delayed):
        assert tasks.enqueue_due_syncs() == 0  # just connected: its first sync is on its way

        with time_machine.travel(timezone.now() + tasks.RETRY_UNSTARTED_AFTER + dt.timedelta(minutes=1)):
            assert tasks.enqueue_due_syncs() == 1
            assert tasks.enqueue_due_syncs() == 0  # and not again at the next beat

        assert delayed == [(connection.pk, "schedule")]
