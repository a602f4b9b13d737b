"""Crashed worker: a real Celery worker process (Redis broker, acks late) is killed with SIGKILL in the middle of
an import and started again. The task is delivered again, the dead run's lock does not stay stuck, the run it
left behind is closed as interrupted, and the import ends exact."""

from __future__ import annotations

import pytest
import redis
from django.conf import settings

from eboekhouden.provider import Transport
from integrations.models import Connection, ConnectionStatus, SyncRun, SyncRunStatus
from integrations.tasks import sync_connection
from tests.connections import connect
from tests.eboekhouden.exact import assert_every_stored_transaction_whole, assert_exact_and_whole

from .workers import LOCK_LEASE, VISIBILITY_TIMEOUT, WorkerProcess, wait_for, worker_env

pytestmark = [
    pytest.mark.django_db(transaction=True),  # the worker process must see committed rows
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL.startswith("redis"), reason="redelivery after a crash is tested on Redis"
    ),
]

# Every call of the administration's import waits this long at the sandbox, so a kill lands mid-import.
LATENCY_MS = 30


def running_past(connection_id: int, stream: str, share: float):
    """The running SyncRun once it has reached ``share`` of ``stream``'s progress."""

    def reached():
        run = SyncRun.objects.filter(connection_id=connection_id, status=SyncRunStatus.RUNNING).first()
        if run is None or run.stream != stream or not run.progress_done:
            return None
        return run if run.progress_done >= share * run.progress_total else None

    return reached


def check_crash_and_recovery(organization, sandbox, info, tmp_path, *, transport: str, stream: str, share: float):
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()  # the suite's own Redis db: no earlier message
    connection = connect(organization, info, transport=transport)
    sandbox.set_fault(administration=info.guid, latency_ms=LATENCY_MS)
    env = worker_env(sandbox)

    first = WorkerProcess(env, tmp_path / "worker-1.log", "crash-1")
    try:
        task_id = sync_connection.delay(connection.pk, "manual").id
        killed_run = wait_for(running_past(connection.pk, stream, share), timeout=90, what=f"{stream} at {share:.0%}")
    finally:
        first.kill()

    # Killed mid-import: the run is still marked running and its lease is held, by no one.
    killed_run.refresh_from_db()
    assert killed_run.status == SyncRunStatus.RUNNING
    assert killed_run.progress_done < killed_run.progress_total or killed_run.stream != "balances"
    assert Connection.objects.get(pk=connection.pk).sync_lock != ""
    assert_every_stored_transaction_whole(connection, sandbox, info.guid)  # what was committed is whole

    second = WorkerProcess(env, tmp_path / "worker-2.log", "crash-2")
    try:
        wait_for(
            lambda: SyncRun.objects.filter(connection=connection, status=SyncRunStatus.SUCCEEDED).exists(),
            timeout=VISIBILITY_TIMEOUT + LOCK_LEASE + 60,
            what="the redelivered task's run to succeed",
            poll=0.2,
        )
    finally:
        second.stop()

    assert task_id in second.log(), "the second worker ran the killed worker's task: it was delivered again"
    killed_run.refresh_from_db()
    assert (killed_run.status, killed_run.error_code) == (SyncRunStatus.FAILED, "interrupted")
    assert not SyncRun.objects.filter(connection=connection, status=SyncRunStatus.RUNNING).exists()
    assert SyncRun.objects.filter(connection=connection, status=SyncRunStatus.SUCCEEDED).count() == 1
    connection.refresh_from_db()
    assert connection.sync_lock == "" and connection.status == ConnectionStatus.SUCCEEDED
    assert_exact_and_whole(connection, sandbox, info.guid)


def test_a_worker_killed_mid_import_is_replaced_and_the_import_ends_exact(
    organization, eboekhouden_sandbox, eboekhouden_sandbox_administration, tmp_path
):
    check_crash_and_recovery(
        organization,
        eboekhouden_sandbox,
        eboekhouden_sandbox_administration,
        tmp_path,
        transport=Transport.REST,
        stream="mutations",
        share=0.3,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("transport", "stream", "share"),
    [
        (Transport.REST, "mutations", 0.0),
        (Transport.REST, "mutations", 0.8),
        (Transport.REST, "balances", 0.0),
        (Transport.SOAP, "mutations", 0.0),
        (Transport.SOAP, "mutations", 0.6),
    ],
)
def test_a_worker_killed_at_other_points_of_the_import(
    organization, eboekhouden_sandbox, eboekhouden_sandbox_administration, tmp_path, transport, stream, share
):
    check_crash_and_recovery(
        organization,
        eboekhouden_sandbox,
        eboekhouden_sandbox_administration,
        tmp_path,
        transport=transport,
        stream=stream,
        share=share,
    )
