"""Bounded, adaptive parallelism for an import's expensive part: a call per record (a provider's detail calls).

:class:`AdaptiveLimiter` gates every HTTP request of a client (AIMD): a 429 halves the number of requests
allowed in flight and pauses all of them for ``Retry-After``; a run of successes lets one more through, up to
the configured maximum. Threads and coroutines (on the client's event loop, :mod:`.aio`) draw on the same budget.
:func:`fetch_concurrently` runs a fetch per id in a thread pool sized to that maximum (and to the HTTP connection
pool), yields results as they complete, and fetches each id exactly once.
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import queue
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor, wait
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, replace
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class _Request:
    """What the limiter remembers of the request in flight on a thread or a task: the epoch it started in, and
    until when it was told to wait (the one that met the 429 waits out Retry-After in its retry policy; it need
    not wait twice). Frozen, and replaced rather than changed: a task starts with a copy of its creator's context,
    so a changed object would be shared by every task created in the same context."""

    epoch: int = 0
    excused_until: float = float("-inf")


class AdaptiveLimiter:
    """How many requests may be in flight at once, lowered by rate limiting and raised by success.

    A thread takes a slot with :meth:`slot`, a coroutine with :meth:`slot_async`; both count against one limit and
    wait in one queue, first come first served: a freed slot is handed to the longest waiting, so a thread's call
    (a month's listing) is not overtaken again and again by the coroutines of a fetch, which run on the thread that
    frees their slots.
    """

    def __init__(
        self,
        maximum: int,
        *,
        minimum: int = 1,
        increase_after: int = 20,
        sleep: Callable[[float], None] = time.sleep,
        async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if maximum < 1 or not 1 <= minimum <= maximum:
            raise ValueError("need 1 <= minimum <= maximum")
        self.maximum = maximum
        self.minimum = minimum
        self.increase_after = increase_after
        self._limit = maximum
        self._in_flight = 0
        self._peak_in_flight = 0
        self._successes = 0
        self._paused_until = 0.0
        # One burst of 429s answers every request that was already in flight: halve once per burst, not once
        # per answer. A request started before the last decrease (an older epoch) does not decrease again.
        self._epoch = 0
        self._condition = threading.Condition()
        self._sleep = sleep
        self._async_sleep = async_sleep
        # Who waits for a slot, in order: a thread (_ThreadWaiter, waiting on the condition) or a coroutine (a
        # future on its loop). A slot freed is handed over: counted in flight for the waiter before it runs.
        self._waiters: collections.deque[_ThreadWaiter | tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = (
            collections.deque()
        )
        # Per thread, and per task on an event loop (a context variable is both): see _Request.
        self._request: contextvars.ContextVar[_Request] = contextvars.ContextVar(f"limiter-{id(self)}")

    @property
    def limit(self) -> int:
        return self._limit

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def peak_in_flight(self) -> int:
        """The most requests that were ever in flight together (for tests and benchmarks)."""
        return self._peak_in_flight

    def _current(self) -> _Request:
        return self._request.get(None) or _Request(epoch=self._epoch)

    def _pause(self) -> float:
        """How long a request starting now holds back: the server asked everyone to pause, not only the one told."""
        with self._condition:
            pause = self._paused_until - time.monotonic()
            excused = self._current().excused_until >= self._paused_until
        return pause if pause > 0 and not excused else 0.0

    def _take(self) -> None:
        # Called holding the lock, for the caller or for the waiter a slot is handed to.
        self._in_flight += 1
        self._peak_in_flight = max(self._peak_in_flight, self._in_flight)

    def _started(self) -> None:
        self._request.set(replace(self._current(), epoch=self._epoch))

    def _free(self) -> bool:
        # Called holding the lock: a newcomer takes a slot only when nobody waits for one.
        return self._in_flight < self._limit and not self._waiters

    def acquire(self) -> None:
        pause = self._pause()
        if pause:
            self._sleep(pause)
        with self._condition:
            if self._free():
                self._take()
            else:
                waiter = _ThreadWaiter()
                self._waiters.append(waiter)
                while not waiter.granted:
                    self._condition.wait()
        self._started()

    async def acquire_async(self) -> None:
        pause = self._pause()
        if pause:
            await self._async_sleep(pause)
        loop = asyncio.get_running_loop()
        with self._condition:
            if self._free():
                self._take()
                waiter = None
            else:
                waiter = loop.create_future()
                self._waiters.append((loop, waiter))
        if waiter is not None:
            try:
                await waiter
            except asyncio.CancelledError:
                with self._condition:
                    if (loop, waiter) in self._waiters:
                        self._waiters.remove((loop, waiter))
                    elif waiter.done() and not waiter.cancelled():  # handed a slot it will not use
                        self._in_flight -= 1
                        self._hand_over()
                raise
        self._started()

    def release(self) -> None:
        with self._condition:
            self._in_flight -= 1
            self._hand_over()

    def _hand_over(self) -> None:
        """Hand the free slots to the longest waiting (called holding the lock)."""
        granted_thread = False
        while self._in_flight < self._limit and self._waiters:
            waiter = self._waiters.popleft()
            if isinstance(waiter, _ThreadWaiter):
                self._take()
                waiter.granted = granted_thread = True
                continue
            loop, future = waiter
            if future.done():  # cancelled while it waited
                continue
            self._take()
            if _running_loop() is loop:
                future.set_result(None)
            else:
                loop.call_soon_threadsafe(_set_done, future)
        if granted_thread:
            self._condition.notify_all()

    @contextmanager
    def slot(self) -> Iterator[None]:
        self.acquire()
        try:
            yield
        finally:
            self.release()

    @asynccontextmanager
    async def slot_async(self) -> AsyncIterator[None]:
        await self.acquire_async()
        try:
            yield
        finally:
            self.release()

    def record_success(self) -> None:
        with self._condition:
            self._successes += 1
            if self._successes >= self.increase_after and self._limit < self.maximum:
                self._limit += 1
                self._successes = 0
                self._hand_over()

    def record_rate_limited(self, retry_after: float | None) -> None:
        with self._condition:
            now = time.monotonic()
            self._successes = 0
            request = self._current()
            if request.epoch == self._epoch:
                self._limit = max(self.minimum, self._limit // 2)
                self._epoch += 1
            if retry_after:
                self._paused_until = max(self._paused_until, now + retry_after)
                self._request.set(replace(request, excused_until=self._paused_until))


@dataclass(slots=True)
class _ThreadWaiter:
    granted: bool = False


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:  # a thread without a loop
        return None


def _set_done(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


def fetch_concurrently(
    keys: Iterable[K],
    fetch: Callable[[K], V],
    *,
    max_workers: int,
    executor: Executor | None = None,
    thread_name_prefix: str = "http-fetch",
) -> Iterator[tuple[K, V]]:
    """Yield ``(key, fetch(key))`` for each distinct key, in the order the fetches complete.

    At most ``2 * max_workers`` fetches are queued at a time, so a list of a hundred thousand ids costs no
    more memory than a few dozen futures. The first fetch that raises cancels the rest and re-raises; closing
    the iterator early cancels what has not started and waits for what has.

    ``executor`` lends a pool that outlives the call (a gateway's, reused window after window, so the threads
    are not started again for every month); without it a pool of ``max_workers`` threads, named
    ``thread_name_prefix``, lives for the call.
    """
    remaining = iter(dict.fromkeys(keys))
    pool = executor or ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix=thread_name_prefix)
    pending: dict[Future[V], K] = {}
    # Each future reports itself here when done: O(1) per result, where ``wait(FIRST_COMPLETED)`` would hang a
    # waiter on every pending future for every single result.
    completed: queue.SimpleQueue[Future[V]] = queue.SimpleQueue()

    def refill() -> None:
        while len(pending) < 2 * max_workers:
            try:
                key = next(remaining)
            except StopIteration:
                return
            future = pool.submit(fetch, key)
            pending[future] = key
            future.add_done_callback(completed.put)

    try:
        refill()
        while pending:
            future = completed.get()
            key = pending.pop(future)
            yield key, future.result()
            refill()
    finally:
        if executor is None:
            pool.shutdown(wait=True, cancel_futures=True)
        else:
            for future in pending:
                future.cancel()
            wait(pending)
