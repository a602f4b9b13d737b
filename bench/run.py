"""Monitr's benchmarks in one run (``make bench``): each benchmark in a process of its own, repeated, one table of
medians with the targets of issue 9, and ``bench/results/latest.json``.

    .venv/bin/python bench/run.py                          # everything at full scale, twice (about 35 minutes)
    .venv/bin/python bench/run.py --quick                  # small scale, once: a check that all of it works
    .venv/bin/python bench/run.py --only import,write      # some of them
    .venv/bin/python bench/run.py --repeat 3               # the medians of three runs

The benchmarks (each also runs alone, see its own docstring):
- ``import``: the first import of 20,000 mutations over the API with 50 ms latency, a sync with nothing
  changed, a sync after 1 % changes (``bench/import_sync.py import``);
- ``first_numbers``: how soon the read API shows the open items and the P&L right while a first import of 20,000
  and of 200,000 mutations runs, beside the whole import's time (``bench/first_numbers.py``);
- ``forecast``: the cash forecast's backtest on the sandbox's books of 20,000 mutations (three seeds) against
  "everything is paid on its due date" (``bench/forecast.py``);
- ``pdf``: a relation's statement of 500 open items, downloaded as a member in English and Dutch, under 5 s
  (``bench/pdf.py``);
- ``write``: 1,000,000 lines through the ledger's upsert path against a plain COPY (``bench/write_path.py``);
- ``memory``: the worker's peak memory importing 100,000 mutations, about 300,000 lines
  (``bench/import_sync.py memory``);
- ``sandbox``: the fake e-Boekhouden's own throughput, so it is known not to be the bottleneck
  (``bench/sandbox_throughput.py``);
- ``dashboards``: server time and queries of the Outstanding Items page, the per-relation table, the P&L, the
  balance sheet, the Overview and the transactions explorer on books of 1,000,000 lines and 50,000 open items
  (``bench/dashboards.py``);
- ``dashboards10m``, only when named in ``--only``: the P&L, the balance sheet and the Overview on books of
  10,000,000 lines (generated once in 15 to 20 minutes, about 7 GB, then kept).

``DATABASE_URL`` must name PostgreSQL for a full run (each benchmark creates and drops a database of its own on
that server; the databases it names are never touched); ``--quick`` and ``--scale tiny`` also run on SQLite, without
the write benchmark. ``REDIS_URL`` is passed on and its version recorded; the sync itself does not use Redis.
Figures of a full run go to ``bench/results/latest.json``, of smaller runs to ``bench/results/<scale>.json``.
The exit status is 1 when a full run misses a target or any benchmark fails, else 0.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    RESULTS_DIR,
    ROOT,
    Figure,
    is_postgres,
    machine_facts,
    target_text,
    value_text,
    verdict_text,
    with_database,
    write_json,
)
from bench.wrappers import sandbox_figures, write_path_figures

PYTHON = sys.executable


@dataclass(frozen=True)
class Scale:
    import_mutations: int
    import_latency_ms: int
    memory_mutations: int
    write_lines: int
    write_rounds: int
    sandbox_quick: bool
    repeat: int
    dashboard_lines: int  # part 3: the big books of bench/dashboards.py
    dashboard_requests: int = 30  # timed requests per page
    first_numbers_mutations: str = "20000,200000"  # bench/first_numbers.py: the sizes, one first import each
    # Part 3 again, the statements alone on ten times the lines (``--only dashboards10m``, not in a plain run: its
    # books take 15 to 20 minutes and about 7 GB to generate the first time).
    dashboard_big_lines: int = 10_000_000
    # bench/forecast.py: the cash forecast's backtest on the sandbox's books of these seeds.
    forecast_mutations: int = 20_000
    forecast_seeds: int = 3
    # bench/pdf.py: a relation's statement of this many open items, downloaded this often per language.
    pdf_items: int = 500
    pdf_runs: int = 5
    # bench/fleet.py: administrations, their mutations in all and the largest, the worker processes of each round
    # and their threads, the probes for Sync now (administrations of probe_mutations each).
    fleet_administrations: int = 300
    fleet_mutations: int = 300_000
    fleet_max: int = 20_000
    fleet_workers: str = "1,2,4"
    fleet_concurrency: int = 12
    fleet_probes: int = 4
    fleet_probe_mutations: int = 500


SCALES = {
    # Issue 9's figures.
    "full": Scale(20_000, 50, 100_000, 1_000_000, 3, False, 2, 1_000_000),
    # A few minutes: every code path at a tenth of the size or less.
    "quick": Scale(
        2_000,
        50,
        10_000,
        20_000,
        1,
        True,
        1,
        50_000,
        first_numbers_mutations="2000",
        dashboard_big_lines=200_000,
        forecast_mutations=2_000,
        forecast_seeds=1,
        pdf_runs=2,
        fleet_administrations=30,
        fleet_mutations=20_000,
        fleet_max=5_000,
        fleet_workers="2",
        fleet_concurrency=6,
    ),
    # Seconds: what the smoke test and CI run so that the benchmarks cannot rot. No timing means anything here.
    "tiny": Scale(
        120,
        5,
        300,
        2_000,
        1,
        True,
        1,
        2_000,
        3,
        first_numbers_mutations="120",
        dashboard_big_lines=4_000,
        forecast_mutations=600,
        forecast_seeds=1,
        pdf_items=20,
        pdf_runs=1,
        fleet_administrations=4,
        fleet_mutations=400,
        fleet_max=200,
        fleet_workers="1",
        fleet_concurrency=2,
        fleet_probes=1,
        fleet_probe_mutations=50,
    ),
}


@dataclass(frozen=True)
class Benchmark:
    name: str
    title: str
    needs_postgres: bool
    command: Callable[[Scale, Path], list[str]]
    # Reads the figures: from the JSON file the command wrote, or from its output.
    figures: Callable[[Path, str], dict[str, Any]]
    # Runs of it: None for the scale's number. The write benchmark repeats itself (its rounds, medians inside);
    # the sandbox's figures are the sandbox's, not issue 9's, and one run of them is enough.
    repeat: int | None = None


def _json_result(path: Path, _output: str) -> dict[str, Any]:
    return json.loads(path.read_text())


def _parsed(parse: Callable[[str], tuple[list, dict]]) -> Callable[[Path, str], dict[str, Any]]:
    def read(_path: Path, output: str) -> dict[str, Any]:
        figures, details = parse(output)
        return {"figures": [f.as_dict() for f in figures], "details": details}

    return read


BENCHMARKS = {
    b.name: b
    for b in (
        Benchmark(
            "import",
            "1. First import over the API, no-change sync, 1% change sync",
            False,
            lambda s, out: [
                PYTHON,
                "bench/import_sync.py",
                "import",
                f"--mutations={s.import_mutations}",
                f"--latency-ms={s.import_latency_ms}",
                f"--json={out}",
            ],
            _json_result,
        ),
        Benchmark(
            "first_numbers",
            "First numbers: open items and P&L right while a first import runs",
            False,
            lambda s, out: [
                PYTHON,
                "bench/first_numbers.py",
                f"--mutations={s.first_numbers_mutations}",
                f"--latency-ms={s.import_latency_ms}",
                f"--json={out}",
            ],
            _json_result,
            # One run: the import of 200,000 mutations alone takes about ten minutes.
            repeat=1,
        ),
        Benchmark(
            "forecast",
            "The cash forecast's backtest against paid on the due date",
            False,
            lambda s, out: [
                PYTHON,
                "bench/forecast.py",
                f"--mutations={s.forecast_mutations}",
                f"--seeds={s.forecast_seeds}",
                f"--json={out}",
            ],
            _json_result,
            # Deterministic: the same books give the same errors.
            repeat=1,
        ),
        Benchmark(
            "pdf",
            "A relation's statement of open items as a PDF",
            False,
            lambda s, out: [PYTHON, "bench/pdf.py", f"--items={s.pdf_items}", f"--runs={s.pdf_runs}", f"--json={out}"],
            _json_result,
            # Its own downloads are the repeats (both languages).
            repeat=1,
        ),
        Benchmark(
            "fleet",
            "The fleet: many first imports by 1, 2 and 4 workers within one budget, Sync now meanwhile",
            True,
            lambda s, out: [
                PYTHON,
                "bench/fleet.py",
                f"--administrations={s.fleet_administrations}",
                f"--mutations={s.fleet_mutations}",
                f"--max={min(s.fleet_max, s.fleet_mutations)}",
                f"--min={min(50, s.fleet_mutations // max(s.fleet_administrations, 1))}",
                f"--workers={s.fleet_workers}",
                f"--concurrency={s.fleet_concurrency}",
                f"--probes={s.fleet_probes}",
                f"--probe-mutations={s.fleet_probe_mutations}",
                f"--latency-ms={s.import_latency_ms}",
                f"--json={out}",
            ],
            _json_result,
            # Each round is a run of its own (1, 2 and 4 workers): about ten minutes each at full scale.
            repeat=1,
        ),
        Benchmark(
            "write",
            "2. Write path: upsert against a plain COPY",
            True,
            lambda s, out: [
                PYTHON,
                "bench/write_path.py",
                f"--lines={s.write_lines}",
                f"--rounds={s.write_rounds}",
            ],
            _parsed(write_path_figures),
            repeat=1,
        ),
        Benchmark(
            "memory",
            "4. Memory of a big import",
            False,
            lambda s, out: [
                PYTHON,
                "bench/import_sync.py",
                "memory",
                f"--mutations={s.memory_mutations}",
                f"--json={out}",
            ],
            _json_result,
        ),
        Benchmark(
            "sandbox",
            "The sandbox's own throughput",
            False,
            lambda s, out: [PYTHON, "bench/sandbox_throughput.py", *(["--quick"] if s.sandbox_quick else [])],
            _parsed(sandbox_figures),
            repeat=1,
        ),
    )
}
DEFAULT_ORDER = ["import", "first_numbers", "forecast", "pdf", "fleet", "write", "memory", "sandbox"]

# Issue 9, part 3: bench/dashboards.py generates books of N lines in PostgreSQL (kept for the next run from 100,000
# lines, found again by a fingerprint), reads each page as a signed-in member, and writes
# {"figures": [Figure.as_dict(), ...], "details": {...}} as bench/import_sync.py does.
DASHBOARDS_SCRIPT = ROOT / "bench" / "dashboards.py"
if DASHBOARDS_SCRIPT.exists():
    BENCHMARKS["dashboards"] = Benchmark(
        "dashboards",
        "3. Dashboards at scale",
        True,
        lambda s, out: [
            PYTHON,
            "bench/dashboards.py",
            f"--lines={s.dashboard_lines}",
            f"--requests={s.dashboard_requests}",
            f"--json={out}",
        ],
        _json_result,
    )
    DEFAULT_ORDER.append("dashboards")
    # The P&L, balance sheet and Overview read the monthly balances, so they must cost the same on ten times the
    # lines; run on request only (see Scale.dashboard_big_lines).
    BENCHMARKS["dashboards10m"] = Benchmark(
        "dashboards10m",
        "3. Dashboards at scale: the statements on ten times the lines",
        True,
        lambda s, out: [
            PYTHON,
            "bench/dashboards.py",
            f"--lines={s.dashboard_big_lines}",
            "--only=pnl,balance_sheet,overview",
            f"--requests={s.dashboard_requests}",
            f"--json={out}",
        ],
        _json_result,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="the small scale (same as --scale quick)")
    parser.add_argument("--scale", choices=sorted(SCALES), default=None, help="full (default), quick or tiny")
    parser.add_argument(
        "--only", default="", help=f"comma-separated, from: {', '.join(DEFAULT_ORDER)}; on request: dashboards10m"
    )
    parser.add_argument(
        "--repeat", type=int, default=None, help="runs of import and memory (full: 2, else 1); write repeats in rounds"
    )
    parser.add_argument("--output", type=Path, default=None, help="where the JSON goes (default bench/results/)")
    parser.add_argument("--allow-sqlite", action="store_true", help="a full run without PostgreSQL (not comparable)")
    args = parser.parse_args(argv)
    scale_name = args.scale or ("quick" if args.quick else "full")
    scale = SCALES[scale_name]
    repeat = args.repeat or scale.repeat
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(DEFAULT_ORDER)
    if unknown := [n for n in names if n not in BENCHMARKS]:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(DEFAULT_ORDER)}")
    database_url = os.environ.get("DATABASE_URL", "")
    postgres = is_postgres(database_url)
    if scale_name == "full" and not postgres and not args.allow_sqlite:
        print(
            "make bench measures on PostgreSQL: set DATABASE_URL, e.g. "
            "DATABASE_URL=postgres://postgres@127.0.0.1:5432/monitr (a throwaway database is created next to it), "
            "or run --quick on SQLite.",
            file=sys.stderr,
        )
        return 2
    output = args.output or RESULTS_DIR / ("latest.json" if scale_name == "full" else f"{scale_name}.json")

    started = time.perf_counter()
    results: dict[str, Any] = {}
    for name in names:
        benchmark = BENCHMARKS[name]
        if benchmark.needs_postgres and not postgres:
            print(f"\n== {name}: skipped (needs PostgreSQL: DATABASE_URL)")
            results[name] = {"title": benchmark.title, "skipped": "needs PostgreSQL (DATABASE_URL)"}
            continue
        results[name] = run_benchmark(benchmark, scale, benchmark.repeat or repeat)
    report = {
        "command": "python bench/run.py "
        + " ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])),
        "scale": scale_name,
        "repeat": repeat,
        "seconds": round(time.perf_counter() - started, 1),
        "machine": machine_facts(_database_version(database_url)),
        "benchmarks": results,
    }
    if args.only and output.exists():
        report = merged_into(json.loads(output.read_text()), report)
    report["summary"] = summarize(report["benchmarks"])
    write_json(output, report)
    print_table(report)
    print(f"\nFigures written to {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    failed = report["summary"]["failed"]
    missed = report["summary"]["not_met"]
    if failed:
        return 1
    return 1 if missed and scale_name == "full" else 0


def merged_into(previous: dict[str, Any], report: dict[str, Any]) -> dict[str, Any]:
    """A run of some benchmarks (``--only``) replaces their figures in an earlier report of the same scale and
    keeps the others', so latest.json always holds every benchmark. Each replaced benchmark says how and where it
    was measured (``measured``); the report's own command and machine stay those of the earlier run."""
    if previous.get("scale") != report["scale"]:
        return report
    measured = {key: report[key] for key in ("command", "repeat", "seconds", "machine")}
    replaced = {name: {**result, "measured": measured} for name, result in report["benchmarks"].items()}
    return {**previous, "benchmarks": {**previous.get("benchmarks", {}), **replaced}}


def run_benchmark(benchmark: Benchmark, scale: Scale, repeat: int) -> dict[str, Any]:
    """Run one benchmark ``repeat`` times, each in a fresh process; the figures are the medians of the runs."""
    runs: list[dict[str, Any]] = []
    errors: list[str] = []
    for n in range(1, repeat + 1):
        with tempfile.TemporaryDirectory(prefix="monitr-bench-") as folder:
            out = Path(folder) / "result.json"
            command = benchmark.command(scale, out)
            print(f"\n== {benchmark.name} (run {n} of {repeat}): {' '.join(shlex.quote(c) for c in command)}")
            began = time.perf_counter()
            process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, env=os.environ.copy())
            assert process.stdout is not None
            lines = []
            for line in process.stdout:  # shown as it comes: a long benchmark is not a silent one
                print("   " + line, end="")
                lines.append(line)
            status = process.wait()
            output = "".join(lines)
            try:
                result = benchmark.figures(out, output)
            except (OSError, ValueError) as error:
                errors.append(f"run {n}: exit status {status}, figures unreadable: {error}")
                continue
            result["exit_status"] = status
            result["seconds"] = round(time.perf_counter() - began, 1)
            runs.append(result)
    return {
        "title": benchmark.title,
        "figures": combine([r["figures"] for r in runs]) if runs else [],
        "runs": runs,
        "errors": errors,
    }


def combine(runs: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """One list of figures from several runs: the median of numbers (each run's value kept in ``runs``); text
    figures agree across runs or show every value."""
    combined = []
    for figures in zip(*runs, strict=True):
        first = dict(figures[0])
        values = [f["value"] for f in figures]
        if len(values) == 1:
            pass  # one run: the figure as it came (with the rounds it may carry in ``runs``)
        elif all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            median = statistics.median(values)
            if all(isinstance(v, int) for v in values) and float(median).is_integer():
                median = int(median)
            first["value"] = round(median, 2) if isinstance(median, float) else median
            first["runs"] = values
        elif len(set(map(str, values))) > 1:
            first["value"] = " / ".join(map(str, values))
            first["runs"] = values
        first["met"] = _met(first)
        combined.append(first)
    return combined


def _met(figure: dict[str, Any]) -> bool | None:
    fields = {k: figure[k] for k in ("name", "value", "unit", "target", "better")}
    return Figure(**fields).met


def summarize(results: dict[str, Any]) -> dict[str, Any]:
    met, not_met = [], []
    for name, result in results.items():
        for figure in result.get("figures", []):
            if figure.get("met") is True:
                met.append(f"{name}: {figure['name']}")
            elif figure.get("met") is False:
                not_met.append(f"{name}: {figure['name']} = {value_text(figure)} {figure.get('unit', '')}".rstrip())
    failed = [f"{name}: {'; '.join(r['errors'])}" for name, r in results.items() if r.get("errors")]
    return {"met": len(met), "not_met": not_met, "failed": failed}


def print_table(report: dict[str, Any]) -> None:
    """One table: a heading per benchmark, then its figures with their targets."""
    machine = report["machine"]
    print(
        f"\nMonitr benchmarks, {report['scale']} scale, {machine['date']}: {machine['cores']} cores, "
        f"{machine['memory_gb']} GB, Python {machine['python']}, {machine['database']}"
        + (f", Redis {machine['redis']}" if machine.get("redis") else "")
    )
    rows: list[tuple[str, ...]] = [("figure", "value", "target", "")]
    for name, result in report["benchmarks"].items():
        if "skipped" in result:
            rows.append((f"[{name}] {result['title']}: skipped, {result['skipped']}",))
            continue
        count = len(result["runs"])
        how = f"median of {count} runs" if count > 1 else "one run"
        if name == "write" and result["runs"]:
            rounds = result["runs"][0]["details"]["rounds"]
            how = f"one run of {rounds} round{'s' if rounds > 1 else ''}, medians of the rounds"
        rows.append((f"[{name}] {result['title']} ({how})",))
        for error in result.get("errors", []):
            rows.append((f"  FAILED {error}",))
        for figure in result["figures"]:
            value = f"{value_text(figure)} {figure.get('unit', '')}".rstrip()
            rows.append((f"  {figure['name']}", value, target_text(figure), verdict_text(figure)))
    widths = [max(len(r[i]) for r in rows if len(r) == 4) for i in range(4)]
    for i, row in enumerate(rows):
        if len(row) == 1:
            print("  " + row[0])
            continue
        cells = [
            cell.rjust(w) if c == 1 else cell.ljust(w) for c, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("  " + "  ".join(cells).rstrip())
        if i == 0:
            print("  " + "  ".join("-" * w for w in widths))
    summary = report["summary"]
    if summary["not_met"]:
        print("\nTargets not met: " + "; ".join(summary["not_met"]))
    if summary["failed"]:
        print("\nFailed: " + "; ".join(summary["failed"]))
    if not summary["not_met"] and not summary["failed"]:
        print(f"\nEvery target met ({summary['met']} figures with a target).")


def _database_version(url: str) -> str:
    if not is_postgres(url):
        return "SQLite"
    try:
        import psycopg

        with psycopg.connect(with_database(url, "postgres"), connect_timeout=5) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
        return f"PostgreSQL {version.split()[0]}"
    except Exception as error:  # a fact, not a figure: the benchmarks themselves report a connection problem
        return f"PostgreSQL (version unknown: {type(error).__name__})"


if __name__ == "__main__":
    sys.exit(main())
