"""Retrying transient failures inside a provider's client: a few attempts, exponential backoff with jitter.

Only :class:`~integrations.errors.TransientError` (timeouts, connection errors, 5xx, 429) is retried; an auth
error or a refusal is final at once. A 429's ``Retry-After`` replaces the backoff for that attempt, capped so a
hostile or mistaken header cannot stall a sync for hours. The whole run is retried again by the task layer.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from integrations.errors import RateLimited, TransientError

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard the client tries before giving a transient error back to the caller."""

    attempts: int = 4
    base_wait: float = 0.5
    max_wait: float = 20.0
    max_retry_after: float = 120.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    # The pause of a request sent from an event loop (integrations.http.aio); by default ``sleep`` on a thread of
    # its own, so a sleep that does more than wait (a sync's, which keeps its lock alive meanwhile) still does it.
    async_sleep: Callable[[float], Awaitable[None]] | None = field(default=None, compare=False)

    async def pause_async(self, seconds: float) -> None:
        if self.async_sleep is not None:
            await self.async_sleep(seconds)
        elif self.sleep is time.sleep:
            await asyncio.sleep(seconds)
        else:
            await asyncio.to_thread(self.sleep, seconds)

    def wait_seconds(self, attempt: int, error: BaseException | None) -> float:
        """The pause before the attempt after ``attempt`` (1-based) failed with ``error``."""
        if isinstance(error, RateLimited) and error.retry_after is not None:
            return min(max(error.retry_after, 0.0), self.max_retry_after)
        # "Full jitter": a random pause up to the exponential ceiling spreads out clients that failed together.
        ceiling = min(self.max_wait, self.base_wait * 2 ** (attempt - 1))
        return random.uniform(0, ceiling)

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        return self.wait_seconds(state.attempt_number, error)

    def run(self, operation: Callable[[int], T]) -> T:
        """Call ``operation(attempt)`` until it succeeds, fails for good, or the attempts run out."""
        retrying = Retrying(
            retry=retry_if_exception_type(TransientError),
            stop=stop_after_attempt(self.attempts),
            wait=self._wait,
            sleep=self.sleep,
            reraise=True,
        )
        for attempt in retrying:
            with attempt:
                result = operation(attempt.retry_state.attempt_number)
        return result

    async def run_async(self, operation: Callable[[int], Awaitable[T]]) -> T:
        """:meth:`run` for a coroutine: the same attempts and pauses, waited out without blocking the loop.

        Written out rather than with tenacity's ``AsyncRetrying``: it inspects its callables on every call, about
        a tenth of the CPU of a detail call in a first import, where nearly every call succeeds at once."""
        attempt = 1
        while True:
            try:
                return await operation(attempt)
            except TransientError as error:
                if attempt >= self.attempts:
                    raise
                await self.pause_async(self.wait_seconds(attempt, error))
            attempt += 1


def parse_retry_after(value: str | None, *, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date; ``None`` if unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - now).total_seconds())
