"""The sandbox's command line, shared by ``python -m eboekhouden.sandbox`` and ``manage.py eboekhouden_sandbox``.

It prints the REST and SOAP base URLs and a table of administrations with their API tokens and legacy
credentials, or (``--json``) the same as one JSON object on one line of stdout, for scripts. The source's limits
and a fleet of administrations (``--fleet``) are set up from flags too, so a benchmark starts what it needs with
one command; ``--fleet-out`` keeps the (long) summary of a fleet in a file.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from io import TextIOBase
from pathlib import Path
from typing import Any, TextIO

from .fleet import DEFAULT_MAXIMUM, DEFAULT_MINIMUM
from .server import Sandbox, SandboxConfig


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port to listen on; 0 picks a free one (default 8765)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated data (default 1)")
    parser.add_argument("--mutations", type=int, default=1000, help="mutations per administration (default 1000)")
    parser.add_argument(
        "--administrations", type=int, default=None, help="number of administrations (default 3; with --fleet 0)"
    )
    parser.add_argument("--years", type=int, default=3, help="years of bookkeeping, up to the end date (default 3)")
    parser.add_argument("--end-date", type=date.fromisoformat, default=None, help="last day of data (default today)")
    parser.add_argument("--latency-ms", type=int, default=0, help="latency added to every API request")
    parser.add_argument("--json", action="store_true", help="print the URLs and credentials as one JSON object")
    limits = parser.add_argument_group("the source's limits (off unless given; 429 with Retry-After past them)")
    limits.add_argument("--max-in-flight", type=int, help="requests served at once, REST and SOAP together")
    limits.add_argument("--max-in-flight-per-key", type=int, help="the same per API token or SOAP login")
    limits.add_argument("--rate-per-second", type=float, help="requests per second in all (a token bucket)")
    limits.add_argument("--rate-per-second-per-key", type=float, help="requests per second per API token or login")
    limits.add_argument("--burst", type=float, help="the total bucket's size (default one second's worth)")
    limits.add_argument("--burst-per-key", type=float, help="each key's bucket's size (default one second's worth)")
    limits.add_argument("--retry-after", type=int, default=1, help="Retry-After of in-flight refusals (default 1)")
    limits.add_argument("--soap-calls-per-month", type=int, help="SOAP calls per login per month (e-Boekhouden: 5000)")
    fleet = parser.add_argument_group("a fleet: many administrations, each on its own login, long-tailed sizes")
    fleet.add_argument("--fleet", type=int, default=0, help="number of administrations in the fleet")
    fleet.add_argument("--fleet-mutations", type=int, help="their mutations in all (default 1000 per administration)")
    fleet.add_argument("--fleet-seed", type=int, help="seed of the fleet's sizes and books (default --seed)")
    fleet.add_argument("--fleet-min", type=int, default=DEFAULT_MINIMUM, help="least mutations of one (default 50)")
    fleet.add_argument("--fleet-max", type=int, default=DEFAULT_MAXIMUM, help="most mutations of one (default 20000)")
    fleet.add_argument("--fleet-out", help="also write the JSON summary (every administration) to this file")


def config_from(options: dict[str, Any]) -> SandboxConfig:
    fleet = options.get("fleet") or 0
    administrations = options["administrations"]
    return SandboxConfig(
        host=options["host"],
        port=options["port"],
        seed=options["seed"],
        mutations=options["mutations"],
        administrations=administrations if administrations is not None else (0 if fleet else 3),
        years=options["years"],
        end_date=options["end_date"],
        latency_ms=options["latency_ms"],
        max_in_flight=options.get("max_in_flight"),
        max_in_flight_per_key=options.get("max_in_flight_per_key"),
        rate_per_second=options.get("rate_per_second"),
        rate_per_second_per_key=options.get("rate_per_second_per_key"),
        burst=options.get("burst"),
        burst_per_key=options.get("burst_per_key"),
        retry_after=options.get("retry_after") or 1,
        soap_calls_per_month=options.get("soap_calls_per_month"),
        fleet=fleet,
        fleet_mutations=options.get("fleet_mutations"),
        fleet_seed=options.get("fleet_seed"),
        fleet_min=options.get("fleet_min", DEFAULT_MINIMUM),
        fleet_max=options.get("fleet_max", DEFAULT_MAXIMUM),
        fleet_out=options.get("fleet_out"),
    )


def describe(sandbox: Sandbox, out: TextIO | TextIOBase, *, as_json: bool) -> None:
    summary = sandbox.summary()
    if sandbox.config.fleet_out:
        Path(sandbox.config.fleet_out).write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    if as_json:
        out.write(json.dumps(summary) + "\n")
        out.flush()
        return
    out.write(f"e-Boekhouden sandbox (seed {summary['seed']})\n")
    out.write(f"  REST     {summary['restUrl']}/v1/\n")
    out.write(f"  SOAP     {summary['soapUrl']}   (WSDL: {summary['wsdlUrl']})\n")
    out.write(f"  control  {summary['controlUrl']}/\n")
    limits = {name: value for name, value in summary["limits"].items() if value and name != "retryAfter"}
    if limits:
        out.write("  limits   " + ", ".join(f"{name} {value}" for name, value in limits.items()) + "\n")
    out.write("\n")
    columns = ("company", "guid", "apiToken", "username", "securityCode1", "securityCode2", "mutations")
    rows = [[str(admin[c]) for c in columns] for admin in summary["administrations"]]
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    out.write("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip() + "\n")
    for row in rows:
        out.write("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() + "\n")
    out.write("\nCtrl-C stops it.\n")
    out.flush()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m eboekhouden.sandbox", description=__doc__)
    add_arguments(parser)
    options = vars(parser.parse_args(argv))
    sandbox = Sandbox.build(config_from(options))
    sandbox.run_forever(on_ready=lambda s: describe(s, sys.stdout, as_json=options["json"]))
