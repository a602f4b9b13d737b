"""Benchmark of the e-Boekhouden sandbox: is it fast enough never to be the import's bottleneck?

Prints:
- requests per second for ``GET /v1/mutation/{id}`` with no latency (target: at least 1,000 on 2 cores);
- with a latency L per request, requests per second at C = 1, 8, 32 and 64 concurrent connections, next to C/L;
- start-up time and memory (RSS) of a sandbox with 100,000 mutations (targets: under 30 s and 1 GB);
- the generator streaming 1,000,000 journal lines: time and the process's peak memory.

The sandbox runs in its own process (``python -m eboekhouden.sandbox``), so the client does not share its GIL.
Run: ``.venv/bin/python bench/sandbox_throughput.py [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent


def start_sandbox(mutations: int, *extra: str) -> tuple[subprocess.Popen[str], dict, float]:
    """Start a sandbox process; return it, its JSON summary and the seconds until it served."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "eboekhouden.sandbox",
            "--port",
            "0",
            "--json",
            "--administrations",
            "1",
            "--mutations",
            str(mutations),
            "--end-date",
            "2025-12-31",
            *extra,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        raise SystemExit("the sandbox did not start")
    return process, json.loads(line), time.perf_counter() - started


def rss_mb(pid: int) -> tuple[float, float]:
    """(current RSS, peak RSS) in MB, from /proc."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


async def open_session(http: aiohttp.ClientSession, summary: dict) -> str:
    token = summary["administrations"][0]["apiToken"]
    async with http.post(f"{summary['restUrl']}/v1/session", json={"accessToken": token, "source": "bench"}) as r:
        return (await r.json())["token"]


async def hammer(summary: dict, concurrency: int, seconds: float, mutations: int) -> float:
    """GET /v1/mutation/{id} from ``concurrency`` workers for ``seconds``; returns requests per second."""
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:
        session = await open_session(http, summary)
        headers = {"Authorization": session}
        base = f"{summary['restUrl']}/v1/mutation/"
        done = 0

        async def worker(start: int) -> None:
            nonlocal done
            mutation_id = start
            while time.perf_counter() < deadline:
                async with http.get(f"{base}{mutation_id % mutations + 1}", headers=headers) as response:
                    await response.read()
                    if response.status != 200:
                        raise RuntimeError(f"status {response.status}")
                # Count what completed inside the window only, so the last in-flight requests do not skew it.
                if time.perf_counter() <= deadline:
                    done += 1
                mutation_id += 97

        began = time.perf_counter()
        deadline = began + seconds
        await asyncio.gather(*(worker(i * 1000) for i in range(concurrency)))
        return done / seconds


STREAM = """
import resource, sys, time
from datetime import date
from eboekhouden.sandbox.generator import DataSpec, MutationStream, generate_administrations
from eboekhouden.sandbox.journal import lines_of
admin = generate_administrations(DataSpec(1, 1, 10**6, 5, date(2025, 12, 31)))[0]
vat = {ledger.category: ledger.id for ledger in admin.ledgers}
began, lines, mutations = time.perf_counter(), 0, 0
for mutation in MutationStream(admin, 10**6):
    lines += len(lines_of(mutation, vat))
    mutations += 1
    if lines >= 10**6:
        break
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{lines} {mutations} {time.perf_counter() - began:.1f} {peak:.0f}")
"""


def stream_million_lines() -> str:
    out = subprocess.run([sys.executable, "-c", STREAM], cwd=ROOT, capture_output=True, text=True, check=True)
    lines, mutations, seconds, peak = out.stdout.split()
    return f"{int(lines):,} lines ({int(mutations):,} mutations) in {seconds} s, peak RSS {peak} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="shorter runs (about 20 s in all)")
    parser.add_argument("--latency-ms", type=int, default=100, help="the latency L for the scaling runs")
    options = parser.parse_args()
    seconds = 2.0 if options.quick else 5.0
    mutations = 5_000
    latency = options.latency_ms

    print(f"e-Boekhouden sandbox throughput ({os.cpu_count()} CPUs)")
    process, summary, _ = start_sandbox(mutations)
    try:
        rate = asyncio.run(hammer(summary, 16, seconds, mutations))
        print(f"  GET /v1/mutation/{{id}}, no latency, 16 connections: {rate:8.0f} req/s   (target >= 1000)")
    finally:
        process.terminate()
        process.wait()

    process, summary, _ = start_sandbox(mutations, "--latency-ms", str(latency))
    try:
        for concurrency in (1, 8, 32, 64):
            rate = asyncio.run(hammer(summary, concurrency, seconds, mutations))
            ideal = concurrency * 1000 / latency
            print(
                f"  latency {latency} ms, C = {concurrency:2d}: {rate:8.1f} req/s   "
                f"(C/L = {ideal:6.0f}, {100 * rate / ideal:5.1f}%)"
            )
    finally:
        process.terminate()
        process.wait()

    process, summary, elapsed = start_sandbox(100_000)
    try:
        rss, peak = rss_mb(process.pid)
        print(
            f"  100,000 mutations: started in {elapsed:5.1f} s (target < 30 s); "
            f"RSS {rss:6.0f} MB, peak {peak:6.0f} MB (target < 1024 MB)"
        )
        rate = asyncio.run(hammer(summary, 16, seconds, 100_000))
        print(f"  GET /v1/mutation/{{id}} at 100,000 mutations, 16 connections: {rate:8.0f} req/s")
    finally:
        process.terminate()
        process.wait()
    print(f"  generator streaming: {stream_million_lines()}")


if __name__ == "__main__":
    main()
