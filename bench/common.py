"""What Monitr's benchmarks share: a throwaway database, Django set up on it, the e-Boekhouden sandbox, peak
memory, machine facts, and the result format that ``bench/run.py`` collects.

Every benchmark runs in a database of its own, created next to the one ``DATABASE_URL`` names and dropped at the
end (SQLite: a file in a temporary folder), so the development and test databases are never touched.

The sandbox runs in a process of its own by default. In a thread of the benchmark's process it would share the
GIL with the import (the figures would measure both) and its books (about 130 MB per 100,000 mutations) would
count in the import's peak memory; ``--sandbox thread`` is there to show that difference and for quick checks.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The sandbox's books end on a fixed day and every sync runs as if it were twelve days later, so the data, the
# look-back window and the months a no-change sync re-reads are the same on every run, whatever the calendar says.
BOOKS_END = dt.date(2025, 12, 31)
SYNC_TODAY = dt.datetime(2026, 1, 12, 9, 0, tzinfo=dt.UTC)


# --- memory ---------------------------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    """The process's peak resident memory so far, in MB (``ru_maxrss`` is in kilobytes on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb(pid: int | str = "self") -> tuple[float, float]:
    """(current, peak) resident memory of a process in MB, from /proc; (0, 0) where /proc is not available."""
    values = {"VmRSS": 0.0, "VmHWM": 0.0}
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0, 0.0
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        if key in values:
            values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


# --- the database ---------------------------------------------------------------------------------------------


def is_postgres(url: str | None) -> bool:
    return bool(url) and url.startswith(("postgres://", "postgresql://", "pgsql://"))


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@contextmanager
def throwaway_database(url: str | None) -> Iterator[str]:
    """Yield the URL of a new, empty database and drop it afterwards.

    PostgreSQL: ``monitr_bench_<pid>_<random>`` on the server ``url`` names, created and dropped from the server's
    maintenance database ``postgres``. Anything else (or nothing): an SQLite file in a temporary folder.
    """
    if is_postgres(url):
        import psycopg

        assert url is not None
        name = f"monitr_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        admin_url = with_database(url, "postgres")
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            yield with_database(url, name)
        finally:
            _close_django_connections()
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    folder = tempfile.mkdtemp(prefix="monitr-bench-")
    try:
        yield f"sqlite:///{folder}/bench.sqlite3"
    finally:
        _close_django_connections()
        shutil.rmtree(folder, ignore_errors=True)


def _close_django_connections() -> None:
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()


@contextmanager
def django_on(database_url: str, *, log_level: str = "WARNING") -> Iterator[None]:
    """Set Django up on ``database_url`` with the settings of a worker, migrate, and clean up afterwards.

    ``DEBUG`` is off, as on a worker (with it on, Django keeps the last 9,000 queries in memory). Logs go to stderr
    at ``log_level``: the client logs one event per request at INFO, which a production worker writes too; the
    benchmarks default to WARNING so that the table stays readable (``--log-level INFO`` measures it with them).
    The local data folder (development keys) is a temporary one, so nothing of the developer's ``var/`` is used.
    """
    data_dir = tempfile.mkdtemp(prefix="monitr-bench-data-")
    os.environ.update(
        DATABASE_URL=database_url,
        DEBUG="false",
        LOG_LEVEL=log_level,
        MONITR_DATA_DIR=data_dir,
        DJANGO_SETTINGS_MODULE="monitr.settings",
    )
    try:
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        yield
    finally:
        _close_django_connections()
        shutil.rmtree(data_dir, ignore_errors=True)


def database_version() -> str:
    """The version of the database Django is connected to, e.g. ``PostgreSQL 15.20``."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
    return connection.vendor


# --- the sandbox ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SandboxAdministration:
    guid: str
    company: str
    api_token: str
    mutations: int


class SandboxHandle:
    """A started sandbox with one administration, in a process of its own or in a thread; the same control
    methods either way (over the control API, or directly)."""

    def __init__(self, *, mode: str, rest_url: str, soap_url: str, administration: SandboxAdministration) -> None:
        self.mode = mode
        self.rest_url = rest_url
        self.soap_url = soap_url
        self.administration = administration
        self.started_in = 0.0
        self._process: subprocess.Popen[str] | None = None
        self._sandbox: Any = None  # eboekhouden.sandbox.Sandbox in thread mode
        self._http: Any = None  # requests.Session for the control API in process mode

    @property
    def guid(self) -> str:
        return self.administration.guid

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def rss_mb(self) -> tuple[float, float]:
        """(current, peak) memory of the sandbox's process; (0, 0) when it runs in this process."""
        return rss_mb(self._process.pid) if self._process is not None else (0.0, 0.0)

    # The control API: what the benchmarks change at the source.
    def truth_mutation(self, mutation_id: int) -> dict[str, Any]:
        if self._sandbox is not None:
            return self._sandbox.truth_mutation(self.guid, mutation_id)
        return self._control("GET", f"administrations/{self.guid}/mutations/{mutation_id}")

    def edit_mutation(self, mutation_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        if self._sandbox is not None:
            return self._sandbox.edit_mutation(self.guid, mutation_id, changes)
        return self._control("PATCH", f"administrations/{self.guid}/mutations/{mutation_id}", json=changes)

    def delete_mutation(self, mutation_id: int) -> None:
        if self._sandbox is not None:
            self._sandbox.delete_mutation(self.guid, mutation_id)
        else:
            self._control("DELETE", f"administrations/{self.guid}/mutations/{mutation_id}")

    def balances(self, start: dt.date | None = None, end: dt.date | None = None) -> list[dict[str, Any]]:
        """Every ledger's balance from ``start`` to ``end`` (default: over the whole history), debit positive."""
        if self._sandbox is not None:
            return self._sandbox.balances(self.guid, start, end)
        params = {key: day.isoformat() for key, day in (("from", start), ("to", end)) if day is not None}
        return self._control("GET", f"administrations/{self.guid}/balances", params=params)

    def outstanding(self, side: str) -> list[dict[str, Any]]:
        """The open items of one side (``D`` debtors, ``C`` creditors) as the source lists them."""
        if self._sandbox is not None:
            return self._sandbox.outstanding(self.guid, side)
        return self._control("GET", f"administrations/{self.guid}/outstanding", params={"credDeb": side})

    def set_fault(self, **settings: Any) -> dict[str, Any]:
        if self._sandbox is not None:
            return self._sandbox.set_fault(**settings)
        return self._control("POST", "faults", json=settings)

    def _control(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._http.request(method, f"{self.rest_url}/_sandbox/{path}", timeout=60, **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None

    def stop(self) -> None:
        if self._sandbox is not None:
            self._sandbox.stop()
            self._sandbox = None
        if self._http is not None:
            self._http.close()
            self._http = None
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None

    def __enter__(self) -> SandboxHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def sandbox_process(command: list[str]) -> tuple[subprocess.Popen, dict[str, Any]]:
    """Start ``python -m eboekhouden.sandbox ... --json`` and read the summary it prints once it serves."""
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        process.wait()
        raise RuntimeError(f"the sandbox did not start (exit status {process.returncode})")
    return process, json.loads(line)


def start_sandbox(
    *, mutations: int, latency_ms: int = 0, seed: int = 1, mode: str = "process", end_date: dt.date = BOOKS_END
) -> SandboxHandle:
    """A sandbox with one administration of ``mutations`` mutations over three years ending ``end_date``, every
    API call answered after ``latency_ms``; in its own process (``mode="process"``) or in a thread."""
    started = time.perf_counter()
    if mode == "thread":
        from eboekhouden.sandbox import Sandbox, SandboxConfig

        sandbox = Sandbox.start(
            SandboxConfig(seed=seed, mutations=mutations, administrations=1, end_date=end_date, latency_ms=latency_ms)
        )
        info = sandbox.administrations[0]
        handle = SandboxHandle(
            mode=mode,
            rest_url=sandbox.rest_url,
            soap_url=sandbox.soap_url,
            administration=SandboxAdministration(info.guid, info.company, info.api_token, info.mutations),
        )
        handle._sandbox = sandbox
    elif mode == "process":
        import requests

        command = [
            sys.executable,
            "-m",
            "eboekhouden.sandbox",
            "--port=0",
            "--json",
            "--administrations=1",
            f"--mutations={mutations}",
            f"--seed={seed}",
            f"--end-date={end_date.isoformat()}",
            f"--latency-ms={latency_ms}",
        ]
        process, summary = sandbox_process(command)
        info = summary["administrations"][0]
        handle = SandboxHandle(
            mode=mode,
            rest_url=summary["restUrl"],
            soap_url=summary["soapUrl"],
            administration=SandboxAdministration(info["guid"], info["company"], info["apiToken"], info["mutations"]),
        )
        handle._process = process
        handle._http = requests.Session()
    else:
        raise ValueError(f"sandbox mode must be process or thread, not {mode!r}")
    handle.started_in = time.perf_counter() - started
    return handle


# --- Monitr's side of a connection ------------------------------------------------------------------------------


def connect_to_sandbox(handle: SandboxHandle, *, slug: str = "bench"):
    """An organisation with an e-Boekhouden connection to the sandbox's administration (as the Add wizard would
    leave it), the settings pointing at the sandbox. Returns the Connection."""
    from django.conf import settings

    from eboekhouden.provider import Transport
    from integrations.models import Connection, Integration
    from ledger.models import Administration
    from monitr.tenancy.models import Organization

    settings.EBOEKHOUDEN_REST_URL = handle.rest_url
    settings.EBOEKHOUDEN_SOAP_URL = handle.soap_url
    organization = Organization.objects.create(name="Bench BV", slug=slug)
    integration = Integration.objects.create(organization=organization, provider_key="eboekhouden")
    administration = Administration.objects.create(
        organization=organization,
        provider="eboekhouden",
        external_id=handle.administration.guid,
        name=handle.administration.company,
    )
    return Connection.objects.create(
        integration=integration,
        administration=administration,
        credentials={"api_token": handle.administration.api_token},
        credentials_hint="••••bench",
        transport=Transport.REST,
    )


@contextmanager
def sync_day(when: dt.datetime = SYNC_TODAY) -> Iterator[None]:
    """Run the code inside as if it were ``when`` (the clock keeps ticking); see ``SYNC_TODAY``."""
    import time_machine

    with time_machine.travel(when, tick=True):
        yield


# --- results ------------------------------------------------------------------------------------------------------


@dataclass
class Figure:
    """One measured figure, with its target when it has one. ``better`` says which way is good: "lower" figures
    meet ``target`` when at most it, "higher" ones when at least it, "equal" ones when equal to it."""

    name: str
    value: float | int | str | None
    unit: str = ""
    target: float | int | str | None = None
    better: str = "lower"
    note: str = ""
    runs: list[float | int] = field(default_factory=list)

    @property
    def met(self) -> bool | None:
        if self.target is None or self.value is None:
            return None
        if self.better == "equal":
            return self.value == self.target
        if not isinstance(self.value, int | float) or not isinstance(self.target, int | float):
            return None
        return self.value >= self.target if self.better == "higher" else self.value <= self.target

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "met": self.met}


def target_text(figure: dict[str, Any]) -> str:
    """``≤ 90 s``, ``= 100``, ``= yes``: a figure's target as the table shows it."""
    target = figure.get("target")
    if target is None:
        return ""
    sign = {"equal": "=", "higher": "≥"}.get(figure.get("better", "lower"), "≤")
    text = f"{target:,}" if isinstance(target, int) else f"{target:g}" if isinstance(target, float) else str(target)
    unit = figure.get("unit", "")
    return f"{sign} {text}{' ' + unit if unit and unit != 'calls' else ''}"


def value_text(figure: dict[str, Any]) -> str:
    value = figure.get("value")
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if abs(value) >= 1000 and value.is_integer():
            return f"{value:,.0f}"
        return f"{value:,.2f}" if abs(value) < 10 else f"{value:,.1f}"
    return "–" if value is None else str(value)


def verdict_text(figure: dict[str, Any]) -> str:
    return {True: "met", False: "NOT MET", None: ""}[figure.get("met")]


def print_figures(figures: list[dict[str, Any]], *, notes: bool = True) -> None:
    """The figures as a plain table: name, value and unit, target, met or not; the notes under their figure."""
    width = max((len(f["name"]) for f in figures), default=10)
    for f in figures:
        value = f"{value_text(f)} {f.get('unit', '')}".rstrip()
        print(f"  {f['name']:<{width}}  {value:>16}  {target_text(f):<14}  {verdict_text(f)}".rstrip())
        if notes and f.get("note"):
            print(f"  {'':<{width}}    {f['note']}")


def machine_facts(database: str | None = None) -> dict[str, Any]:
    """Cores, memory, Python, database and Redis versions, date and commit: what a figure needs to be compared."""
    facts: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "memory_gb": _memory_gb(),
        "cpu": _cpu_model(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "database": database,
        "redis": _redis_version(),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
    }
    return facts


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _redis_version() -> str | None:
    url = os.environ.get("REDIS_URL")
    if not url:
        return None
    try:
        import redis

        return str(redis.Redis.from_url(url, socket_timeout=2).info("server")["redis_version"])
    except Exception:  # the figures do not depend on Redis; a fact we cannot read is left out, not fatal
        return None


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
