"""Figures from the two benchmarks that print rather than write JSON: ``bench/write_path.py`` (issue 9, part 2)
and ``bench/sandbox_throughput.py``. ``bench/run.py`` runs each as a script of its own and reads its output here,
so the scripts stay as they are and can still be run alone.

A line the parser expects but does not find is an error, not a missing figure: if a script's output changes,
the smoke test (tests/bench/test_bench_smoke.py) fails instead of the table silently losing a row.
"""

from __future__ import annotations

import re
import statistics
from typing import Any

from bench.common import Figure

# write_path.py's targets (it prints them too; kept here so the table can show them).
WRITE_TARGET_UPSERT = 2.0
WRITE_TARGET_UNCHANGED = 2.5
WRITE_TARGET_RSS_MB = 300.0

_NUMBER = r"([0-9][0-9,]*(?:\.[0-9]+)?)"


class OutputChanged(ValueError):
    """A benchmark script no longer prints what its parser reads."""


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _search(pattern: str, output: str, what: str) -> re.Match[str]:
    match = re.search(pattern, output, re.MULTILINE)
    if match is None:
        raise OutputChanged(f"no {what} in the benchmark's output")
    return match


def write_path_figures(output: str) -> tuple[list[Figure], dict[str, Any]]:
    """The write path's figures: the medians of COPY and upsert times over its rounds, the ratios it reports (the
    medians of each round's ratio), and its peak memory."""
    lines = int(_number(_search(rf"^{_NUMBER} lines in {_NUMBER} transactions", output, "line count").group(1)))
    phases: dict[str, list[float]] = {"plain COPY": [], "upsert (new)": [], "upsert (unchanged)": []}
    for label in phases:
        phases[label] = [_number(m) for m in re.findall(rf"^\s+{re.escape(label)}\s+{_NUMBER} s", output, re.M)]
        if not phases[label]:
            raise OutputChanged(f"no {label!r} time in the write benchmark's output")
    upsert = _number(_search(rf"^\s+upsert / COPY\s+{_NUMBER}", output, "upsert / COPY ratio").group(1))
    unchanged = _number(_search(rf"^\s+unchanged / COPY\s+{_NUMBER}", output, "unchanged / COPY ratio").group(1))
    rss = _search(rf"^\s+peak RSS \(MB\)\s+{_NUMBER}.*after setup {_NUMBER} MB", output, "peak RSS")
    copy, new, same = (statistics.median(phases[k]) for k in phases)
    rounds = len(phases["plain COPY"])
    figures = [
        Figure("lines written", lines, "lines", note=f"{rounds} round(s); times are medians over the rounds"),
        Figure("plain COPY", round(copy, 2), "s", runs=phases["plain COPY"]),
        Figure("upsert, new rows", round(new, 2), "s", runs=phases["upsert (new)"]),
        Figure("upsert, unchanged rows", round(same, 2), "s", runs=phases["upsert (unchanged)"]),
        Figure("upsert / COPY", upsert, "×", WRITE_TARGET_UPSERT, note="median of the rounds' ratios"),
        Figure("unchanged / COPY", unchanged, "×", WRITE_TARGET_UNCHANGED, note="median of the rounds' ratios"),
        Figure(
            "peak RSS",
            _number(rss.group(1)),
            "MB",
            WRITE_TARGET_RSS_MB,
            note=f"{_number(rss.group(2)):.0f} MB after Django's setup",
        ),
    ]
    return figures, {"rounds": rounds, "phases": phases}


def sandbox_figures(output: str) -> tuple[list[Figure], dict[str, Any]]:
    """The sandbox's throughput, scaling under latency, start-up and streaming figures."""
    rate = _number(_search(rf"no latency, 16 connections:\s+{_NUMBER} req/s", output, "request rate").group(1))
    scaling = {
        int(c): (_number(r), _number(share))
        for c, r, share in re.findall(rf"latency \d+ ms, C =\s*(\d+):\s+{_NUMBER} req/s.*?{_NUMBER}%\)", output)
    }
    if not scaling:
        raise OutputChanged("no scaling figures in the sandbox benchmark's output")
    start = _search(rf"100,000 mutations: started in\s+{_NUMBER} s.*RSS\s+{_NUMBER} MB", output, "start-up")
    stream = _search(
        rf"generator streaming: {_NUMBER} lines .* in {_NUMBER} s, peak RSS {_NUMBER} MB", output, "stream"
    )
    lowest_share = min(share for _, share in scaling.values())
    figures = [
        Figure("GET /v1/mutation/{id}, no latency", rate, "req/s", 1000, "higher"),
        Figure(
            "with latency: share of C/L reached",
            lowest_share,
            "%",
            note="lowest over C = " + ", ".join(f"{c}: {r:,.0f} req/s" for c, (r, _) in sorted(scaling.items())),
        ),
        Figure("start with 100,000 mutations", _number(start.group(1)), "s", 30),
        Figure("memory with 100,000 mutations", _number(start.group(2)), "MB", 1024),
        Figure(
            "generator: 1,000,000 lines, peak RSS",
            _number(stream.group(3)),
            "MB",
            note=f"{_number(stream.group(2))} s",
        ),
    ]
    return figures, {"scaling": {str(c): {"rate": r, "share": s} for c, (r, s) in scaling.items()}}
