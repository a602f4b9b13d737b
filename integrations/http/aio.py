"""Many requests at once on one thread: an asyncio event loop beside a synchronous sync, and the bridge to it.

A first import makes one detail call per record, tens of thousands of them, 32 in flight. On threads each call costs
about 0.6 ms of CPU (a thread per request handing the GIL, the executor's and the queues' wake-ups) against 0.2 ms
as a coroutine on an event loop, and the CPU is what the import's writing thread waits for: measured on a first
import of 20,000 mutations against its API floor, see bench/README.md.

The rest of a sync stays synchronous (Django's ORM, the streams): :class:`EventLoopThread` runs a loop on a thread of
its own, and :func:`fetch_many` runs a coroutine per key on it with a bounded number of them at once, handing the
results to the calling thread as they complete, as :func:`.concurrency.fetch_concurrently` does with threads. The
clients of a process share one loop (:func:`process_loop`): a worker runs a sync per thread, and a loop each was as
many more threads taking turns at the interpreter, each waking for its own few requests.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import queue
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Iterator
from typing import Any, TypeVar

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")

_DONE = object()


def _new_loop() -> asyncio.AbstractEventLoop:
    """uvloop's event loop (libuv's): the fetch's sockets, timers and wake-ups cost about a tenth less of the worker's
    CPU per call than on asyncio's own loop (bench/fleet.py, one worker: 0.71 against 0.79 ms). asyncio's where
    uvloop is not installed (it is not built for Windows)."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - every platform Monitr is deployed on has it
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


class EventLoopThread:
    """An asyncio event loop running on a daemon thread of its own, started on first use, until :meth:`close`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = _new_loop()
                thread = threading.Thread(target=loop.run_forever, name=self.name, daemon=True)
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    @property
    def running(self) -> bool:
        return self._loop is not None

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` on the loop and wait for its result (from any thread but the loop's own)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def release(self, cleanup: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run ``cleanup`` on the loop, if it was ever started, and leave the loop running for its other users."""
        if self._loop is not None:
            self.run(cleanup())

    def close(self) -> None:
        """Stop the loop and its thread (a loop of its own, not :func:`process_loop`'s, which lives as long as the
        process). Safe twice."""
        with self._lock:
            loop, thread, self._loop, self._thread = self._loop, self._thread, None, None
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


_process_loops: dict[int, EventLoopThread] = {}
_process_loops_lock = threading.Lock()


def process_loop() -> EventLoopThread:
    """The process's event loop for fetches, shared by all its clients, started on first use and kept for the
    process's life (its thread is a daemon). Each client closes its own connections on it (:meth:`EventLoopThread.
    release`). A process forked from one that had started it (a prefork pool's child) starts its own: a loop's thread
    does not survive a fork."""
    pid = os.getpid()
    with _process_loops_lock:
        runner = _process_loops.get(pid)
        if runner is None:
            _process_loops.clear()
            runner = _process_loops[pid] = EventLoopThread("monitr-fetch")
        return runner


def fetch_many(
    keys: Iterable[K],
    fetch: Callable[[K], Awaitable[V]],
    *,
    runner: EventLoopThread,
    max_in_flight: int,
) -> Iterator[tuple[K, V]]:
    """Yield ``(key, await fetch(key))`` for each distinct key, in the order the fetches complete.

    ``max_in_flight`` coroutines take the keys in turn, so no more fetches are started than can be answered at once
    (the limiter each request waits for bounds what is in flight overall; a task per key, all started at once,
    measured slower: a month's keys each a task waiting in the limiter's queue). The first fetch that raises cancels
    the rest and its error is raised here; closing the iterator early cancels what is in flight and returns once it
    has stopped. The keys are read here, in the calling thread.
    """
    pending = list(dict.fromkeys(keys))
    if not pending:
        return
    results: queue.SimpleQueue[Any] = queue.SimpleQueue()
    stopped = threading.Event()

    async def pump() -> None:
        taken = iter(pending)

        async def worker() -> None:
            # The loop runs one coroutine at a time, so the workers share the iterator without a lock.
            for key in taken:
                results.put((key, await fetch(key), None))

        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(min(max_in_flight, len(pending))):
                    group.create_task(worker())
        except* Exception as failed:  # the first failure; the group cancelled the other workers
            results.put((None, None, _first(failed)))
        finally:
            results.put(_DONE)

    async def start() -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(pump())
        # Set once the task has ended, cancelled or not, even if cancelled before its first step.
        task.add_done_callback(lambda _: stopped.set())
        return task

    task = runner.run(start())
    try:
        for item in iter(results.get, _DONE):
            key, value, error = item
            if error is not None:
                raise error
            yield key, value
    finally:
        runner.loop.call_soon_threadsafe(task.cancel)
        stopped.wait()


def _first(group: BaseExceptionGroup[Exception]) -> Exception:
    leaves = itertools.chain.from_iterable(
        [_first(e)] if isinstance(e, BaseExceptionGroup) else [e] for e in group.exceptions
    )
    return next(leaves)
