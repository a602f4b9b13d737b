"""The source's own limits, and the counters that show how a client treated them.

Faults (``faults.py``) are things a test makes go wrong; limits are how the service protects itself, switched on
for the whole server: at most so many requests in flight (in all, and per client credential), at most so many
per second (token buckets, in all and per credential), and SOAP's monthly allowance per login. A request past
an in-flight or rate limit is refused at once with 429 and ``Retry-After``, as a gateway in front of the service
would; a SOAP call past the month's allowance is answered by the service itself, with an ``ErrorMsg``.

The ``Gate`` also counts, whether limits are on or not: calls, 429s, requests in flight now and at their peak,
per credential too, and SOAP calls used this month per login. A benchmark of many administrations syncing at once
reads from these counters whether the client kept within the source's limits and how hard it pushed.

Everything here runs on the server's event loop, between awaits, so plain integers count exactly without locks;
a request costs a few dictionary and attribute operations (the benchmark checks the sandbox still serves thousands
of requests a second). The token bucket is written out rather than taken from a library: the sandbox must refuse
(not wait), must say in ``Retry-After`` when a token will be there, reads the server's own clock (tests replace
it), and runs on every request; rate-limiting libraries either wait for capacity, keep a log of recent calls per
key, or report no time until the next token.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from aiohttp import web

# Key prefixes: a REST credential is the administration its API token belongs to, a SOAP credential the login.
REST_KEY = "rest:"
SOAP_KEY = "soap:"

LIMIT_FIELDS = (
    "max_in_flight",
    "max_in_flight_per_key",
    "rate_per_second",
    "rate_per_second_per_key",
    "burst",
    "burst_per_key",
    "retry_after",
    "soap_calls_per_month",
)
# The causes of a refusal, as the stats name them.
CAUSES = ("maxInFlight", "maxInFlightPerKey", "ratePerSecond", "ratePerSecondPerKey", "faults")


@dataclass(slots=True)
class Limits:
    """The server-wide limits. None (or 0 when set) means "no such limit"."""

    max_in_flight: int | None = None  # requests being served at once, REST and SOAP together
    max_in_flight_per_key: int | None = None  # the same per credential
    rate_per_second: float | None = None  # requests per second in all (a token bucket)
    rate_per_second_per_key: float | None = None  # the same per credential
    burst: float | None = None  # the total bucket's size; None: one second's worth (at least 1)
    burst_per_key: float | None = None  # each credential's bucket's size; None: one second's worth
    retry_after: int = 1  # the Retry-After of an in-flight refusal, in seconds
    soap_calls_per_month: int | None = None  # SOAP calls per login per calendar month (e-Boekhouden: about 5,000)

    @classmethod
    def from_dict(cls, data: dict[str, Any], base: Limits | None = None) -> Limits:
        """``base`` changed by ``data`` (snake_case or camelCase keys; unknown keys are refused)."""
        known = {name: name for name in LIMIT_FIELDS}
        known.update({_camel(name): name for name in LIMIT_FIELDS})
        limits = cls(**{name: getattr(base, name) for name in LIMIT_FIELDS}) if base else cls()
        for key, value in data.items():
            if key not in known:
                raise ValueError(f"unknown limit: {key}")
            name = known[key]
            setattr(limits, name, _setting(name, value))
        return limits

    def as_dict(self) -> dict[str, Any]:
        return {_camel(f.name): getattr(self, f.name) for f in fields(self)}

    @property
    def any(self) -> bool:
        return bool(
            self.max_in_flight or self.max_in_flight_per_key or self.rate_per_second or self.rate_per_second_per_key
        )


def _setting(name: str, value: Any) -> Any:
    if name == "retry_after":
        seconds = int(value if value is not None else 1)
        if seconds < 1:
            raise ValueError("retry_after must be at least 1 second")
        return seconds
    if value is None or value == 0:
        return None
    number = float(value) if name.startswith(("rate", "burst")) else int(value)
    if number < 0 or (isinstance(number, float) and not math.isfinite(number)):
        raise ValueError(f"{name} must be a positive number")
    if name.startswith("burst") and number < 1:
        raise ValueError(f"{name} must be at least 1")
    return number


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


class _Bucket:
    """A token bucket: ``rate`` tokens a second, at most ``size``; full when made."""

    __slots__ = ("rate", "size", "stamp", "tokens")

    def __init__(self, rate: float, size: float | None, now: float) -> None:
        self.rate = rate
        self.size = size if size is not None else max(1.0, rate)
        self.tokens = self.size
        self.stamp = now

    def wait(self, now: float) -> int:
        """0 when a token is there (refilled up to now; not taken yet), else whole seconds until one is (>= 1)."""
        tokens = self.tokens + (now - self.stamp) * self.rate
        self.tokens = tokens if tokens < self.size else self.size
        self.stamp = now
        if self.tokens >= 1.0:
            return 0
        return max(1, math.ceil((1.0 - self.tokens) / self.rate))


class _Key:
    """What the gate keeps per credential: requests in flight, their peak, calls, refusals, its bucket."""

    __slots__ = ("bucket", "calls", "in_flight", "peak", "refused")

    def __init__(self) -> None:
        self.in_flight = 0
        self.peak = 0
        self.calls = 0
        self.refused = 0
        self.bucket: _Bucket | None = None


class Gate:
    """Admits or refuses each API request, and counts. Owned by the server's event loop."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, today: Callable[[], date] = date.today):
        self.clock = clock
        self.today = today  # the sandbox's day: its month is SOAP's allowance month
        self.limits = Limits()
        self._limited = False  # any in-flight or rate limit on: the one test a request pays for when none is
        self._bucket: _Bucket | None = None
        self.keys: dict[str, _Key] = {}
        self.soap_month = ""
        self.soap_used: dict[str, int] = {}  # login -> SOAP calls this month
        self.in_flight = 0
        # The counters (reset_stats sets them).
        self.calls = self.calls_rest = self.calls_soap = self.soap_refused = self.peak = 0
        self.refused: dict[str, int] = {}
        self.started = 0.0
        self.reset_stats()

    # -- settings -------------------------------------------------------------------------------------------------
    def set_limits(self, limits: Limits) -> None:
        """Switch to ``limits``; the rate buckets start full again."""
        self.limits = limits
        self._limited = limits.any
        now = self.clock()
        self._bucket = _Bucket(limits.rate_per_second, limits.burst, now) if limits.rate_per_second else None
        for key in self.keys.values():
            key.bucket = None

    # -- per request ----------------------------------------------------------------------------------------------
    def enter(self, api: str, key: str | None) -> int:
        """Count a request and admit it (0: it is in flight now; call ``leave``), or refuse it: the Retry-After in
        seconds. A refused request is a call and a 429, never in flight."""
        self.calls += 1
        if api == "rest":
            self.calls_rest += 1
        else:
            self.calls_soap += 1
        record = None
        if key is not None:
            record = self.keys.get(key)
            if record is None:
                record = self.keys[key] = _Key()
            record.calls += 1
        if self._limited:
            limits = self.limits
            refusal = self._refusal(limits, record)
            if refusal:
                cause, retry_after = refusal
                self.refused[cause] += 1
                if record is not None:
                    record.refused += 1
                return retry_after
        self.in_flight += 1
        if self.in_flight > self.peak:
            self.peak = self.in_flight
        if record is not None:
            record.in_flight += 1
            if record.in_flight > record.peak:
                record.peak = record.in_flight
        return 0

    def _refusal(self, limits: Limits, record: _Key | None) -> tuple[str, int] | None:
        """Which limit refuses the request, if any, and its Retry-After. Nothing is taken until all agree, so a
        refused request uses no token of any bucket."""
        if limits.max_in_flight and self.in_flight >= limits.max_in_flight:
            return "maxInFlight", limits.retry_after
        if record is not None and limits.max_in_flight_per_key and record.in_flight >= limits.max_in_flight_per_key:
            return "maxInFlightPerKey", limits.retry_after
        bucket = self._bucket
        key_bucket = None
        now = 0.0
        if bucket is not None or (record is not None and limits.rate_per_second_per_key):
            now = self.clock()
        if bucket is not None:
            wait = bucket.wait(now)
            if wait:
                return "ratePerSecond", wait
        if record is not None and limits.rate_per_second_per_key:
            key_bucket = record.bucket
            if key_bucket is None:
                key_bucket = record.bucket = _Bucket(limits.rate_per_second_per_key, limits.burst_per_key, now)
            wait = key_bucket.wait(now)
            if wait:
                return "ratePerSecondPerKey", wait
        if bucket is not None:
            bucket.tokens -= 1.0
        if key_bucket is not None:
            key_bucket.tokens -= 1.0
        return None

    def leave(self, key: str | None) -> None:
        self.in_flight -= 1
        if key is not None:
            self.keys[key].in_flight -= 1

    def answered_429(self, key: str | None) -> None:
        """An admitted request that a fault answered with 429."""
        self.refused["faults"] += 1
        if key is not None:
            self.keys[key].refused += 1

    # -- SOAP's monthly allowance ---------------------------------------------------------------------------------
    def _month(self) -> str:
        month = self.today().strftime("%Y-%m")
        if month != self.soap_month:  # a new month: every login starts from zero
            self.soap_month = month
            self.soap_used = {}
        return month

    def soap_call(self, login: str) -> bool:
        """Use one of the login's SOAP calls this month: False (not used) when the allowance is used up."""
        self._month()
        used = self.soap_used.get(login, 0)
        cap = self.limits.soap_calls_per_month
        if cap and used >= cap:
            self.soap_refused += 1
            return False
        self.soap_used[login] = used + 1
        return True

    def set_soap_used(self, login: str, used: int) -> dict[str, Any]:
        if used < 0:
            raise ValueError("used must be 0 or more")
        month = self._month()
        self.soap_used[login] = used
        return {"username": login, "month": month, "used": used, "limit": self.limits.soap_calls_per_month}

    def soap_calls_used(self) -> dict[str, int]:
        self._month()
        return dict(self.soap_used)

    # -- counters -------------------------------------------------------------------------------------------------
    def reset_stats(self) -> None:
        """Counters from zero; the peaks from what is in flight now (those requests are still being served)."""
        self.calls = 0
        self.calls_rest = 0
        self.calls_soap = 0
        self.refused = dict.fromkeys(CAUSES, 0)
        self.soap_refused = 0
        self.peak = self.in_flight
        self.started = self.clock()
        for record in self.keys.values():  # kept: their buckets and what is in flight go on
            record.calls = record.refused = 0
            record.peak = record.in_flight

    def stats(self) -> dict[str, Any]:
        keys = self.keys
        return {
            "calls": self.calls,
            "callsByApi": {"rest": self.calls_rest, "soap": self.calls_soap},
            "rateLimited": sum(self.refused.values()),
            "rateLimitedByCause": dict(self.refused),
            "inFlight": self.in_flight,
            "peakInFlight": self.peak,
            "peakInFlightPerKey": max((record.peak for record in keys.values()), default=0),
            "keys": {
                key: {
                    "calls": record.calls,
                    "rateLimited": record.refused,
                    "inFlight": record.in_flight,
                    "peakInFlight": record.peak,
                }
                for key, record in sorted(keys.items())
                if record.calls or record.peak
            },
            "soapMonth": self._month(),
            "soapCallsUsed": dict(sorted(self.soap_used.items())),
            "soapMonthlyRefused": self.soap_refused,
            "seconds": round(self.clock() - self.started, 3),
        }


def too_many(retry_after: int) -> web.Response:
    return web.Response(status=429, headers={"Retry-After": str(retry_after)})


async def gated(
    request: web.Request,
    gate: Gate,
    api: str,
    key: str | None,
    serve: Callable[[], Awaitable[web.StreamResponse]],
) -> web.StreamResponse:
    """Serve a request through the gate: refused at once, or in flight until its response is written."""
    retry_after = gate.enter(api, key)
    if retry_after:
        return too_many(retry_after)
    try:
        response = await serve()
        if response.status == 429:
            gate.answered_429(key)
        await _write(request, response)
        return response
    finally:
        gate.leave(key)


async def _write(request: web.Request, response: web.StreamResponse) -> None:
    """Write the whole response now, so that the request stays in flight until it is out (aiohttp would write it
    after the handler returned; it skips a response already written). A connection a fault cut off, or one the
    client dropped, has nothing left to write."""
    transport = request.transport
    if transport is None or transport.is_closing():
        return
    try:
        await response.prepare(request)
        await response.write_eof()
    except ConnectionError:
        pass
