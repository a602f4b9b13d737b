"""The sandbox's command line, shared by ``python -m eboekhouden.sandbox`` and ``manage.py eboekhouden_sandbox``.

It prints the REST and SOAP base URLs and a table of administrations with their API tokens and legacy
credentials, or (``--json``) the same as one JSON object on one line of stdout, for scripts.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from io import TextIOBase
from typing import Any, TextIO

from .server import Sandbox, SandboxConfig


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port to listen on; 0 picks a free one (default 8765)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated data (default 1)")
    parser.add_argument("--mutations", type=int, default=1000, help="mutations per administration (default 1000)")
    parser.add_argument("--administrations", type=int, default=3, help="number of administrations (default 3)")
    parser.add_argument("--years", type=int, default=3, help="years of bookkeeping, up to the end date (default 3)")
    parser.add_argument("--end-date", type=date.fromisoformat, default=None, help="last day of data (default today)")
    parser.add_argument("--latency-ms", type=int, default=0, help="latency added to every API request")
    parser.add_argument("--json", action="store_true", help="print the URLs and credentials as one JSON object")


def config_from(options: dict[str, Any]) -> SandboxConfig:
    return SandboxConfig(
        host=options["host"],
        port=options["port"],
        seed=options["seed"],
        mutations=options["mutations"],
        administrations=options["administrations"],
        years=options["years"],
        end_date=options["end_date"],
        latency_ms=options["latency_ms"],
    )


def describe(sandbox: Sandbox, out: TextIO | TextIOBase, *, as_json: bool) -> None:
    summary = sandbox.summary()
    if as_json:
        out.write(json.dumps(summary) + "\n")
        out.flush()
        return
    out.write(f"e-Boekhouden sandbox (seed {summary['seed']})\n")
    out.write(f"  REST     {summary['restUrl']}/v1/\n")
    out.write(f"  SOAP     {summary['soapUrl']}   (WSDL: {summary['wsdlUrl']})\n")
    out.write(f"  control  {summary['controlUrl']}/\n\n")
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
