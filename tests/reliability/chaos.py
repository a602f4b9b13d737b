"""A seeded random mix of the sandbox's faults for one administration, and a sync that meets them.

The mix is drawn from ``random.Random(f"chaos/{transport}/{seed}")``: a background of latency, a small 5xx rate
and short-lived sessions for the whole run, a burst at the start, and more bursts (5xx, 429 with ``Retry-After``,
connection resets, truncated bodies, HTML pages) set while the import runs, each at a progress step drawn from the
seed, so they land in every stream rather than all on the first requests.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from integrations.errors import IntegrationError
from integrations.models import SyncRun
from integrations.sync.engine import sync_run_execute

BURSTS = ("error_count", "rate_limit_count", "reset_count", "truncate_count", "non_json_count")
# REST paths a burst may be aimed at (SOAP has one path, /soap.asmx: its bursts hit whatever call comes next).
REST_PREFIXES = ("", "/v1/session", "/v1/ledger", "/v1/relation", "/v1/costcenter", "/v1/mutation", "/v1/mutation/")


@dataclass
class ChaosPlan:
    background: list[dict[str, Any]]
    bursts: dict[int, dict[str, Any]] = field(default_factory=dict)  # progress step -> burst

    def describe(self) -> str:
        return f"background={self.background} bursts={self.bursts}"


def _burst(rng: random.Random, transport: str) -> dict[str, Any]:
    kind = rng.choice(BURSTS)
    burst: dict[str, Any] = {kind: rng.randint(1, 3)}
    if kind == "error_count":
        burst["error_status"] = rng.choice((500, 502, 503, 504))
    if kind == "rate_limit_count":
        burst["retry_after"] = rng.choice((0, 1))
    if transport == "rest":
        burst["path_prefix"] = rng.choice(REST_PREFIXES)
    return burst


def chaos_plan(seed: int, transport: str) -> ChaosPlan:
    rng = random.Random(f"chaos/{transport}/{seed}")
    background: list[dict[str, Any]] = [
        {"latency_ms": rng.randint(0, 3), "latency_jitter_ms": rng.randint(0, 12), "seed": rng.randrange(2**31)},
        {
            "error_rate": round(rng.uniform(0.005, 0.04), 3),
            "error_status": rng.choice((500, 502, 503)),
            "seed": rng.randrange(2**31),
        },
    ]
    if rng.random() < 0.5:
        background.append({"session_max_calls": rng.randint(20, 120)})
    else:
        background.append({"session_ttl_seconds": round(rng.uniform(0.3, 1.5), 2)})
    background.append(_burst(rng, transport))
    steps = rng.sample(range(1, 60), k=rng.randint(2, 5))
    return ChaosPlan(background, {step: _burst(rng, transport) for step in sorted(steps)})


@dataclass
class ChaosResult:
    run: SyncRun
    error: IntegrationError | None
    fired: dict[str, int]


def sync_under_chaos(sandbox, guid: str, connection_id: int, plan: ChaosPlan, transport: str) -> ChaosResult:
    """One sync with the plan's faults on ``guid`` only; they are all cleared when it ends."""
    api = "rest" if transport == "rest" else "soap"
    for fault in plan.background:
        sandbox.set_fault(administration=guid, api=api, **fault)
    steps = {"n": 0}

    def observer(stream: str, done: int, total: int) -> None:
        steps["n"] += 1
        burst = plan.bursts.get(steps["n"])
        if burst is not None:
            sandbox.set_fault(administration=guid, api=api, **burst)

    error = None
    try:
        sync_run_execute(connection_id=connection_id, trigger="manual", observer=observer)
    except IntegrationError as raised:  # a transient error is raised again for the task's retry
        error = raised
    fired: dict[str, int] = {}
    for fault in sandbox.faults():
        if fault.get("administration") == guid:
            for effect, times in fault["fired"].items():
                fired[effect] = fired.get(effect, 0) + times
    sandbox.clear_faults(administration=guid)
    run = SyncRun.objects.filter(connection_id=connection_id).latest("pk")
    return ChaosResult(run, error, fired)
