"""The benchmarks at tiny scale, so that ``make bench`` cannot rot between the times someone runs it.

This runs the runner's own code paths (each benchmark in its process, the sandbox in another, a throwaway database,
the table, the JSON) in seconds. It asserts what the benchmarks report and that the import they measure is exact,
never how fast anything was: timings at this scale mean nothing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bench import run
from bench.common import is_postgres
from bench.wrappers import OutputChanged, sandbox_figures, write_path_figures

POSTGRES = is_postgres(os.environ.get("DATABASE_URL"))


def figures_by_name(result: dict) -> dict[str, dict]:
    return {figure["name"]: figure for figure in result["figures"]}


def tiny_run(tmp_path_factory: pytest.TempPathFactory, only: str) -> dict:
    output = tmp_path_factory.mktemp("bench") / "tiny.json"
    status = run.main(["--scale", "tiny", "--only", only, "--output", str(output)])
    report = json.loads(output.read_text())
    report["exit_status"] = status
    return report


@pytest.fixture(scope="module")
def tiny_report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return tiny_run(tmp_path_factory, "import,memory,write")


def test_the_tiny_run_finishes_without_a_failed_benchmark(tiny_report):
    assert tiny_report["exit_status"] == 0, tiny_report["summary"]
    assert tiny_report["summary"]["failed"] == []
    assert set(tiny_report["benchmarks"]) == {"import", "memory", "write"}


def test_the_report_records_the_machine_it_ran_on(tiny_report):
    machine = tiny_report["machine"]
    assert machine["cores"] >= 1
    assert machine["python"].startswith("3.")
    assert machine["database"].startswith("PostgreSQL" if POSTGRES else "SQLite")
    assert {"memory_gb", "date", "commit", "redis"} <= set(machine)


def test_the_import_benchmark_reports_every_figure_of_part_one_and_an_exact_import(tiny_report):
    figures = figures_by_name(tiny_report["benchmarks"]["import"])

    for name in (
        "first import: wall time",
        "first import: mutations/s",
        "first import: API calls",
        "first import: peak RSS",
        "no-change sync: wall time",
        "no-change sync: API calls",
        "1% change sync: wall time",
        "1% change sync: API calls",
    ):
        assert isinstance(figures[name]["value"], int | float), name
    assert figures["first import: exact"]["value"] == "yes"
    assert figures["1% change sync: exact"]["value"] == "yes"
    assert figures["first import: detail calls"]["met"] is True
    assert figures["no-change sync: detail calls"]["value"] == 0
    assert figures["1% change sync: detail calls"]["met"] is True  # details of the changed mutations only


def test_the_first_import_is_set_against_the_apis_floor_of_calls_x_latency_over_parallelism(tiny_report):
    result = tiny_report["benchmarks"]["import"]
    figures = figures_by_name(result)
    run_details = result["runs"][0]["details"]
    floor, parameters = run_details["floor"], result["runs"][0]["parameters"]

    calls = figures["first import: API calls"]["value"]
    assert floor["detail_calls"] + floor["other_calls"] == calls
    assert (floor["latency_ms"], floor["parallelism"]) == (parameters["latency_ms"], parameters["max_parallel"])
    floor_seconds = calls * floor["latency_ms"] / 1000 / floor["parallelism"]
    assert figures["first import: API floor"]["value"] == round(floor_seconds, 2)
    ratio = figures["first import: wall / floor"]
    assert ratio["value"] == pytest.approx(run_details["first"]["seconds"] / floor_seconds, abs=0.001)
    assert ratio["target"] == 1.15


def test_the_memory_benchmark_reports_the_workers_peak_memory_and_an_exact_import(tiny_report):
    figures = figures_by_name(tiny_report["benchmarks"]["memory"])

    assert figures["big import: peak RSS of the worker"]["value"] > 0
    assert figures["big import: lines"]["value"] > 0
    assert figures["big import: exact"]["value"] == "yes"


@pytest.mark.skipif(not POSTGRES, reason="the write benchmark measures COPY: PostgreSQL only")
def test_the_write_benchmark_reports_both_ratios_and_its_memory(tiny_report):
    figures = figures_by_name(tiny_report["benchmarks"]["write"])

    assert figures["lines written"]["value"] == run.SCALES["tiny"].write_lines
    for name in ("plain COPY", "upsert, new rows", "upsert / COPY", "unchanged / COPY", "peak RSS"):
        assert figures[name]["value"] > 0, name


def test_without_postgresql_the_write_benchmark_is_skipped_and_says_why(tiny_report):
    if POSTGRES:
        pytest.skip("runs on PostgreSQL here")
    assert "PostgreSQL" in tiny_report["benchmarks"]["write"]["skipped"]


SANDBOX_OUTPUT = """e-Boekhouden sandbox throughput (2 CPUs)
  GET /v1/mutation/{id}, no latency, 16 connections:     4873 req/s   (target >= 1000)
  latency 100 ms, C =  1:      9.6 req/s   (C/L =     10,  96.0%)
  latency 100 ms, C = 32:    301.2 req/s   (C/L =    320,  94.1%)
  100,000 mutations: started in   2.7 s (target < 30 s); RSS    136 MB, peak    136 MB (target < 1024 MB)
  GET /v1/mutation/{id} at 100,000 mutations, 16 connections:     4400 req/s
  generator streaming: 1,000,000 lines (291,266 mutations) in 5.9 s, peak RSS 48 MB
"""


def test_the_sandbox_benchmarks_output_becomes_figures_with_their_targets():
    figures = {f.name: f for f in sandbox_figures(SANDBOX_OUTPUT)[0]}

    assert figures["GET /v1/mutation/{id}, no latency"].value == 4873
    assert figures["GET /v1/mutation/{id}, no latency"].met is True
    assert figures["with latency: share of C/L reached"].value == 94.1
    assert figures["start with 100,000 mutations"].value == 2.7
    assert figures["memory with 100,000 mutations"].value == 136


def test_output_a_parser_does_not_recognise_is_an_error_not_a_missing_figure():
    with pytest.raises(OutputChanged):
        write_path_figures("something else entirely\n")
    with pytest.raises(OutputChanged):
        sandbox_figures(SANDBOX_OUTPUT.replace("req/s", "requests a second"))


def test_a_full_run_refuses_to_measure_without_postgresql(monkeypatch, capsys, tmp_path: Path):
    monkeypatch.setenv("DATABASE_URL", "")

    status = run.main(["--only", "import", "--output", str(tmp_path / "x.json")])

    assert status == 2
    assert "DATABASE_URL" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()


def test_a_run_of_one_benchmark_replaces_its_figures_and_keeps_the_others():
    earlier = {
        "command": "python bench/run.py",
        "scale": "full",
        "machine": {"cores": 2},
        "benchmarks": {"import": {"figures": ["old import"]}, "dashboards": {"figures": ["old pages"]}},
    }
    now = {
        "command": "python bench/run.py --only dashboards",
        "scale": "full",
        "repeat": 2,
        "seconds": 30.0,
        "machine": {"cores": 2, "date": "today"},
        "benchmarks": {"dashboards": {"figures": ["new pages"]}},
    }

    merged = run.merged_into(earlier, now)

    assert merged["command"] == "python bench/run.py"
    assert merged["benchmarks"]["import"] == {"figures": ["old import"]}
    assert merged["benchmarks"]["dashboards"]["figures"] == ["new pages"]
    assert merged["benchmarks"]["dashboards"]["measured"]["command"] == "python bench/run.py --only dashboards"
    assert run.merged_into({**earlier, "scale": "quick"}, now) == now  # another scale is not mixed in


@pytest.fixture(scope="module")
def tiny_first_numbers(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return tiny_run(tmp_path_factory, "first_numbers")


def test_the_first_numbers_benchmark_sees_the_open_items_and_the_pnl_right_and_an_exact_import(tiny_first_numbers):
    assert tiny_first_numbers["summary"]["failed"] == []
    figures = figures_by_name(tiny_first_numbers["benchmarks"]["first_numbers"])
    size = f"{run.SCALES['tiny'].first_numbers_mutations} mutations"

    # A moment is a number only once the polls saw the API give the source's figures: a check of the values.
    assert isinstance(figures[f"{size}: open items right"]["value"], int | float)
    assert isinstance(figures[f"{size}: P&L 2025 right"]["value"], int | float)
    assert isinstance(figures[f"{size}: whole import"]["value"], int | float)
    assert figures[f"{size}: detail calls"]["met"] is True  # none fetched twice
    assert figures[f"{size}: exact"]["value"] == "yes"


@pytest.fixture(scope="module")
def tiny_dashboards(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return tiny_run(tmp_path_factory, "dashboards")


@pytest.mark.skipif(not POSTGRES, reason="the dashboards benchmark measures PostgreSQL")
def test_the_dashboards_benchmark_reads_every_page_with_the_same_queries_at_both_sizes(tiny_dashboards):
    assert tiny_dashboards["summary"]["failed"] == []
    result = tiny_dashboards["benchmarks"]["dashboards"]
    figures = figures_by_name(result)
    pages = result["runs"][0]["details"]["pages"]

    assert set(pages) == {
        "receivables",
        "receivables_as_of",
        "receivables_year_ago",
        "payables",
        "payables_as_of",
        "relations",
        "forecast",
        "pnl",
        "balance_sheet",
        "overview",
        "explorer",
    }
    for page in pages.values():
        label = page["label"]
        assert len(page["times_ms"]) == run.SCALES["tiny"].dashboard_requests, label
        assert figures[f"{label}: median"]["value"] > 0, label
        assert figures[f"{label}: p95"]["target"] in (40.0, 150.0), label
        # A page whose queries grow with the rows would show a different count on the big and the small books.
        assert figures[f"{label}: queries"]["met"] is True, (label, page["queries"], page["queries_small"])
    assert figures["query counts the same at both sizes"]["value"] == "yes"
    # The generated books are what was asked for: about 2,000 balanced lines (checked while generating).
    assert 1_900 <= figures["books: transaction lines"]["value"] <= 2_100
    # And their monthly balances, what the statements read (checked against the lines while generating).
    assert figures["books: monthly balances"]["value"] > 0
    assert figures["books: open items"]["value"] == 100


def test_without_postgresql_the_dashboards_benchmark_is_skipped_and_says_why(tiny_dashboards):
    if POSTGRES:
        pytest.skip("runs on PostgreSQL here")
    assert "PostgreSQL" in tiny_dashboards["benchmarks"]["dashboards"]["skipped"]


@pytest.fixture(scope="module")
def tiny_forecast(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return tiny_run(tmp_path_factory, "forecast")


def test_the_forecast_benchmark_prints_both_methods_errors_and_whether_the_forecast_is_below(tiny_forecast):
    assert tiny_forecast["summary"]["failed"] == []
    figures = figures_by_name(tiny_forecast["benchmarks"]["forecast"])
    for label in ("receivables (cash-in)", "payables (cash-out)"):
        prefix = f"600 mutations, {label}"
        assert figures[f"{prefix}: error per week, this forecast"]["value"] >= 0
        assert figures[f"{prefix}: error per week, paid on the due date"]["value"] > 0
        assert figures[f"{prefix}: below the due-date method on every seed"]["target"] == "yes"
    assert figures["600 mutations: open-item ledger build with the backtest"]["value"] > 0


@pytest.fixture(scope="module")
def tiny_pdf(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return tiny_run(tmp_path_factory, "pdf")


def test_the_pdf_benchmark_downloads_the_statement_in_both_languages_and_sets_it_against_five_seconds(tiny_pdf):
    assert tiny_pdf["summary"]["failed"] == []
    result = tiny_pdf["benchmarks"]["pdf"]
    figures = figures_by_name(result)
    prefix = f"statement of {run.SCALES['tiny'].pdf_items} open items"
    assert figures[f"{prefix}: slowest download"]["target"] == 5.0
    assert figures[f"{prefix}: median download"]["value"] > 0
    assert figures[f"{prefix}: pages"]["value"] >= 1
    assert len(result["runs"][0]["details"]["seconds"]) == 2 * run.SCALES["tiny"].pdf_runs  # English and Dutch


@pytest.fixture(scope="module")
def tiny_fleet(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return tiny_run(tmp_path_factory, "fleet")


@pytest.mark.skipif(
    not (POSTGRES and os.environ.get("REDIS_URL")), reason="the fleet's workers need PostgreSQL and Redis"
)
def test_the_fleet_benchmark_imports_every_administration_exactly_within_the_sources_cap(tiny_fleet):
    assert tiny_fleet["summary"]["failed"] == []
    result = tiny_fleet["benchmarks"]["fleet"]
    figures = figures_by_name(result)
    tiny = run.SCALES["tiny"]
    assert figures["1 worker(s): administrations imported exactly"]["value"] == tiny.fleet_administrations
    assert figures["1 worker(s): most requests in flight at the source"]["value"] <= 64
    assert figures["1 worker(s): first imports, makespan / floor"]["target"] == 1.25
    (round_,) = result["runs"][0]["details"]["rounds"]
    assert round_["failed"] == 0 and round_["calls"] > 0 and round_["nightly_calls"] > 0
