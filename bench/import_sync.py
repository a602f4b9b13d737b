"""Benchmark of the import over the API (issue 9, parts 1 and 4): whole syncs of a sandbox administration through
``sync_run_execute``, as a worker runs them, against PostgreSQL (or SQLite).

    .venv/bin/python bench/import_sync.py import --mutations 20000 --latency-ms 50     # part 1
    .venv/bin/python bench/import_sync.py memory --mutations 100000                    # part 4
    .venv/bin/python bench/import_sync.py import --mutations 2000 --latency-ms 50      # a quick check

``import``: the first sync of an administration of N mutations (about three lines each), every API call answered
after L ms; then a second sync with nothing changed; then 1 % of the mutations, spread over the whole history,
edited (a row's amount) or deleted at the source, and a third sync; last, the next nightly sync twelve hours later,
nothing changed, whose detail calls are the rotating re-read's share of the history (``MONITR_SYNC_REREAD_DAYS``:
every mutation's detail once in that many days). Each sync: wall time and API calls by endpoint;
the first also mutations per second, the process's peak memory, and the API's floor: its calls x the latency /
the calls in flight at once (``max_parallel``), the least any client could take, with the ratio of its wall time
to that (target <= 1.15). After the first and the last sync the imported
lines are checked against the sandbox's balances per ledger (the import must be exact, not only fast).

``memory``: the first sync of a big administration (100,000 mutations, about 300,000 lines); the figure is the
peak memory (RSS) of this process, the worker, with the sandbox in a process of its own.

The syncs run "on" 2026-01-12, twelve days after the books end, so the look-back window (60 days before the
cursor) covers November and December and the balance check reads one balances call per year, as a nightly sync
would. ``DATABASE_URL`` names the PostgreSQL server (a throwaway database is created on it); without it SQLite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import math
import os
import sys
import time
from collections.abc import Callable
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
# Issue 9's targets.
TARGET_FIRST_IMPORT_S = 90.0
TARGET_NO_CHANGE_S = 5.0
TARGET_PEAK_RSS_MB = 300.0
# The first import against the API's floor (below): how much the client, the writes and the machine add to the
# waiting no client can avoid.
TARGET_FLOOR_RATIO = 1.15


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", choices=("import", "memory"), help="part 1 (import) or part 4 (memory)")
    parser.add_argument("--mutations", type=int, default=None, help="mutations at the source (20,000 / 100,000)")
    parser.add_argument("--latency-ms", type=int, default=None, help="latency of every API call (50 / 0)")
    parser.add_argument("--change-percent", type=float, default=1.0, help="import: share of mutations changed")
    parser.add_argument("--sandbox", choices=("process", "thread"), default="process", help="where the sandbox runs")
    parser.add_argument("--max-parallel", type=int, default=None, help="detail fetches in flight (default: Monitr's)")
    parser.add_argument("--first-only", action="store_true", help="import: the first sync alone (to compare settings)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--log-level", default="WARNING", help="the worker's log level (INFO: one event per call)")
    parser.add_argument(
        "--profile", type=Path, default=None, help="a folder for pyinstrument profiles of each sync (HTML and text)"
    )
    parser.add_argument("--json", type=Path, default=None, help="write the figures as JSON to this file")
    args = parser.parse_args(argv)
    defaults = {"import": (20_000, 50), "memory": (100_000, 0)}[args.scenario]
    mutations = args.mutations if args.mutations is not None else defaults[0]
    latency = args.latency_ms if args.latency_ms is not None else defaults[1]

    result = run(
        args.scenario,
        mutations=mutations,
        latency_ms=latency,
        change_percent=None if args.first_only else args.change_percent,
        sandbox_mode=args.sandbox,
        max_parallel=args.max_parallel,
        seed=args.seed,
        log_level=args.log_level,
        profile=args.profile,
    )
    print_result(result)
    if args.json:
        write_json(args.json, result)
    return 0 if all(f.get("met") is not False for f in result["figures"]) else 1


def run(
    scenario: str,
    *,
    mutations: int,
    latency_ms: int,
    change_percent: float | None = 1.0,
    sandbox_mode: str = "process",
    max_parallel: int | None = None,
    seed: int = 1,
    log_level: str = "WARNING",
    profile: Path | None = None,
) -> dict[str, Any]:
    """Run one scenario in a throwaway database; the figures and what they were measured on, as a dict."""
    with (
        start_sandbox(mutations=mutations, latency_ms=latency_ms, seed=seed, mode=sandbox_mode) as sandbox,
        throwaway_database(os.environ.get("DATABASE_URL")) as url,
        django_on(url, log_level=log_level),
    ):
        if max_parallel is not None:
            from django.conf import settings

            settings.EBOEKHOUDEN_MAX_PARALLEL = max_parallel
        connection = connect_to_sandbox(sandbox)
        rss_before = peak_rss_mb()
        scenario_run = _import if scenario == "import" else _memory
        figures, details = scenario_run(
            sandbox, connection, change_percent=change_percent, profile=profile, latency_ms=latency_ms
        )
        sandbox_rss = sandbox.rss_mb()
        return {
            "benchmark": scenario,
            "parameters": {
                "mutations": mutations,
                "latency_ms": latency_ms,
                "sandbox": sandbox_mode,
                "max_parallel": _max_parallel(),
                "change_percent": change_percent if scenario == "import" else None,
                "seed": seed,
                "log_level": log_level,
            },
            "database": database_version(),
            "figures": [f.as_dict() for f in figures],
            "details": {
                **details,
                "rss_after_setup_mb": round(rss_before, 1),
                "sandbox_started_s": round(sandbox.started_in, 2),
                "sandbox_rss_mb": round(sandbox_rss[0], 1) if sandbox_rss[0] else None,
            },
        }


def _max_parallel() -> int:
    from eboekhouden.client.gateway import max_parallel_setting

    return max_parallel_setting()


# --- the scenarios ------------------------------------------------------------------------------------------------


def _sync(connection) -> dict[str, Any]:
    """One whole sync as the worker runs it; its wall time, calls and counts."""
    from integrations.models import SyncRun, SyncRunStatus
    from integrations.sync.engine import sync_run_execute

    gc.collect()  # garbage of the previous step is not this sync's
    started = time.perf_counter()
    outcome = sync_run_execute(connection_id=connection.pk, trigger="manual")
    seconds = time.perf_counter() - started
    run = SyncRun.objects.get(pk=outcome.run_id)
    if run.status != SyncRunStatus.SUCCEEDED:
        raise RuntimeError(f"the sync failed: {run.error_code}: {run.error_message}")
    return {"seconds": seconds, "api_calls": dict(sorted(run.api_calls.items())), "counts": run.counts}


def _in_rotation(connection) -> int:
    from ledger.selectors import transactions_in_rotation

    return transactions_in_rotation(administration=connection.administration).count()


def _stored_lines(connection) -> int:
    from ledger.models import TransactionLine

    return TransactionLine.objects.filter(administration=connection.administration).count()


def _exact(sandbox: SandboxHandle, connection) -> bool:
    """Do the imported lines add up, per ledger, to the sandbox's balances over the whole history?"""
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
    ledgers = set(source) | set(imported)
    return all(source.get(k, Decimal(0)) == cents(imported.get(k)) for k in ledgers)


def _profiled(profile: Path | None, name: str, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``work()``, under pyinstrument when a profile folder is given (the main thread: where the sync waits for
    the fetch threads shows as ``fetch_concurrently``; for every thread use py-spy, see bench/README.md)."""
    if profile is None:
        return work()
    from pyinstrument import Profiler  # an optional tool: .venv/bin/pip install pyinstrument

    profiler = Profiler(interval=0.005, async_mode="disabled")
    profiler.start()
    try:
        return work()
    finally:
        profiler.stop()
        profile.mkdir(parents=True, exist_ok=True)
        (profile / f"{name}.html").write_text(profiler.output_html())
        (profile / f"{name}.txt").write_text(profiler.output_text(unicode=True, color=False))


def _import(sandbox: SandboxHandle, connection, *, change_percent: float | None, profile: Path | None, latency_ms: int):
    """The first import, then (unless ``change_percent`` is None) a sync with no change and one after changes."""
    from django.conf import settings

    floor = api_floor(latency_ms=latency_ms, parallelism=_max_parallel())

    with sync_day():
        first = _profiled(profile, "first-import", lambda: _sync(connection))
        peak_after_first = peak_rss_mb()
        lines = _stored_lines(connection)
        first_exact = _exact(sandbox, connection)
        if change_percent is None:
            first_figures = _first_figures(sandbox, first, peak_after_first, first_exact, floor)
            return first_figures, {"first": first, "lines": lines, "floor": floor(first)}

        second = _profiled(profile, "no-change", lambda: _sync(connection))

        lookback_start = _lookback_start(connection, settings.MONITR_SYNC_LOOKBACK_DAYS)
        changes = change_at_source(sandbox, percent=change_percent, lookback_start=lookback_start)
        third = _profiled(profile, "change", lambda: _sync(connection))
        third_exact = _exact(sandbox, connection)
    # The next nightly run, half a day on: the rotating re-read reads the details of its share of the history.
    with sync_day(SYNC_TODAY + dt.timedelta(hours=12)):
        later = _profiled(profile, "half-a-day-later", lambda: _sync(connection))

    third_details = third["api_calls"].get(DETAIL, 0)
    in_rotation = _in_rotation(connection)
    figures = [
        *_first_figures(sandbox, first, peak_after_first, first_exact, floor),
        Figure("no-change sync: wall time", round(second["seconds"], 2), "s", TARGET_NO_CHANGE_S),
        Figure("no-change sync: API calls", sum(second["api_calls"].values()), "calls", note=_calls(second)),
        Figure("no-change sync: detail calls", second["api_calls"].get(DETAIL, 0), "calls", 0, "equal"),
        Figure("1% change sync: wall time", round(third["seconds"], 2), "s"),
        Figure("1% change sync: API calls", sum(third["api_calls"].values()), "calls", note=_calls(third)),
        Figure(
            "1% change sync: detail calls",
            third_details,
            "calls",
            changes["edited"],
            "equal",
            note=(
                f"{changes['edited']} edited ({changes['edited_in_lookback']} in the look-back window), "
                f"{changes['deleted']} deleted ({changes['deleted_in_lookback']} in it)"
            ),
        ),
        _exact_figure("1% change sync: exact", third_exact),
        Figure("12 h later, no change: wall time", round(later["seconds"], 2), "s", TARGET_NO_CHANGE_S),
        Figure(
            "12 h later, no change: detail calls",
            later["api_calls"].get(DETAIL, 0),
            "calls",
            math.ceil(in_rotation / (2 * settings.MONITR_SYNC_REREAD_DAYS)),
            note=(
                f"the rotating re-read: {in_rotation:,} mutations once every "
                f"{settings.MONITR_SYNC_REREAD_DAYS} days, a share for the 12 hours since the last run"
            ),
        ),
    ]
    details = {
        "first": first,
        "floor": floor(first),
        "no_change": second,
        "change": third,
        "changes": changes,
        "lines": lines,
        "lookback_start": lookback_start.isoformat(),
        "half_a_day_later": later,
    }
    return figures, details


def _exact_figure(name: str, exact: bool) -> Figure:
    return Figure(name, "yes" if exact else "no", "", "yes", "equal", note="lines per ledger = the source's balances")


def api_floor(*, latency_ms: int, parallelism: int) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The API's floor of a sync: every call it made waits out the latency, ``parallelism`` at a time at best, so
    no client can take less than calls x latency / parallelism. Its parts, for a sync's calls."""

    def floor(sync: dict[str, Any]) -> dict[str, Any]:
        detail = sync["api_calls"].get(DETAIL, 0)
        other = sum(sync["api_calls"].values()) - detail
        seconds = (detail + other) * latency_ms / 1000 / parallelism
        return {
            "seconds": round(seconds, 2),
            "detail_calls": detail,
            "other_calls": other,
            "latency_ms": latency_ms,
            "parallelism": parallelism,
            "ratio": round(sync["seconds"] / seconds, 3) if seconds else None,
        }

    return floor


def _floor_figures(floor: dict[str, Any]) -> list[Figure]:
    if not floor["seconds"]:
        return []  # no latency: no floor to compare with
    return [
        Figure(
            "first import: API floor",
            floor["seconds"],
            "s",
            note=(
                f"(detail calls {floor['detail_calls']:,} + other calls {floor['other_calls']:,}) "
                f"x latency {floor['latency_ms']} ms / parallelism {floor['parallelism']}"
            ),
        ),
        Figure(
            "first import: wall / floor",
            floor["ratio"],
            "x",
            TARGET_FLOOR_RATIO,
            note="what the client, the writes and the machine add to the API's own waiting",
        ),
    ]


def _first_figures(
    sandbox: SandboxHandle,
    first: dict[str, Any],
    peak: float,
    exact: bool,
    floor: Callable[[dict[str, Any]], dict[str, Any]],
) -> list[Figure]:
    mutations = sandbox.administration.mutations
    return [
        Figure("first import: wall time", round(first["seconds"], 1), "s", TARGET_FIRST_IMPORT_S),
        *_floor_figures(floor(first)),
        Figure("first import: mutations/s", round(mutations / first["seconds"], 1), "/s", better="higher"),
        Figure("first import: API calls", sum(first["api_calls"].values()), "calls", note=_calls(first)),
        Figure("first import: detail calls", first["api_calls"].get(DETAIL, 0), "calls", mutations, "equal"),
        Figure("first import: peak RSS", round(peak, 1), "MB", TARGET_PEAK_RSS_MB),
        _exact_figure("first import: exact", exact),
    ]


def _memory(sandbox: SandboxHandle, connection, *, change_percent: float, profile: Path | None, latency_ms: int):
    del change_percent, latency_ms
    before = peak_rss_mb()
    with sync_day():
        first = _profiled(profile, "big-import", lambda: _sync(connection))
    peak = peak_rss_mb()
    lines = _stored_lines(connection)
    exact = _exact(sandbox, connection)
    figures = [
        Figure("big import: lines", lines, "lines", note=f"{sandbox.administration.mutations:,} mutations"),
        Figure("big import: wall time", round(first["seconds"], 1), "s"),
        Figure("big import: peak RSS of the worker", round(peak, 1), "MB", TARGET_PEAK_RSS_MB),
        _exact_figure("big import: exact", exact),
    ]
    return figures, {"first": first, "lines": lines, "peak_before_sync_mb": round(before, 1)}


# --- changes at the source ----------------------------------------------------------------------------------------


def _lookback_start(connection, lookback_days: int) -> dt.date:
    from integrations.models import SyncCursor

    through = SyncCursor.objects.get(connection=connection, stream="mutations").value["through"]
    start = dt.date.fromisoformat(through) - dt.timedelta(days=lookback_days)
    return start.replace(day=1)  # the stream reads whole months


def change_at_source(sandbox: SandboxHandle, *, percent: float, lookback_start: dt.date) -> dict[str, int]:
    """Edit or delete ``percent`` % of the mutations, evenly spread over ids 1..N (so over the whole history, as the
    ids follow the dates): every other one has its first row's amount raised by 10.00, the others are deleted.

    Edits change the amount the mutation list shows, as most real corrections do, so the header's fingerprint
    changes; the sync must fetch the detail of each edited mutation once and of nothing else.
    """
    total = sandbox.administration.mutations
    count = max(1, round(total * percent / 100))
    step = total / count
    ids = sorted({1 + int(step / 2 + i * step) for i in range(count)})
    summary = {"edited": 0, "deleted": 0, "edited_in_lookback": 0, "deleted_in_lookback": 0}
    for n, mutation_id in enumerate(ids):
        mutation = sandbox.truth_mutation(mutation_id)
        recent = dt.date.fromisoformat(mutation["date"]) >= lookback_start
        if n % 2 == 0:
            rows = [{k: v for k, v in row.items() if k != "vatAmount"} for row in mutation["rows"]]
            rows[0]["amount"] = str(Decimal(str(rows[0]["amount"])) + Decimal("10.00"))
            sandbox.edit_mutation(mutation_id, {"rows": rows})
            summary["edited"] += 1
            summary["edited_in_lookback"] += recent
        else:
            sandbox.delete_mutation(mutation_id)
            summary["deleted"] += 1
            summary["deleted_in_lookback"] += recent
    return summary


# --- printing -----------------------------------------------------------------------------------------------------


def _calls(sync: dict[str, Any]) -> str:
    return ", ".join(f"{endpoint} {count}" for endpoint, count in sync["api_calls"].items())


def print_result(result: dict[str, Any]) -> None:
    p = result["parameters"]
    print(
        f"{result['benchmark']}: {p['mutations']:,} mutations, latency {p['latency_ms']} ms, "
        f"max_parallel {p['max_parallel']}, sandbox in a {p['sandbox']}, {result['database']}"
    )
    print_figures(result["figures"])


if __name__ == "__main__":
    sys.exit(main())
