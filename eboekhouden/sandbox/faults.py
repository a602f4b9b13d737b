"""Faults on demand: latency, 5xx bursts, 429s, resets, broken bodies, short-lived sessions, concurrency caps.

A fault applies to the whole server or to one administration (the one whose token or session a request uses),
to the REST API, the SOAP API or both, and optionally to paths under a prefix. Counted faults ("the next 3
requests") count down as they fire; each fault records how often each effect fired, for tests to check.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import dataclass, field, fields
from typing import Any

from aiohttp import web

FAULT_FIELDS = (
    "api",
    "administration",
    "path_prefix",
    "latency_ms",
    "latency_jitter_ms",
    "error_status",
    "error_count",
    "error_rate",
    "rate_limit_count",
    "retry_after",
    "reset_count",
    "truncate_count",
    "non_json_count",
    "session_ttl_seconds",
    "session_max_calls",
    "max_concurrent",
    "seed",
)


@dataclass(slots=True)
class Fault:
    """One configured fault. Zero or None means "not this effect"."""

    id: int = 0
    api: str = "any"  # "rest" | "soap" | "any"
    administration: str | None = None  # a GUID; None: every request
    path_prefix: str = ""  # e.g. "/v1/mutation/"
    latency_ms: int = 0  # fixed latency per request
    latency_jitter_ms: int = 0  # plus a uniform random 0..jitter
    error_status: int = 503
    error_count: int = 0  # the next N requests fail with error_status (a burst)
    error_rate: float = 0.0  # each request fails with error_status with this probability
    rate_limit_count: int = 0  # the next N requests get 429 with Retry-After
    retry_after: int = 1
    reset_count: int = 0  # the next N responses are cut off by a connection reset halfway through the body
    truncate_count: int = 0  # the next N responses end early (a complete HTTP response with half a body)
    non_json_count: int = 0  # the next N responses are an HTML error page with status 200
    session_ttl_seconds: float | None = None  # sessions die this long after they were opened
    session_max_calls: int | None = None  # sessions die after this many calls
    max_concurrent: int | None = None  # requests in flight per session beyond this get 429
    seed: int = 0
    fired: Counter[str] = field(default_factory=Counter)
    rng: random.Random = field(default_factory=random.Random, repr=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fault:
        """Build from the control API's JSON (snake_case or camelCase keys); unknown keys are refused."""
        known = {name: name for name in FAULT_FIELDS}
        known.update({_camel(name): name for name in FAULT_FIELDS})
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                raise ValueError(f"unknown fault setting: {key}")
            values[known[key]] = value
        fault = cls(**values)
        if fault.api not in ("rest", "soap", "any"):
            raise ValueError("api must be rest, soap or any")
        if not 500 <= int(fault.error_status) <= 599:
            raise ValueError("error_status must be a 5xx status")
        fault.rng = random.Random(fault.seed)
        return fault

    def as_dict(self) -> dict[str, Any]:
        data = {_camel(f.name): getattr(self, f.name) for f in fields(self) if f.name not in ("fired", "rng")}
        data["fired"] = dict(self.fired)
        return data

    def matches(self, api: str, administration: str | None, path: str) -> bool:
        return (
            self.api in ("any", api)
            and (self.administration is None or self.administration == administration)
            and path.startswith(self.path_prefix)
        )

    def take(self, counter: str) -> bool:
        """Use up one of a counted effect, if any is left."""
        left = getattr(self, counter)
        if left > 0:
            setattr(self, counter, left - 1)
            return True
        return False


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


class FaultSet:
    def __init__(self) -> None:
        self.faults: dict[int, Fault] = {}
        self._next_id = 0

    def add(self, fault: Fault) -> Fault:
        self._next_id += 1
        fault.id = self._next_id
        self.faults[fault.id] = fault
        return fault

    def clear(self, fault_id: int | None = None, administration: str | None = None) -> int:
        if fault_id is not None:
            return 1 if self.faults.pop(fault_id, None) else 0
        doomed = [f.id for f in self.faults.values() if administration is None or f.administration == administration]
        for doomed_id in doomed:
            del self.faults[doomed_id]
        return len(doomed)

    def matching(self, api: str, administration: str | None, path: str) -> list[Fault]:
        if not self.faults:
            return []
        return [fault for fault in self.faults.values() if fault.matches(api, administration, path)]


@dataclass(slots=True)
class Reply:
    status: int
    body: bytes = b""
    content_type: str | None = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


HTML_ERROR = (
    b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
    b"<body><h1>Bad Gateway</h1><p>The proxy server received an invalid response.</p></body></html>"
)


async def before(faults: list[Fault]) -> Reply | None:
    """Wait out the latency, then answer with a 429 or 5xx if a fault says so."""
    delay = 0.0
    for fault in faults:
        if fault.latency_ms or fault.latency_jitter_ms:
            delay += fault.latency_ms / 1000
            if fault.latency_jitter_ms:
                delay += fault.rng.uniform(0, fault.latency_jitter_ms) / 1000
            fault.fired["latency"] += 1
    if delay:
        await asyncio.sleep(delay)
    for fault in faults:
        if fault.take("rate_limit_count"):
            fault.fired["rate_limit"] += 1
            return too_many(fault.retry_after)
        if fault.take("error_count") or (fault.error_rate and fault.rng.random() < fault.error_rate):
            fault.fired["error"] += 1
            return Reply(int(fault.error_status), b"", None)
    return None


def too_many(retry_after: int) -> Reply:
    return Reply(429, b"", None, {"Retry-After": str(retry_after)})


_DELIVERY_FAULTS = (("reset_count", "reset"), ("truncate_count", "truncate"), ("non_json_count", "non_json"))


def admit(session: Any, faults: list[Fault]) -> bool:
    """Count a request against its session's concurrency cap: False (and the cap's faults fired) when the session
    already has as many requests in flight as the tightest cap allows; else the request is in flight."""
    cap = min((f.max_concurrent for f in faults if f.max_concurrent is not None), default=None)
    if cap is not None and session.in_flight >= cap:
        for fault in faults:
            if fault.max_concurrent is not None:
                fault.fired["concurrency"] += 1
        return False
    session.in_flight += 1
    return True


def delivery(faults: list[Fault]) -> str | None:
    """How to (mis)deliver the body: "reset", "truncate", "non_json" or normally (None)."""
    for fault in faults:
        for counter, effect in _DELIVERY_FAULTS:
            if fault.take(counter):
                fault.fired[effect] += 1
                return effect
    return None


async def send(request: web.Request, reply: Reply, effect: str | None) -> web.StreamResponse:
    """Write the reply, or break it as the fault asks."""
    if effect == "non_json":
        return web.Response(status=200, body=HTML_ERROR, content_type="text/html")
    body = reply.body
    if effect == "truncate":
        body = body[: len(body) // 2]
    if effect != "reset":
        response = web.Response(status=reply.status, body=body, headers=reply.headers)
        if reply.content_type:
            response.content_type, _, charset = reply.content_type.partition("; charset=")
            if charset:
                response.charset = charset
        return response
    # A reset: promise the whole body, send half of it, then abort the TCP connection.
    stream = web.StreamResponse(status=reply.status, headers=reply.headers)
    if reply.content_type:
        stream.headers["Content-Type"] = reply.content_type
    stream.content_length = len(body)
    await stream.prepare(request)
    await stream.write(body[: max(1, len(body) // 2)])
    transport = request.transport
    if transport is not None:
        transport.abort()
    return stream


def fault_summary(faults: FaultSet) -> list[dict[str, Any]]:
    return [fault.as_dict() for fault in faults.faults.values()]
