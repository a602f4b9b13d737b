"""Bounded, adaptive parallelism for an import's expensive part: a call per record (a provider's detail calls).

:class:`AdaptiveLimiter` gates every HTTP request of a client (AIMD): a 429 halves the number of requests
allowed in flight and pauses all of them for ``Retry-After``; a run of successes lets one more through, up to
the configured maximum. :func:`fetch_concurrently` runs a fetch per id in a thread pool sized to that maximum
(and to the HTTP connection pool), yields results as they complete, and fetches each id exactly once.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class AdaptiveLimiter:
    """How many requests may be in flight at once, lowered by rate limiting and raised by success."""

    def __init__(
        self,
        maximum: int,
        *,
        minimum: int = 1,
        increase_after: int = 20,
        sleep: Callable[[float], None] = time.sleep,
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
        # Per thread: the epoch its request started in, and until when it was told to wait (the thread that met
        # the 429 waits out Retry-After in its retry policy; it need not wait twice).
        self._local = threading.local()

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

    def acquire(self) -> None:
        with self._condition:
            pause = self._paused_until - time.monotonic()
            excused = getattr(self._local, "excused_until", float("-inf")) >= self._paused_until
        if pause > 0 and not excused:
            # Everyone holds back while the server asked for a pause, not only the thread that was told.
            self._sleep(pause)
        with self._condition:
            while self._in_flight >= self._limit:
                self._condition.wait()
            self._in_flight += 1
            self._peak_in_flight = max(self._peak_in_flight, self._in_flight)
            self._local.epoch = self._epoch

    def release(self) -> None:
        with self._condition:
            self._in_flight -= 1
            self._condition.notify_all()

    @contextmanager
    def slot(self) -> Iterator[None]:
        self.acquire()
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
                self._condition.notify_all()

    def record_rate_limited(self, retry_after: float | None) -> None:
        with self._condition:
            now = time.monotonic()
            self._successes = 0
            if getattr(self._local, "epoch", self._epoch) == self._epoch:
                self._limit = max(self.minimum, self._limit // 2)
                self._epoch += 1
            if retry_after:
                self._paused_until = max(self._paused_until, now + retry_after)
                self._local.excused_until = self._paused_until
            self._condition.notify_all()


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
