"""Benchmark of the time to the first numbers of a first import: how long after a first sync starts the read API
shows the Outstanding Items and the P&L right, while the mutations (one detail call each) are still coming.

    .venv/bin/python bench/first_numbers.py --mutations 20000,200000 --latency-ms 50    # make bench
    .venv/bin/python bench/first_numbers.py --mutations 2000 --latency-ms 50            # a quick check

For each size: a sandbox administration of N mutations in a process of its own (every API call answered after L
ms), a throwaway database, and the first sync of it started in a process of its own as the worker runs it
(``sync_run_execute``; in this process it would share the GIL with the polls). Meanwhile this process reads the JSON
API under ``/api/v1/`` as a signed-in member of the organisation (Django's test client) every ``--poll-ms`` (100),
and notes when, counted from the sync's start (``time.monotonic``, one clock for both processes):

- **open items right**: ``outstanding-items/aging/`` of receivables and of payables give the source's outstanding
  list of that side: its total and its number of items;
- **P&L right**: ``reports/pnl/`` of the last full year (2025) gives the source's balances of that year: every
  account month by month (each ledger's balance per month, the sandbox's control API), and the net result.

Beside them the whole import's time. A moment is the end of the first poll that saw it right, so it is late by at
most a poll's interval and its own time. The figures' targets are the issue's (5 s each). What the sync does
before the first numbers, on REST: the reference lists (a few calls), the open items of both sides (2 calls, written
at once, dated by the terms known then), the search for the history's first day (a few rounds of one-item list
calls) and the balances of every month (one call each, concurrently). The details of the open items' invoices (one
call per open item, for their own payment terms; the mutations stream takes them from there, no detail is fetched
twice) come after both. The number of open items is printed too.

The sync runs "on" 2026-01-12, twelve days after the books end, as in ``bench/import_sync.py``. ``DATABASE_URL``
names the PostgreSQL server (a throwaway database is created on it); without it SQLite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    SYNC_TODAY,
    Figure,
    SandboxHandle,
    connect_to_sandbox,
    database_version,
    django_on,
    peak_rss_mb,
    print_figures,
    start_sandbox,
    sync_day,
    throwaway_database,
    write_json,
)

DETAIL = "GET /v1/mutation/{id}"
TARGET_FIRST_NUMBERS_S = 5.0
YEAR = SYNC_TODAY.year - 1  # the last full year of the books
SIDES = (("D", "receivable"), ("C", "payable"))
AGING = "/api/v1/outstanding-items/aging/"
PNL = "/api/v1/reports/pnl/"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mutations", default="20000", help="mutations at the source, comma-separated sizes")
    parser.add_argument("--latency-ms", type=int, default=50, help="latency of every API call")
    parser.add_argument("--poll-ms", type=int, default=100, help="how often the API is read while the sync runs")
    parser.add_argument("--sandbox", choices=("process", "thread"), default="process", help="where the sandbox runs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log-level", default="WARNING", help="the worker's log level")
    parser.add_argument("--json", type=Path, default=None, help="write the figures as JSON to this file")
    parser.add_argument("--worker", type=int, default=None, help=argparse.SUPPRESS)  # the sync's own process
    args = parser.parse_args(argv)
    if args.worker is not None:
        return worker(args.worker)
    sizes = [int(size.replace("_", "")) for size in args.mutations.split(",") if size.strip()]

    figures: list[dict[str, Any]] = []
    details: dict[str, Any] = {}
    database = ""
    for mutations in sizes:
        if len(sizes) > 1:
            # Each size in a process of its own: Django is set up once per process, on one database.
            result = _in_own_process(mutations, args)
        else:
            result = run(
                mutations=mutations,
                latency_ms=args.latency_ms,
                poll_ms=args.poll_ms,
                sandbox_mode=args.sandbox,
                seed=args.seed,
                log_level=args.log_level,
            )
            print(f"first numbers: {mutations:,} mutations, latency {args.latency_ms} ms, {result['database']}")
            print_figures(result["figures"])
        figures += result["figures"]
        details[str(mutations)] = result["details"][str(mutations)] if len(sizes) > 1 else result["details"]
        database = result["database"]
    report = {
        "benchmark": "first_numbers",
        "parameters": {
            "mutations": sizes,
            "latency_ms": args.latency_ms,
            "poll_ms": args.poll_ms,
            "sandbox": args.sandbox,
            "seed": args.seed,
        },
        "database": database,
        "figures": figures,
        "details": details,
    }
    if args.json:
        write_json(args.json, report)
    return 0 if all(f.get("met") is not False for f in figures) else 1


def _in_own_process(mutations: int, args: argparse.Namespace) -> dict[str, Any]:
    """This benchmark at one size, run by a child process; its JSON report."""
    with tempfile.TemporaryDirectory(prefix="monitr-bench-") as folder:
        out = Path(folder) / "result.json"
        command = [
            sys.executable,
            __file__,
            f"--mutations={mutations}",
            f"--latency-ms={args.latency_ms}",
            f"--poll-ms={args.poll_ms}",
            f"--sandbox={args.sandbox}",
            f"--seed={args.seed}",
            f"--log-level={args.log_level}",
            f"--json={out}",
        ]
        subprocess.run(command, check=False)
        if not out.exists():
            raise RuntimeError(f"the benchmark of {mutations:,} mutations wrote no figures")
        return json.loads(out.read_text())


@dataclass
class Expected:
    """What the source says, read from the sandbox's control API before the sync starts."""

    # side ("receivable", "payable") → (number of items, total outstanding)
    open_items: dict[str, tuple[int, Decimal]]
    # ledger code → its balance in each month of YEAR
    pnl_months: dict[str, list[Decimal]]
    net_result: Decimal
    open_item_count: int = field(init=False)

    def __post_init__(self) -> None:
        self.open_item_count = sum(count for count, _ in self.open_items.values())


def expected_from(sandbox: SandboxHandle) -> Expected:
    open_items = {}
    for code, side in SIDES:
        items = sandbox.outstanding(code)
        open_items[side] = (len(items), sum((Decimal(str(i["outstandingAmount"])) for i in items), Decimal(0)))
    months: dict[str, list[Decimal]] = {}
    for month in range(1, 13):
        first = dt.date(YEAR, month, 1)
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        for balance in sandbox.balances(first, last):
            if balance["category"] == "VW":
                months.setdefault(balance["code"], [Decimal(0)] * 12)[month - 1] = Decimal(str(balance["balance"]))
    year = sandbox.balances(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))
    net_result = -sum((Decimal(str(b["balance"])) for b in year if b["category"] == "VW"), Decimal(0))
    return Expected(open_items=open_items, pnl_months=months, net_result=net_result)


def open_items_right(client, expected: Expected) -> bool:
    for _, side in SIDES:
        response = client.get(AGING, {"side": side})
        if response.status_code != 200:
            return False
        data = response.json()
        if (data["count"], Decimal(str(data["total"]))) != expected.open_items[side]:
            return False
    return True


def pnl_right(client, expected: Expected) -> bool:
    from dashboards.mapping import PNL_LINES

    signs = {str(info.line): info.sign for info in PNL_LINES}
    response = client.get(PNL, {"year": YEAR, "month": 12})
    if response.status_code != 200:
        return False
    data = response.json()
    shown: dict[str, list[Decimal]] = {}
    for row in data["rows"]:
        if row["kind"] != "line":
            continue
        for account in row["accounts"]:
            months = [Decimal(str(m)) * signs[row["line"]] for m in account["figures"]["months"]]
            if any(months):
                shown[account["code"]] = months
    wanted = {code: months for code, months in expected.pnl_months.items() if any(months)}
    result = next((r for r in data["rows"] if r["label"] == "Net result"), None)
    return shown == wanted and result is not None and Decimal(str(result["figures"]["total"])) == expected.net_result


def run(
    *,
    mutations: int,
    latency_ms: int,
    poll_ms: int = 100,
    sandbox_mode: str = "process",
    seed: int = 1,
    log_level: str = "WARNING",
) -> dict[str, Any]:
    """One first sync of ``mutations`` in a throwaway database, polled; the figures and what they were measured on."""
    with (
        start_sandbox(mutations=mutations, latency_ms=latency_ms, seed=seed, mode=sandbox_mode) as sandbox,
        throwaway_database(os.environ.get("DATABASE_URL")) as url,
        django_on(url, log_level=log_level),
    ):
        connection = connect_to_sandbox(sandbox)
        client = _member_client(connection)
        expected = expected_from(sandbox)
        with sync_day():
            timings = _first_sync_polled(connection, client, expected, poll_ms=poll_ms)
            exact = _exact(sandbox, connection)
        return {
            "database": database_version(),
            "figures": [f.as_dict() for f in _figures(mutations, expected, timings, exact)],
            "details": {
                **timings,
                "open_items": {side: [n, str(total)] for side, (n, total) in expected.open_items.items()},
                "peak_rss_mb": round(peak_rss_mb(), 1),
                "sandbox_started_s": round(sandbox.started_in, 2),
            },
        }


def _member_client(connection):
    from django.contrib.auth import get_user_model
    from django.test import Client

    from monitr.tenancy.models import Membership

    user = get_user_model().objects.create_user(email="member@bench.example")
    Membership.objects.create(user=user, organization=connection.integration.organization, role="member")
    client = Client()
    client.force_login(user)
    return client


def worker(connection_id: int) -> int:
    """The first sync, in this process (started by :func:`_first_sync_polled`, with its Django environment): prints
    when it starts and ends, on ``time.monotonic``."""
    import django

    django.setup()
    from integrations.sync.engine import sync_run_execute

    with sync_day():
        print(json.dumps({"started": time.monotonic()}), flush=True)
        outcome = sync_run_execute(connection_id=connection_id, trigger="manual")
        print(json.dumps({"finished": time.monotonic(), "run_id": outcome.run_id}), flush=True)
    return 0


def _first_sync_polled(connection, client, expected: Expected, *, poll_ms: int) -> dict[str, Any]:
    """Start the first sync in a process of its own and read the API until both are right; then wait for its end."""
    from django.conf import settings

    from integrations.models import SyncRun, SyncRunStatus

    environment = {
        **os.environ,
        "EBOEKHOUDEN_REST_URL": settings.EBOEKHOUDEN_REST_URL,
        "EBOEKHOUDEN_SOAP_URL": settings.EBOEKHOUDEN_SOAP_URL,
    }
    command = [sys.executable, __file__, f"--worker={connection.pk}"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=environment)
    assert process.stdout is not None
    started = json.loads(process.stdout.readline())["started"]
    moments: dict[str, float | None] = {"open_items_right_s": None, "pnl_right_s": None}
    polls = 0
    while None in moments.values():
        finished = process.poll() is not None
        tick = time.monotonic()
        polls += 1
        if moments["open_items_right_s"] is None and open_items_right(client, expected):
            moments["open_items_right_s"] = time.monotonic() - started
        if moments["pnl_right_s"] is None and pnl_right(client, expected):
            moments["pnl_right_s"] = time.monotonic() - started
        if finished:
            break  # read once more after the sync's end: what is not right now never will be
        time.sleep(max(0.0, poll_ms / 1000 - (time.monotonic() - tick)))
    end = json.loads(process.stdout.readline() or "{}")
    if process.wait() != 0 or "run_id" not in end:
        raise RuntimeError(f"the sync's process failed (exit status {process.returncode})")
    run = SyncRun.objects.get(pk=end["run_id"])
    if run.status != SyncRunStatus.SUCCEEDED:
        raise RuntimeError(f"the sync failed: {run.error_code}: {run.error_message}")
    return {
        **moments,
        "whole_import_s": end["finished"] - started,
        "polls": polls,
        "api_calls": dict(sorted(run.api_calls.items())),
        "counts": run.counts,
    }


def _exact(sandbox: SandboxHandle, connection) -> bool:
    from django.db.models import Sum

    from ledger.models import TransactionLine
    from ledger.money import cents

    source = {str(b["ledgerId"]): Decimal(str(b["balance"])) for b in sandbox.balances()}
    imported = dict(
        TransactionLine.objects.filter(administration=connection.administration)
        .values_list("account__external_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return all(source.get(k, Decimal(0)) == cents(imported.get(k)) for k in set(source) | set(imported))


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _figures(mutations: int, expected: Expected, timings: dict[str, Any], exact: bool) -> list[Figure]:
    size = f"{mutations:,} mutations"
    calls = timings["api_calls"]
    return [
        Figure(
            f"{size}: open items right",
            _seconds(timings["open_items_right_s"]),
            "s",
            TARGET_FIRST_NUMBERS_S,
            note=f"{expected.open_item_count:,} open items at the source (a detail call each for their terms)",
        ),
        Figure(f"{size}: P&L {YEAR} right", _seconds(timings["pnl_right_s"]), "s", TARGET_FIRST_NUMBERS_S),
        Figure(f"{size}: whole import", round(timings["whole_import_s"], 1), "s"),
        Figure(
            f"{size}: detail calls",
            calls.get(DETAIL, 0),
            "calls",
            mutations,
            "equal",
            note="one per mutation: the open items' invoices are not fetched twice",
        ),
        Figure(
            f"{size}: exact",
            "yes" if exact else "no",
            "",
            "yes",
            "equal",
            note="lines per ledger = the source's balances",
        ),
    ]


if __name__ == "__main__":
    sys.exit(main())
