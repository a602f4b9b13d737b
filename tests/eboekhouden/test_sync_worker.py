"""The sync as it runs in production: queued, picked up by a real Celery worker (Redis in CI), exactly once."""

from __future__ import annotations

import datetime as dt
import io
import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core.management import call_command
from django.utils import timezone

from integrations.models import Connection, ConnectionStatus, SyncRun, SyncRunStatus
from integrations.services import connection_sync_now
from integrations.sync.engine import SyncSkipped, sync_run_execute
from integrations.tasks import COVERED, enqueue_due_syncs, sync_connection
from monitr.celery import app

from .exact import assert_exact

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_a_queued_sync_is_run_by_a_real_worker(
    sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    app.control.purge()  # leftovers of an earlier session must not reach this worker
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        sync_connection.delay(sandbox_connection.pk, "manual")

        wait_for(lambda: SyncRun.objects.filter(status=SyncRunStatus.SUCCEEDED).exists())

    sandbox_connection.refresh_from_db()
    assert sandbox_connection.status == ConnectionStatus.SUCCEEDED
    assert_exact(sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration.guid)


def test_runs_started_at_the_same_moment_give_one_run(sandbox_connection):
    """Three runs that reach the engine together: the lock lets one through, the others are skipped."""
    start = threading.Barrier(3)
    outcomes: list[str] = []

    def trigger(name: str) -> None:
        from django.db import connection

        start.wait()
        try:
            outcomes.append(sync_run_execute(connection_id=sandbox_connection.pk, trigger=name).status)
        except SyncSkipped:
            outcomes.append("skipped")
        finally:
            connection.close()

    threads = [threading.Thread(target=trigger, args=(name,)) for name in ("manual", "schedule", "command")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(outcomes) == ["skipped", "skipped", "succeeded"]
    assert SyncRun.objects.count() == 1


def test_triggers_at_the_same_moment_give_one_run(
    sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    """Sync now, the beat schedule and the command, each through its own code path, at the same moment: three
    queued tasks, one run; the others see that a run which started after they were asked for covered them."""
    from django.db import connection as db_connection

    app.control.purge()
    Connection.objects.filter(pk=sandbox_connection.pk).update(
        next_sync_at=timezone.now() - dt.timedelta(minutes=1), status=ConnectionStatus.SUCCEEDED
    )
    start = threading.Barrier(3)
    errors: list[BaseException] = []
    command_output = io.StringIO()

    def sync_now() -> None:
        connection_sync_now(connection=Connection.objects.get(pk=sandbox_connection.pk))

    def beat() -> None:
        assert enqueue_due_syncs() == 1

    def command() -> None:
        call_command("sync_eboekhouden", "--connection", str(sandbox_connection.pk), stdout=command_output)

    def trigger(path) -> None:
        start.wait()
        try:
            path()
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            db_connection.close()

    threads = [threading.Thread(target=trigger, args=(path,)) for path in (sync_now, beat, command)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert "Queued a sync" in command_output.getvalue()

    finished: list[object] = []

    def on_postrun(sender=None, retval=None, **kwargs) -> None:
        if sender is not None and sender.name == sync_connection.name:
            finished.append(retval)

    task_postrun.connect(on_postrun, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            wait_for(lambda: len(finished) >= 3)
    finally:
        task_postrun.disconnect(on_postrun)

    assert sorted(map(str, finished)) == sorted([COVERED, COVERED, SyncRunStatus.SUCCEEDED])
    assert SyncRun.objects.count() == 1
    assert_exact(sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration.guid)
