"""A sync in slices (integrations.tasks, MONITR_SYNC_SLICE_SECONDS): a run pauses between committed windows, keeps
its lock and what its streams learned, goes on in another task from where it stopped, and ends exactly as one run
would; a slice that waited too long starts a new run from the cursors, losing nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from eboekhouden.sync import streams
from integrations import tasks
from integrations.models import Connection, ConnectionStatus, SyncRun, SyncRunStatus
from integrations.sync.engine import CONTINUED, Resume, SyncSkipped, interrupted_sweep, sync_run_execute
from tests.connections import DETAIL, RECENTLY

from .exact import assert_exact_and_whole, truth_lines

pytestmark = pytest.mark.django_db(transaction=True)

# Any slice is over as soon as it has committed a window: a run of three years takes a slice per month.
AT_ONCE = 1e-9


@pytest.fixture(autouse=True)
def _a_month_a_window(monkeypatch):
    """The windows stay months, so that a run of three years takes many slices (the sandbox's administration is
    thin enough to be read a year a window)."""
    monkeypatch.setattr(streams, "SPANNED_FROM_MONTHS", 10**6)


def slice_once(connection: Connection, resume: Resume | None = None, trigger: str = "connect"):
    return sync_run_execute(connection_id=connection.pk, trigger=trigger, slice_seconds=AT_ONCE, resume=resume)


@time_machine.travel(RECENTLY, tick=True)
def test_a_run_in_slices_imports_exactly_what_one_run_does(
    sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    guid = eboekhouden_sandbox_administration.guid
    outcome = slice_once(sandbox_connection)
    assert outcome.status == CONTINUED and outcome.token

    # Between slices: the run is under way, keeps its lock and says where it goes on.
    run = SyncRun.objects.get(pk=outcome.run_id)
    assert run.status == SyncRunStatus.RUNNING and run.slices == 1 and run.priority == 1
    assert run.resume["stream"] == "mutations" and run.resume["state"]["ledger_ids_by_code"]
    sandbox_connection.refresh_from_db()
    assert sandbox_connection.status == ConnectionStatus.IN_PROGRESS
    assert sandbox_connection.sync_lock_expires_at > timezone.now() + dt.timedelta(minutes=30)
    with pytest.raises(SyncSkipped):  # Sync now meanwhile: the run's next slice does it
        sync_run_execute(connection_id=sandbox_connection.pk, trigger="manual")

    outcomes = [outcome]
    done = [run.progress_done]
    while outcomes[-1].status == CONTINUED:
        outcomes.append(slice_once(sandbox_connection, Resume(outcome.run_id, outcomes[-1].token)))
        done.append(SyncRun.objects.get(pk=outcome.run_id).progress_done)
    # The transactions' progress goes on from slice to slice, never back to the start.
    mutations_slices = done[: len(done) - 1]
    assert mutations_slices == sorted(mutations_slices) and mutations_slices[-1] > mutations_slices[0] > 0
    assert outcomes[-1].status == SyncRunStatus.SUCCEEDED
    assert {o.run_id for o in outcomes} == {outcome.run_id}  # one run, many slices
    run.refresh_from_db()
    assert run.slices == len(outcomes) > 30  # three years, a month a slice
    assert run.resume == {}

    assert_exact_and_whole(sandbox_connection, eboekhouden_sandbox, guid)
    # Counted over the slices as one run counts: every line new once, every detail fetched once, but for the open
    # invoices the first slice fetched early (kept for the mutations within a slice, fetched again by a later one).
    assert run.counts["mutations"]["new"] == len(truth_lines(eboekhouden_sandbox, guid))
    invoices = len(eboekhouden_sandbox.outstanding(guid, "D")) + len(eboekhouden_sandbox.outstanding(guid, "C"))
    mutations = eboekhouden_sandbox_administration.mutations
    assert mutations <= run.api_calls[DETAIL] <= mutations + invoices
    sandbox_connection.refresh_from_db()
    assert sandbox_connection.status == ConnectionStatus.SUCCEEDED and sandbox_connection.sync_lock == ""


@time_machine.travel(RECENTLY, tick=True)
def test_a_slice_that_waited_too_long_goes_on_in_a_new_run_from_the_cursors(
    sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    first = slice_once(sandbox_connection)
    for _ in range(5):
        first = slice_once(sandbox_connection, Resume(first.run_id, first.token))
    # The slice's message waited past the lock's queued lease: the beat's sweep closes the run and frees the lock.
    Connection.objects.filter(pk=sandbox_connection.pk).update(
        sync_lock_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert interrupted_sweep() == 1
    assert SyncRun.objects.get(pk=first.run_id).error_code == "interrupted"

    late = sync_run_execute(
        connection_id=sandbox_connection.pk, trigger="connect", resume=Resume(first.run_id, first.token)
    )
    assert late.status == SyncRunStatus.SUCCEEDED and late.run_id != first.run_id
    assert_exact_and_whole(sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration.guid)
    # The new run went on from the months the first one committed: it did not fetch their details again.
    assert SyncRun.objects.get(pk=late.run_id).api_calls[DETAIL] < eboekhouden_sandbox_administration.mutations


@time_machine.travel(RECENTLY, tick=True)
def test_the_task_queues_each_next_slice_at_its_runs_priority(
    sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration, settings, monkeypatch
):
    settings.MONITR_SYNC_SLICE_SECONDS = AT_ONCE
    queued = []

    def apply_async(args, kwargs=None, **options):
        queued.append((args, kwargs, options))

    monkeypatch.setattr(tasks.sync_connection, "apply_async", apply_async)
    assert tasks.sync_connection.run(sandbox_connection.pk, "connect") == CONTINUED
    ((args, kwargs, options),) = queued
    run = SyncRun.objects.get()
    assert args == (sandbox_connection.pk, "connect")
    assert kwargs["resume"]["run"] == run.pk and options["priority"] == tasks.QUEUE_PRIORITY[1]

    # Sync now while the run waits for its slice: skipped, but the run's next slices go first from now on.
    assert "already running" in tasks.sync_connection.run(sandbox_connection.pk, "manual")
    assert tasks.sync_connection.run(sandbox_connection.pk, "connect", resume=kwargs["resume"]) == CONTINUED
    assert queued[-1][2]["priority"] == tasks.QUEUE_PRIORITY[0]
    assert SyncRun.objects.get().slices == 2
