"""The sync as it runs in production: queued, picked up by a real Celery worker (Redis in CI), exactly once."""

from __future__ import annotations

import threading
import time

import pytest
from celery.contrib.testing.worker import start_worker

from integrations.models import ConnectionStatus, SyncRun, SyncRunStatus
from integrations.sync.engine import SyncSkipped, sync_run_execute
from integrations.tasks import sync_connection
from monitr.celery import app

from .test_sync import assert_exact

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


def test_triggers_at_the_same_moment_give_one_run(sandbox_connection):
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
