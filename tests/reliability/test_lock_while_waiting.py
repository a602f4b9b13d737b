"""Lock while waiting: a run keeps its lock through a wait longer than the lease, a run that lost its lock all the
same leaves the connection's status to the run that took over, and a run whose worker was killed shows as
interrupted once its lease runs out and is started again by the beat, a first import included.

The lease is two seconds here (``MONITR_SYNC_LOCK_LEASE_SECONDS``) instead of minutes, and the sandbox's
``Retry-After`` a few seconds instead of two minutes.
"""

from __future__ import annotations

import threading
import time
from io import StringIO

import pytest
import redis
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection as db_connection
from django.urls import reverse

from eboekhouden.provider import Transport
from integrations import tasks
from integrations.models import Connection, ConnectionStatus, SyncRun, SyncRunStatus
from integrations.models.connection import INTERRUPTED
from integrations.sync.engine import SyncSkipped, sync_run_execute
from integrations.sync.schedule import next_sync_after
from tests.connections import connect
from tests.eboekhouden.exact import assert_exact_and_whole

from .test_crashed_worker import running_past
from .workers import LOCK_LEASE, WorkerProcess, wait_for, worker_env

pytestmark = pytest.mark.django_db(transaction=True)  # the runs work in threads and processes of their own

RETRY_AFTER = 4  # seconds the sandbox asks the client to wait: twice the lease


class Run(threading.Thread):
    """``sync_run_execute`` of one connection in a thread of its own, as a worker runs it."""

    def __init__(self, connection_id: int, observer=None) -> None:
        super().__init__(daemon=True)
        self.connection_id, self.observer = connection_id, observer
        self.outcome = self.error = None

    def run(self) -> None:
        try:
            self.outcome = sync_run_execute(connection_id=self.connection_id, trigger="manual", observer=self.observer)
        except BaseException as error:  # handed to the test, which asserts on it
            self.error = error
        finally:
            db_connection.close()

    def result(self):
        self.join(timeout=120)
        assert not self.is_alive(), "the run never ended"
        if self.error is not None:
            raise self.error
        return self.outcome


def fired(sandbox, guid: str, effect: str) -> int:
    return sum(f["fired"].get(effect, 0) for f in sandbox.faults() if f.get("administration") == guid)


class TestLockWhileWaiting:
    def test_a_run_waiting_out_a_retry_after_longer_than_its_lease_keeps_its_lock(
        self, organization, sandbox_settings, eboekhouden_sandbox, eboekhouden_sandbox_administration
    ):
        sandbox_settings.MONITR_SYNC_LOCK_LEASE_SECONDS = LOCK_LEASE
        sandbox, info = eboekhouden_sandbox, eboekhouden_sandbox_administration
        connection = connect(organization, info, transport=Transport.REST)
        sandbox.set_fault(
            administration=info.guid,
            api="rest",
            path_prefix="/v1/relation",
            rate_limit_count=1,
            retry_after=RETRY_AFTER,
        )

        first = Run(connection.pk)
        first.start()
        wait_for(lambda: fired(sandbox, info.guid, "rate_limit"), timeout=60, what="the 429")
        time.sleep(LOCK_LEASE + 0.5)  # the first run still waits, longer than its lease

        # Another trigger meanwhile (the beat, Sync now): the waiting run still holds the lock.
        with pytest.raises(SyncSkipped):
            sync_run_execute(connection_id=connection.pk, trigger="manual")

        outcome = first.result()
        assert outcome.status == SyncRunStatus.SUCCEEDED
        run = SyncRun.objects.get(connection=connection)  # the only run: never closed as interrupted
        assert (run.status, run.error_code) == (SyncRunStatus.SUCCEEDED, "")
        connection.refresh_from_db()
        assert connection.status == ConnectionStatus.SUCCEEDED and connection.sync_lock == ""
        assert_exact_and_whole(connection, sandbox, info.guid)

    def test_a_run_that_stalled_past_its_lease_leaves_the_status_to_the_run_that_took_over(
        self, organization, sandbox_settings, eboekhouden_sandbox, eboekhouden_sandbox_administration
    ):
        sandbox_settings.MONITR_SYNC_LOCK_LEASE_SECONDS = LOCK_LEASE
        sandbox, info = eboekhouden_sandbox, eboekhouden_sandbox_administration
        connection = connect(organization, info, transport=Transport.REST)
        stalled, resume = threading.Event(), threading.Event()

        def stall_once(stream: str, done: int, total: int) -> None:
            # The worker stops answering mid-import (a frozen VM, a stuck disk) for longer than its lease.
            if stream == "mutations" and not stalled.is_set():
                stalled.set()
                resume.wait(timeout=60)

        first = Run(connection.pk, observer=stall_once)
        first.start()
        assert stalled.wait(timeout=60), "the first run never reached the mutations"
        time.sleep(LOCK_LEASE + 0.5)

        second = sync_run_execute(connection_id=connection.pk, trigger="manual")  # its lease ran out: taken over
        resume.set()
        outcome = first.result()

        second_run = SyncRun.objects.get(pk=second.run_id)
        first_run = SyncRun.objects.get(pk=outcome.run_id)
        assert second_run.status == SyncRunStatus.SUCCEEDED
        assert (outcome.status, outcome.message) == (SyncRunStatus.FAILED, INTERRUPTED)
        assert (first_run.status, first_run.error_code) == (SyncRunStatus.FAILED, "interrupted")
        connection.refresh_from_db()
        # The status is the second run's, never overwritten by the first when it woke up.
        assert connection.status == ConnectionStatus.SUCCEEDED and connection.status_message == ""
        assert connection.last_success_at == second_run.finished_at
        assert connection.next_sync_at == next_sync_after(second_run.finished_at, connection.pk)
        assert connection.sync_lock == ""
        assert_exact_and_whole(connection, sandbox, info.guid)


@pytest.mark.skipif(
    not django_settings.CELERY_BROKER_URL.startswith("redis"), reason="a real worker is run on the Redis broker"
)
class TestKilledWorker:
    def test_a_killed_first_import_shows_as_interrupted_and_the_beat_starts_it_again(
        self,
        organization,
        member_client,
        settings,
        eboekhouden_sandbox,
        eboekhouden_sandbox_administration,
        tmp_path,
    ):
        settings.MONITR_SYNC_LOCK_LEASE_SECONDS = LOCK_LEASE  # this process reads the lease as the worker does
        sandbox, info = eboekhouden_sandbox, eboekhouden_sandbox_administration
        broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
        broker.flushdb()
        connection = connect(organization, info, transport=Transport.REST)
        assert connection.next_sync_at is None  # a first import: never scheduled
        sandbox.set_fault(administration=info.guid, latency_ms=30)
        env = worker_env(sandbox)

        first = WorkerProcess(env, tmp_path / "worker-1.log", "killed-1")
        try:
            tasks.sync_connection.delay(connection.pk, "connect")
            killed = wait_for(running_past(connection.pk, "mutations", 0.2), timeout=90, what="the mutations")
        finally:
            first.kill()
        # The killed task would come back only after the broker's visibility timeout (hours in production).
        broker.flushdb()

        # Within the lease, the page and sync_status tell it was interrupted, and Sync now is offered again.
        def no_longer_in_progress() -> str | None:
            url = reverse("integrations:connection_status", args=[connection.pk])
            html = member_client.get(url).content.decode()
            return html if 'data-status="in_progress"' not in html else None

        fragment = wait_for(
            no_longer_in_progress,
            timeout=LOCK_LEASE + 5,
            what="the page to stop showing the killed run in progress",
        )
        assert 'data-status="failed"' in fragment and INTERRUPTED in fragment and "hx-trigger" not in fragment
        listed = StringIO()
        call_command("sync_status", stdout=listed)
        row = next(line for line in listed.getvalue().splitlines() if info.company in line)
        assert "Failed" in row and "In progress" not in row
        assert Connection.objects.get(pk=connection.pk).can_sync

        # The beat closes the run and queues the connection at once, though it has no next sync time yet.
        assert tasks.enqueue_due_syncs() == 1
        killed.refresh_from_db()
        assert (killed.status, killed.error_code) == (SyncRunStatus.FAILED, "interrupted")

        second = WorkerProcess(env, tmp_path / "worker-2.log", "killed-2")
        try:
            wait_for(
                lambda: SyncRun.objects.filter(connection=connection, status=SyncRunStatus.SUCCEEDED).first(),
                timeout=120,
                what="the beat's run to succeed",
                poll=0.2,
            )
        finally:
            second.stop()
        assert SyncRun.objects.get(connection=connection, status=SyncRunStatus.SUCCEEDED).trigger == "schedule"
        connection.refresh_from_db()
        assert connection.status == ConnectionStatus.SUCCEEDED and connection.sync_lock == ""
        assert_exact_and_whole(connection, sandbox, info.guid)
