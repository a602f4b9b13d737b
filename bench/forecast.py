"""Benchmark of the cash forecast's accuracy: its backtest on the sandbox's books, against "everything is paid on its
due date" (issue 18).

    .venv/bin/python bench/forecast.py --mutations 20000 --seeds 3      # make bench
    .venv/bin/python bench/forecast.py --mutations 2000 --seeds 1       # a quick check

For each seed: a sandbox administration of N mutations (its relations pay by the habits planted in it:
``eboekhouden/sandbox/habits.py``), a throwaway database, one sync of it as the worker runs it, which builds the
open-item ledger and the backtest's past days. Then, per side, the backtest with the default collection curve
(``dashboards.selectors.forecast.forecast_backtest``, as the Expected cash page shows it): the forecast made on
each past day (every fourth Sunday, at least 13 weeks back) from the books as they stood then, against what was paid
on the items open that day in the 13 weeks after, as the mean absolute error per week; the same for the due-date
method. Beside them what was paid in an average week (the scale the errors are read against) and the time the
sync's build of the open-item ledger took with the backtest.

The target: on every seed and side this forecast's error is below the due-date method's. ``DATABASE_URL`` names the
PostgreSQL server (a throwaway database is created on it); without it SQLite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    SYNC_TODAY,
    Figure,
    connect_to_sandbox,
    database_version,
    django_on,
    print_figures,
    start_sandbox,
    sync_day,
    throwaway_database,
    write_json,
)

SIDES = (("receivable", "receivables (cash-in)"), ("payable", "payables (cash-out)"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mutations", type=int, default=20_000, help="mutations at the source")
    parser.add_argument("--seeds", type=int, default=3, help="sandbox books of seeds 1..N")
    parser.add_argument("--json", type=Path, default=None, help="write the figures as JSON to this file")
    args = parser.parse_args(argv)

    with throwaway_database(os.environ.get("DATABASE_URL")) as url, django_on(url):
        runs = [run(mutations=args.mutations, seed=seed) for seed in range(1, args.seeds + 1)]
        database = database_version()
    figures = _figures(args.mutations, runs)
    print(f"cash forecast backtest: {args.mutations:,} mutations, seeds 1-{args.seeds}, {database}")
    print_figures([f.as_dict() for f in figures])
    report = {
        "benchmark": "forecast",
        "parameters": {"mutations": args.mutations, "seeds": args.seeds, "today": SYNC_TODAY.date().isoformat()},
        "database": database,
        "figures": [f.as_dict() for f in figures],
        "details": {"runs": runs},
    }
    if args.json:
        write_json(args.json, report)
    return 0 if all(f.met is not False for f in figures) else 1


def run(*, mutations: int, seed: int) -> dict[str, Any]:
    """One seed's books synced once; the backtest of both sides."""
    from django.utils import timezone

    from dashboards.models import default_curve
    from dashboards.selectors.forecast import forecast_backtest
    from dashboards.selectors.scope import OutstandingScope
    from integrations.sync.engine import sync_run_execute
    from ledger.models import OutstandingSide
    from ledger.services import open_item_ledger_build

    with start_sandbox(mutations=mutations, seed=seed, mode="thread") as sandbox, sync_day():
        connection = connect_to_sandbox(sandbox, slug=f"bench-forecast-{seed}")
        sync_run_execute(connection_id=connection.pk, trigger="manual")
        administration = connection.administration
        started = time.perf_counter()
        open_item_ledger_build(administration=administration)  # again, timed: what each sync's check does
        build_s = time.perf_counter() - started
        today = timezone.localdate()
        result: dict[str, Any] = {"seed": seed, "build_s": round(build_s, 2)}
        for side, _label in SIDES:
            scope = OutstandingScope(
                organization=administration.organization,
                side=OutstandingSide(side),
                as_of=today,
                today=today,
                administration=administration,
            )
            backtest = forecast_backtest(scope=scope, curve=default_curve())
            if backtest is None or not backtest.origins:
                raise RuntimeError(f"seed {seed}: no backtest of the {side} side")
            result[side] = {
                "days": len(backtest.origins),
                "error": str(backtest.error),
                "due_date_error": str(backtest.due_date_error),
                "paid_per_week": str(backtest.actual_per_week),
            }
        return result


def _figures(mutations: int, runs: list[dict[str, Any]]) -> list[Figure]:
    size = f"{mutations:,} mutations"
    figures = []
    for side, label in SIDES:
        errors = [Decimal(r[side]["error"]) for r in runs]
        due = [Decimal(r[side]["due_date_error"]) for r in runs]
        paid = [Decimal(r[side]["paid_per_week"]) for r in runs]
        seeds = len(runs)
        figures += [
            Figure(
                f"{size}, {label}: error per week, this forecast",
                round(float(statistics.mean(errors)), 2),
                "EUR",
                note=f"mean of {seeds} seeds: " + ", ".join(f"{e:,.0f}" for e in errors),
            ),
            Figure(
                f"{size}, {label}: error per week, paid on the due date",
                round(float(statistics.mean(due)), 2),
                "EUR",
                note=", ".join(f"{e:,.0f}" for e in due),
            ),
            Figure(
                f"{size}, {label}: error smaller than the due-date method's",
                round(float(statistics.mean((d - e) * 100 / d for e, d in zip(errors, due, strict=True))), 1),
                "%",
                note=f"paid per week {statistics.mean(paid):,.0f} EUR; {runs[0][side]['days']} past days per seed",
            ),
            Figure(
                f"{size}, {label}: below the due-date method on every seed",
                "yes" if all(e < d for e, d in zip(errors, due, strict=True)) else "no",
                "",
                "yes",
                "equal",
            ),
        ]
    figures.append(
        Figure(
            f"{size}: open-item ledger build with the backtest",
            round(statistics.mean(r["build_s"] for r in runs), 2),
            "s",
            note="per sync, at its check",
        )
    )
    return figures


if __name__ == "__main__":
    sys.exit(main())
