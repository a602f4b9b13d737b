"""Benchmark of the fleet: hundreds of administrations imported by Celery workers together, within the budget all
of Monitr shares towards e-Boekhouden, fairly, and politely to the source.

    .venv/bin/python bench/fleet.py                     # make bench: 300 administrations; 1, 2 and 4 workers
    .venv/bin/python bench/fleet.py --administrations 30 --mutations 20000 --workers 2

What it does, per number of worker processes (``--workers``, default 1,2,4):

- **The source**: one sandbox in a process of its own with a fleet of ``--administrations`` administrations whose
  sizes follow a long tail (``--min`` to ``--max`` mutations, ``--mutations`` in all; the sandbox's ``--fleet``), every
  call answered after ``--latency-ms``, and the source's limits on: at most ``--source-cap`` requests in flight in
  total and ``--per-key`` per API key (beyond them it answers 429 with ``Retry-After``). It counts what it served:
  calls, 429s, the most requests ever in flight at once.
- **Monitr**: a throwaway database with an organisation per administration, each connected with its own API key, and
  ``--probes`` more administrations of 500 mutations imported beforehand (for "Sync now"). Then ``N`` worker processes
  (``bench/fleet_worker.py``: ``celery -A monitr worker --pool threads``, ``--concurrency`` threads each) on a Redis
  database of their own, with Monitr's budget set to the source's cap (``EBOEKHOUDEN_MAX_IN_FLIGHT``).
- **First imports**: every fleet connection's first import is queued at once (as if all had just been connected);
  the makespan is from then until the last one succeeded. Its **floor**: every call waits out the latency and at
  best ``source-cap`` of them wait together, so no set of clients can take less than calls x latency / cap.
- **Sync now** meanwhile: every ``--probe-every`` seconds a person clicks Sync now on one of the probe
  administrations; the time from the click to its run's success, p95 over the clicks.
- **The nightly run**: then every fleet connection is synced again on the schedule's trigger with nothing changed at
  the source: its time and its calls.

Every import is checked exact: per administration, the imported lines per ledger equal the source's balances over the
whole history. The syncs run as if it were ``bench.common.SYNC_TODAY`` (the workers too). ``DATABASE_URL`` must name
PostgreSQL, ``REDIS_URL`` Redis (the broker and the budget: a database number of its own is taken, ``--redis-db``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    BOOKS_END,
    ROOT,
    Figure,
    django_on,
    print_figures,
    sandbox_process,
    sync_day,
    throwaway_database,
    write_json,
)


@dataclass
class Source:
    """The sandbox process and what it serves."""

    process: subprocess.Popen | None
    pid: int
    rest_url: str
    control_url: str
    fleet: list[dict[str, Any]]
    probes: list[dict[str, Any]]

    def control(self, method: str, path: str, **kwargs: Any) -> Any:
        import requests

        response = requests.request(method, f"{self.control_url}{path}", timeout=60, **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None

    def stats(self) -> dict[str, Any]:
        return self.control("GET", "/stats")

    def reset_stats(self) -> None:
        self.control("POST", "/stats/reset")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_source(options: argparse.Namespace) -> Source:
    command = [
        sys.executable,
        "-m",
        "eboekhouden.sandbox",
        "--port=0",
        "--json",
        f"--administrations={options.probes}",
        f"--mutations={options.probe_mutations}",
        f"--end-date={BOOKS_END.isoformat()}",
        f"--latency-ms={options.latency_ms}",
        f"--fleet={options.administrations}",
        f"--fleet-mutations={options.mutations}",
        f"--fleet-min={options.min}",
        f"--fleet-max={options.max}",
        f"--fleet-seed={options.seed}",
        f"--max-in-flight={options.source_cap}",
        f"--max-in-flight-per-key={options.per_key}",
    ]
    process, summary = sandbox_process(command)
    administrations = summary["administrations"]
    return Source(
        process=process,
        pid=process.pid,
        rest_url=summary["restUrl"],
        control_url=summary["controlUrl"],
        probes=administrations[: options.probes],
        fleet=administrations[options.probes :],
    )


def cpu_seconds(pid: int | str) -> float:
    """CPU time (user + system) of a process so far, from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds() -> float:
    """CPU time every core spent busy so far (all processes), from /proc/stat."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0.0
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def cpu_split(source_pid: int, worker_pids: list[int]) -> dict[str, float]:
    """The CPU seconds so far of the machine, the sandbox and the workers together."""
    return {
        "machine": machine_cpu_seconds(),
        "sandbox": cpu_seconds(source_pid),
        "workers": sum(cpu_seconds(pid) for pid in worker_pids),
    }


def cpu_spent(before: dict[str, float], source_pid: int, worker_pids: list[int]) -> dict[str, float]:
    """The CPU seconds spent since ``before`` (a :func:`cpu_split`), with the rest: PostgreSQL, Redis, this
    benchmark's polls and Sync now clicks."""
    now = cpu_split(source_pid, worker_pids)
    spent = {part: now[part] - before[part] for part in now}
    spent["other"] = spent["machine"] - spent["sandbox"] - spent["workers"]
    return spent


def redis_url(base: str, database: int) -> str:
    return urlunsplit(urlsplit(base)._replace(path=f"/{database}"))


def connect_all(source: Source) -> tuple[list[int], list[int]]:
    """An organisation per administration, each with its own e-Boekhouden connection, as the Add wizard leaves it."""
    from eboekhouden.provider import Transport
    from integrations.models import Connection, Integration
    from ledger.models import Administration
    from monitr.tenancy.models import Organization

    def connect(info: dict[str, Any], number: int) -> int:
        organization = Organization.objects.create(name=f"Fleet {number}", slug=f"fleet-{number}")
        integration = Integration.objects.create(organization=organization, provider_key="eboekhouden")
        administration = Administration.objects.create(
            organization=organization, provider="eboekhouden", external_id=info["guid"], name=info["company"]
        )
        return Connection.objects.create(
            integration=integration,
            administration=administration,
            credentials={"api_token": info["apiToken"]},
            credentials_hint="••••fleet",
            transport=Transport.REST,
        ).pk

    probes = [connect(info, n) for n, info in enumerate(source.probes)]
    fleet = [connect(info, len(probes) + n) for n, info in enumerate(source.fleet)]
    return fleet, probes


@dataclass
class Workers:
    processes: list[subprocess.Popen] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def start_workers(count: int, options: argparse.Namespace, env: dict[str, str], folder: Path) -> Workers:
    workers = Workers()
    for number in range(count):
        log = folder / f"worker-{number + 1}.log"
        command = [
            sys.executable,
            "bench/fleet_worker.py",
            "--pool=threads",
            f"--concurrency={options.concurrency}",
            "--loglevel=WARNING",
            "-n",
            f"fleet{number + 1}@%h",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ]
        workers.logs.append(log)
        workers.processes.append(
            subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=log.open("wb"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    return workers


def last_run_id() -> int:
    from integrations.models import SyncRun

    return SyncRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def wait_until_synced(connection_ids: list[int], after_run: int, *, timeout: float) -> tuple[float, dict[int, str]]:
    """Poll until every connection has a run newer than ``after_run`` that ended; when the last one was seen to end
    (``time.monotonic``: the processes' clocks are each their own) and each one's status. Runs are told apart by id,
    not by time, for the same reason."""
    from integrations.models import SyncRun, SyncRunStatus

    deadline = time.monotonic() + timeout
    ended: dict[int, str] = {}
    while time.monotonic() < deadline:
        runs = SyncRun.objects.filter(connection_id__in=connection_ids, pk__gt=after_run).exclude(
            status=SyncRunStatus.RUNNING
        )
        ended.update(runs.values_list("connection_id", "status"))
        if len(ended) >= len(connection_ids):
            return time.monotonic(), ended
        time.sleep(0.25)
    raise TimeoutError(f"{len(connection_ids) - len(ended)} connections did not finish within {timeout:.0f} s")


def locks_let_go(connection_ids: list[int], *, timeout: float) -> None:
    """Wait until no connection holds its sync lock."""
    from integrations.models import Connection

    deadline = time.monotonic() + timeout
    while Connection.objects.filter(pk__in=connection_ids).exclude(sync_lock="").exists():
        if time.monotonic() > deadline:
            raise TimeoutError("connections still hold their sync lock after their runs ended")
        time.sleep(0.1)


class Probes(threading.Thread):
    """Clicks Sync now on one probe administration after another while the fleet imports, and times each."""

    def __init__(self, probe_ids: list[int], every: float) -> None:
        super().__init__(daemon=True)
        self.probe_ids, self.every = probe_ids, every
        self.stop = threading.Event()
        self.times: list[float] = []
        self.failed = 0

    def run(self) -> None:
        from django.db import connection as db

        from integrations.models import SyncRun, SyncRunStatus
        from integrations.tasks import sync_connection

        try:
            for number in range(10_000):
                if self.stop.wait(self.every):
                    return
                connection_id = self.probe_ids[number % len(self.probe_ids)]
                clicked, after = time.monotonic(), last_run_id()
                sync_connection.delay(connection_id, "manual")
                while not self.stop.is_set():
                    run = (
                        SyncRun.objects.filter(connection_id=connection_id, pk__gt=after)
                        .exclude(status=SyncRunStatus.RUNNING)
                        .first()
                    )
                    if run is not None:
                        if run.status == SyncRunStatus.SUCCEEDED:
                            self.times.append(time.monotonic() - clicked)
                        else:
                            self.failed += 1
                        break
                    time.sleep(0.1)
        finally:
            db.close()


class InFlight(threading.Thread):
    """Samples the requests in flight at the source twice a second: how much of its cap the fleet used, and how long
    the run's tail was (its last seconds below three quarters of the cap, when only a few imports were left)."""

    def __init__(self, source: Source, cap: int) -> None:
        super().__init__(daemon=True)
        self.source, self.cap = source, cap
        self.stop = threading.Event()
        self.samples: list[tuple[float, int]] = []

    def run(self) -> None:
        started = time.monotonic()
        while not self.stop.wait(0.5):
            with contextlib.suppress(Exception):  # a sample lost is a sample lost
                self.samples.append((time.monotonic() - started, int(self.source.stats()["inFlight"])))

    def summary(self) -> dict[str, float]:
        if not self.samples:
            return {"mean": 0.0, "tail_seconds": 0.0}
        busy = [moment for moment, count in self.samples if count >= self.cap * 3 / 4]
        end = self.samples[-1][0]
        return {
            "mean": round(statistics.fmean(count for _, count in self.samples), 1),
            "tail_seconds": round(end - (busy[-1] if busy else 0.0), 1),
        }


def calls_of(connection_ids: list[int], after_run: int) -> int:
    from integrations.models import SyncRun

    runs = SyncRun.objects.filter(connection_id__in=connection_ids, pk__gt=after_run)
    return sum(sum(run.api_calls.values()) for run in runs.only("api_calls"))


def exact(source: Source, connection_ids: list[int]) -> tuple[int, list[str]]:
    """Per administration: the imported lines per ledger against the source's balances over the whole history."""
    import requests
    from django.db.models import Sum

    from integrations.models import Connection
    from ledger.models import TransactionLine

    wrong = []
    connections = Connection.objects.filter(pk__in=connection_ids).select_related("administration")
    for connection in connections:
        guid = connection.administration.external_id
        answer = requests.get(f"{source.control_url}/administrations/{guid}/balances", timeout=60)
        answer.raise_for_status()
        truth = {str(b["ledgerId"]): Decimal(str(b["balance"])) for b in answer.json()}
        imported = {
            account: total
            for account, total in TransactionLine.objects.filter(administration=connection.administration)
            .values_list("account__external_id")
            .annotate(total=Sum("amount"))
        }
        truth = {k: v for k, v in truth.items() if v}
        imported = {k: v for k, v in imported.items() if v}
        if truth != imported:
            wrong.append(guid)
    return len(connections) - len(wrong), wrong


def last_imports(source: Source, connection_ids: list[int], after_run: int, count: int = 5) -> list[dict[str, Any]]:
    """The first imports that ended last (the run's tail): each one's mutations, when it started and ended (seconds
    after the first run of the round started, on the workers' shared clock) and the slices it took."""
    from integrations.models import SyncRun

    runs = SyncRun.objects.filter(connection_id__in=connection_ids, pk__gt=after_run).select_related("administration")
    first = min((run.started_at for run in runs), default=None)
    sizes = {administration["guid"]: administration["mutations"] for administration in source.fleet}
    ended = sorted((run for run in runs if run.finished_at), key=lambda run: run.finished_at)[-count:]
    return [
        {
            "mutations": sizes.get(run.administration.external_id),
            "started": round((run.started_at - first).total_seconds(), 1),
            "ended": round((run.finished_at - first).total_seconds(), 1),
            "slices": run.slices,
        }
        for run in reversed(ended)
    ]


def one_round(workers: int, source: Source, options: argparse.Namespace, database: str) -> dict[str, Any]:
    import redis

    from integrations.sync.engine import sync_run_execute
    from integrations.tasks import sync_connection

    folder = Path(tempfile.mkdtemp(prefix="monitr-fleet-"))
    broker = redis_url(os.environ["REDIS_URL"], options.redis_db)
    redis.Redis.from_url(broker).flushdb()
    fleet_ids, probe_ids = connect_all(source)
    for probe in probe_ids:  # imported before: Sync now brings them up to date
        outcome = sync_run_execute(connection_id=probe, trigger="connect")
        assert outcome.status == "succeeded", outcome
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "REDIS_URL": broker,
        "CELERY_BROKER_URL": broker,
        "EBOEKHOUDEN_REST_URL": source.rest_url,
        "EBOEKHOUDEN_MAX_IN_FLIGHT": str(options.source_cap),
        "EBOEKHOUDEN_MAX_PARALLEL": str(options.per_key),
        "MONITR_SYNC_SLICE_SECONDS": str(options.slice_seconds),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    source.reset_stats()
    order = list(fleet_ids)
    random.Random(options.seed).shuffle(order)
    pool = start_workers(workers, options, env, folder)
    probes = Probes(probe_ids, options.probe_every)
    in_flight = InFlight(source, options.source_cap)
    try:
        time.sleep(3)  # the workers connect to the broker
        after, started = last_run_id(), time.monotonic()
        worker_pids = [p.pid for p in pool.processes]
        cpu_before = cpu_split(source.pid, worker_pids)
        for connection_id in order:
            sync_connection.delay(connection_id, "connect")
        if probe_ids:  # --probes 0: no Sync now clicks (a round that only measures the fleet)
            probes.start()
        in_flight.start()
        finished, ended = wait_until_synced(fleet_ids, after, timeout=options.timeout)
        in_flight.stop.set()
        # Where the machine's CPU went during the first imports.
        cpu = cpu_spent(cpu_before, source.pid, worker_pids)
        probes.stop.set()
        makespan = finished - started
        failed = sum(1 for status in ended.values() if status != "succeeded")
        first_stats = source.stats()
        first_calls = calls_of(fleet_ids, after)
        tail = last_imports(source, fleet_ids, after)
        if probes.is_alive():
            probes.join(timeout=120)

        # A run's lock is let go just after its status is written: a nightly task that came first would be skipped.
        locks_let_go(fleet_ids, timeout=60)
        source.reset_stats()
        after, nightly_started = last_run_id(), time.monotonic()
        nightly_before = cpu_split(source.pid, worker_pids)
        for connection_id in order:
            sync_connection.delay(connection_id, "schedule")
        nightly_finished, _ = wait_until_synced(fleet_ids, after, timeout=options.timeout)
        nightly_seconds = nightly_finished - nightly_started
        # What one sync with nothing to change costs: the figure a fleet of any size is sized by.
        nightly_cpu = cpu_spent(nightly_before, source.pid, worker_pids)
        nightly_stats = source.stats()
        nightly_calls = calls_of(fleet_ids, after)
    finally:
        probes.stop.set()
        in_flight.stop.set()
        pool.stop()
    exact_count, wrong = exact(source, fleet_ids)
    floor = first_calls * options.latency_ms / 1000 / options.source_cap
    seconds = makespan
    return {
        "workers": workers,
        "makespan": round(seconds, 1),
        "floor": round(floor, 1),
        "ratio": round(seconds / floor, 3) if floor else None,
        "calls": first_calls,
        "failed": failed,
        "peak_in_flight": first_stats["peakInFlight"],
        "in_flight": in_flight.summary(),
        "last_imports": tail,
        "rate_limited": first_stats["rateLimited"],
        "source_calls": first_stats["calls"],
        "sync_now": [round(t, 2) for t in probes.times],
        "sync_now_failed": probes.failed,
        "nightly_seconds": round(nightly_seconds, 1),
        "nightly_calls": nightly_calls,
        "nightly_peak_in_flight": nightly_stats["peakInFlight"],
        "nightly_rate_limited": nightly_stats["rateLimited"],
        "nightly_cpu_ms_per_sync": {k: round(v * 1000 / len(fleet_ids)) for k, v in nightly_cpu.items()},
        "exact": exact_count,
        "cpu_seconds": {k: round(v, 1) for k, v in cpu.items()},
        "cpu_ms_per_call": {k: round(v * 1000 / first_calls, 2) for k, v in cpu.items()} if first_calls else {},
        # Where the whole machine's CPU is the limit (the sandbox, PostgreSQL and the workers on a few cores), the
        # makespan cannot go below its CPU seconds over its cores: above 1.25 x of the floor, this machine cannot
        # show the target whatever the client's fairness.
        "cpu_floor_ratio": round(cpu["machine"] / (os.cpu_count() or 1) / floor, 3) if floor else None,
        "cores": os.cpu_count(),
        "not_exact": wrong[:10],
        "wall_seconds": round(time.monotonic() - started, 1),
        "nightly_wall": round(time.monotonic() - nightly_started, 1),
        "logs": str(folder),
    }


def p95(values: list[float]) -> float | None:
    if not values:
        return None
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def figures_of(rounds: list[dict[str, Any]], options: argparse.Namespace) -> list[Figure]:
    figures: list[Figure] = []
    for r in rounds:
        n = r["workers"]
        share = r["rate_limited"] / r["source_calls"] * 100 if r["source_calls"] else 0.0
        figures += [
            Figure(
                f"{n} worker(s): first imports, makespan / floor",
                r["ratio"],
                "x",
                target=1.25,
                note=f"{r['makespan']:,.0f} s against {r['floor']:,.0f} s ({r['calls']:,} calls x "
                f"{options.latency_ms} ms / {options.source_cap}); {r['failed']} failed",
            ),
            Figure(f"{n} worker(s): most requests in flight at the source", r["peak_in_flight"], "", target=64),
            Figure(
                f"{n} worker(s): requests in flight at the source, mean over the makespan",
                r["in_flight"]["mean"],
                "",
                note=f"of {options.source_cap}; the last {r['in_flight']['tail_seconds']:,.0f} s below three quarters "
                "of it (the tail: a few imports left)",
            ),
            Figure(
                f"{n} worker(s): 429s, share of calls",
                round(share, 3),
                "%",
                target=1.0,
                note=f"{r['rate_limited']:,} of {r['source_calls']:,}",
            ),
            Figure(
                f"{n} worker(s): Sync now to done, p95",
                round(p95(r["sync_now"]), 1) if r["sync_now"] else None,
                "s",
                target=30.0,
                note=f"{len(r['sync_now'])} clicks, median "
                f"{statistics.median(r['sync_now']) if r['sync_now'] else 0:.1f} s; {r['sync_now_failed']} failed",
            ),
            Figure(
                f"{n} worker(s): the machine's own floor, its CPU over its cores, / floor",
                r["cpu_floor_ratio"],
                "x",
                note=f"{r['cpu_seconds']['machine']:,.0f} CPU s on {r['cores']} cores: no makespan is shorter than "
                f"{r['cpu_seconds']['machine'] / r['cores']:,.0f} s on this machine at this CPU a call"
                if r["cores"]
                else "",
            ),
            Figure(
                f"{n} worker(s): CPU per call during the first imports, whole machine",
                r["cpu_ms_per_call"].get("machine"),
                "ms",
                note="workers {workers} ms, sandbox {sandbox} ms, the rest (PostgreSQL, Redis, the polls) {other} ms; "
                "{cores} cores".format(**r["cpu_ms_per_call"], cores=r["cores"])
                if r["cpu_ms_per_call"]
                else "",
            ),
            Figure(
                f"{n} worker(s): nightly re-sync, nothing changed",
                r["nightly_seconds"],
                "s",
                note=f"{r['nightly_calls']:,} calls; CPU a sync: workers {r['nightly_cpu_ms_per_sync']['workers']} ms, "
                f"whole machine {r['nightly_cpu_ms_per_sync']['machine']} ms",
            ),
            Figure(
                f"{n} worker(s): administrations imported exactly",
                r["exact"],
                "",
                target=options.administrations,
                better="equal",
            ),
        ]
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--administrations", type=int, default=300)
    parser.add_argument("--mutations", type=int, default=300_000, help="mutations of the whole fleet")
    parser.add_argument("--min", type=int, default=50, help="the smallest administration's mutations")
    parser.add_argument("--max", type=int, default=20_000, help="the largest administration's mutations")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--source-cap", type=int, default=64, help="requests in flight the source allows in all")
    parser.add_argument("--per-key", type=int, default=32, help="requests in flight the source allows per API key")
    parser.add_argument("--workers", default="1,2,4", help="worker processes, one round each")
    parser.add_argument("--concurrency", type=int, default=12, help="threads per worker process")
    parser.add_argument("--slice-seconds", type=float, default=20.0, help="MONITR_SYNC_SLICE_SECONDS")
    parser.add_argument("--probes", type=int, default=4, help="administrations for Sync now")
    parser.add_argument("--probe-mutations", type=int, default=500, help="each probe administration's mutations")
    parser.add_argument("--probe-every", type=float, default=8.0, help="seconds between Sync now clicks")
    parser.add_argument(
        "--redis-db", type=int, default=None, help="the broker's and budget's Redis database (default: REDIS_URL's + 4)"
    )
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--json", type=Path, default=None, help="write the figures as JSON to this file")
    parser.add_argument("--round", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--source-file", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--round-out", type=Path, default=None, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if not os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = "redis://127.0.0.1:6379/0"
    if options.redis_db is None:  # a database of its own, flushed per round: never the one REDIS_URL names
        current = int(urlsplit(os.environ["REDIS_URL"]).path.strip("/") or 0)
        options.redis_db = (current + 4) % 16
    os.environ["REDIS_URL"] = redis_url(os.environ["REDIS_URL"], options.redis_db)
    if options.round is not None:
        described = json.loads(options.source_file.read_text())
        source = Source(process=None, **described)  # type: ignore[arg-type]
        with throwaway_database(os.environ.get("DATABASE_URL")) as database, django_on(database):
            from django.conf import settings

            settings.EBOEKHOUDEN_REST_URL = source.rest_url
            # The workers' day too (bench/fleet_worker.py), on one clock: they travel to the same moment from this one.
            os.environ["MONITR_FLEET_CLOCK_ANCHOR"] = str(time.time())
            with sync_day():
                result = one_round(options.round, source, options, database)
            write_json(options.round_out, result)
        return 0

    started = time.perf_counter()
    source = start_source(options)
    print(
        f"sandbox: {len(source.fleet)} administrations, {sum(a['mutations'] for a in source.fleet):,} mutations "
        f"(largest {max(a['mutations'] for a in source.fleet):,}), in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    rounds = []
    try:
        # Each round in a process of its own, on a database of its own: Django is set up once per process.
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as described:
            json.dump(
                {
                    "pid": source.pid,
                    "rest_url": source.rest_url,
                    "control_url": source.control_url,
                    "fleet": source.fleet,
                    "probes": source.probes,
                },
                described,
            )
        for count in [int(n) for n in options.workers.split(",")]:
            out = Path(described.name).with_suffix(f".round{count}.json")
            command = [sys.executable, "bench/fleet.py", *(argv if argv is not None else sys.argv[1:])]
            command += [f"--round={count}", f"--source-file={described.name}", f"--round-out={out}"]
            command.append(f"--redis-db={options.redis_db}")
            subprocess.run(command, cwd=ROOT, check=True)
            result = json.loads(out.read_text())
            rounds.append(result)
            print(json.dumps({k: v for k, v in result.items() if k != "sync_now"}), flush=True)
    finally:
        source.stop()
    figures = figures_of(rounds, options)
    print_figures([f.as_dict() for f in figures])
    if options.json:
        write_json(
            options.json,
            {
                "figures": [f.as_dict() for f in figures],
                "details": {"rounds": rounds, "options": vars(options) | {"json": str(options.json)}},
            },
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
