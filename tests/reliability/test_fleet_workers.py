"""Real Celery worker processes syncing several connections at once against a sandbox with the source's limits on:
together they keep to the one budget towards e-Boekhouden held in Redis, a burst of 429s met by one slows every
one of them, a killed worker's slices come back and its slots with them, and the slices of one connection never run
two at a time, whichever worker takes them."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from datetime import datetime

import pytest
import redis
from django.conf import settings

from eboekhouden.client.transport import eboekhouden_budget
from integrations.models import SyncRun, SyncRunStatus
from integrations.tasks import sync_connection
from tests.connections import connect
from tests.eboekhouden.exact import assert_exact_and_whole

from .workers import LOCK_LEASE, VISIBILITY_TIMEOUT, WorkerProcess, wait_for, worker_env

pytestmark = [
    pytest.mark.django_db(transaction=True),  # the worker processes must see committed rows
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL.startswith("redis"), reason="workers share the broker and budget in Redis"
    ),
]

CAP = 6  # requests in flight the source allows, and Monitr's budget towards it
PER_KEY = 4


@pytest.fixture
def limited_source(eboekhouden_sandbox):
    """The sandbox with the source's limits on: beyond CAP requests in flight it answers 429."""
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()  # the suite's own Redis db: no earlier message
    eboekhouden_sandbox.set_limits(max_in_flight=CAP, max_in_flight_per_key=PER_KEY)
    eboekhouden_sandbox.set_fault(latency_ms=15)
    eboekhouden_sandbox.reset_stats()
    yield eboekhouden_sandbox
    eboekhouden_sandbox.set_limits(max_in_flight=None, max_in_flight_per_key=None)


def fleet_env(sandbox, slice_seconds: float = 0.3) -> dict[str, str]:
    return {
        **worker_env(sandbox),
        "EBOEKHOUDEN_MAX_IN_FLIGHT": str(CAP),
        "EBOEKHOUDEN_MAX_PARALLEL": str(PER_KEY),
        "MONITR_SYNC_SLICE_SECONDS": str(slice_seconds),
    }


def administrations(sandbox, organization, count: int, mutations: int = 200):
    infos = [sandbox.add_administration(mutations=mutations, seed=f"fleet-workers/{n}") for n in range(count)]
    return [(info, connect(organization, info)) for info in infos]


def all_succeeded(connections):
    ids = [c.pk for c in connections]
    return lambda: SyncRun.objects.filter(connection_id__in=ids, status=SyncRunStatus.SUCCEEDED).count() == len(ids)


EVENT = re.compile(r"^(\S+Z) \[\w+\s*\] (sync\.\w+)\s.*?run_id=(\d+)")


def slices_of(*logs: str) -> dict[int, list[tuple[datetime, datetime]]]:
    """Each run's slices as (start, end) from the workers' logs: started or resumed, to paused or finished."""
    events = []
    for log in logs:
        for line in log.splitlines():
            match = EVENT.match(line)
            if match and match[2] in {"sync.started", "sync.resumed", "sync.paused", "sync.finished", "sync.failed"}:
                events.append((datetime.fromisoformat(match[1].replace("Z", "+00:00")), match[2], int(match[3])))
    opened: dict[int, datetime] = {}
    slices: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for moment, event, run in sorted(events):
        if event in {"sync.started", "sync.resumed"}:
            opened[run] = moment
        elif run in opened:
            slices[run].append((opened.pop(run), moment))
    return slices


def test_two_workers_keep_together_to_one_budget_and_a_connections_slices_never_overlap(
    organization, limited_source, tmp_path
):
    fleet = administrations(limited_source, organization, 4)
    env = fleet_env(limited_source)
    workers = [
        WorkerProcess(env, tmp_path / f"worker-{n}.log", f"fleet-{n}", pool="threads", concurrency=3) for n in (1, 2)
    ]
    try:
        for _, connection in fleet:
            sync_connection.delay(connection.pk, "connect")
        wait_for(all_succeeded([c for _, c in fleet]), timeout=240, what="four first imports", poll=0.5)
    finally:
        for worker in workers:
            worker.stop()

    stats = limited_source.stats()
    # Six threads in two processes, each sync fetching four at a time: the source never saw more than its cap.
    assert stats["peakInFlight"] <= CAP and stats["peakInFlightPerKey"] <= PER_KEY
    assert stats["rateLimited"] == 0, stats["rateLimitedByCause"]
    assert stats["peakInFlight"] == CAP  # and the budget was used
    logs = [worker.log() for worker in workers]
    slices = slices_of(*logs)
    assert sum(len(s) for s in slices.values()) > len(fleet)  # the imports went in slices
    assert all("sync.resumed" in log or "sync.started" in log for log in logs)  # both workers took slices
    for run, spans in slices.items():
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert end <= start, f"two slices of run {run} overlapped"
    for info, connection in fleet:
        assert_exact_and_whole(connection, limited_source, info.guid)


def test_a_burst_of_429s_met_by_one_worker_slows_the_other(organization, limited_source, tmp_path):
    (first, first_connection), (second, second_connection) = administrations(limited_source, organization, 2, 300)
    # The source throttles the first administration's key once: four detail calls answered 429 together.
    limited_source.set_fault(administration=first.guid, path_prefix="/v1/mutation/", rate_limit_count=4, retry_after=1)
    env = fleet_env(limited_source, slice_seconds=30)
    workers = [WorkerProcess(env, tmp_path / f"worker-{n}.log", f"burst-{n}") for n in (1, 2)]
    budget = eboekhouden_budget()
    lowest = CAP
    try:
        sync_connection.delay(first_connection.pk, "connect")
        sync_connection.delay(second_connection.pk, "connect")

        def done():
            nonlocal lowest
            lowest = min(lowest, budget.state().limit)
            return all_succeeded([first_connection, second_connection])()

        wait_for(done, timeout=240, what="both imports", poll=0.05)
    finally:
        for worker in workers:
            worker.stop()
    # The limit both workers obey was lowered by the burst one of them met (halved once per burst of answers).
    assert lowest <= CAP // 2
    stats = limited_source.stats()
    assert stats["rateLimited"] == 4  # the burst itself and nothing after: no storm
    assert stats["keys"][f"rest:{second.guid}"]["rateLimited"] == 0
    assert stats["peakInFlight"] <= CAP
    assert_exact_and_whole(first_connection, limited_source, first.guid)
    assert_exact_and_whole(second_connection, limited_source, second.guid)


def test_a_killed_workers_slices_come_back_and_its_budget_is_released(organization, limited_source, tmp_path):
    ((info, connection),) = administrations(limited_source, organization, 1, 300)
    env = fleet_env(limited_source, slice_seconds=1)
    budget = eboekhouden_budget()
    # Slow answers while the first worker runs, so that it dies with requests in flight (holding slots).
    slow = limited_source.set_fault(administration=info.guid, latency_ms=150)
    first = WorkerProcess(env, tmp_path / "worker-1.log", "killed", pool="threads", concurrency=2)
    try:
        sync_connection.delay(connection.pk, "connect")
        wait_for(
            lambda: SyncRun.objects.filter(connection=connection, stream="mutations", progress_done__gt=0).exists(),
            timeout=180,
            what="the transactions under way",
            poll=0.1,
        )
        wait_for(lambda: budget.state().in_flight >= 2, timeout=30, what="requests in flight", poll=0.01)
    finally:
        first.kill()
    dead = set(budget.state().processes)
    assert dead, "the killed worker held slots of the budget"
    limited_source.clear_faults(slow["id"])

    second = WorkerProcess(env, tmp_path / "worker-2.log", "after", pool="threads", concurrency=2)
    try:
        wait_for(
            all_succeeded([connection]), timeout=VISIBILITY_TIMEOUT + LOCK_LEASE + 300, what="the import", poll=0.2
        )
        # The dead process's slots fell back to the budget once it stopped renewing them.
        wait_for(lambda: not dead & set(budget.state().processes), timeout=30, what="the dead slots released")
    finally:
        second.stop()
    assert "sync.resumed" in second.log()  # the next slice of the same run, taken up by the other worker
    assert not SyncRun.objects.filter(connection=connection, status=SyncRunStatus.RUNNING).exists()
    assert_exact_and_whole(connection, limited_source, info.guid)
