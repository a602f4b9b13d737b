"""The event loop beside a synchronous caller: many fetches at once on one thread, and the limiter's budget shared
between threads and coroutines."""

from __future__ import annotations

import asyncio
import os
import threading

import certifi
import pytest
import urllib3
from aiohttp import web

from integrations.errors import GarbledResponse, TransientError
from integrations.http import AdaptiveLimiter, CallCounter, HttpTransport, RetryPolicy, Timeouts
from integrations.http.aio import EventLoopThread, fetch_many, process_loop
from integrations.http.transport import AsyncSender


@pytest.fixture
def runner():
    runner = EventLoopThread("test-loop")
    yield runner
    runner.close()


def test_fetch_many_fetches_each_distinct_key_once_and_yields_them_all(runner):
    calls: list[int] = []

    async def fetch(key: int) -> int:
        calls.append(key)
        await asyncio.sleep(0.001 * (key % 3))
        return key * 10

    got = dict(fetch_many([1, 2, 2, 3, 1, 4], fetch, runner=runner, max_in_flight=4))

    assert got == {1: 10, 2: 20, 3: 30, 4: 40}
    assert sorted(calls) == [1, 2, 3, 4]


def test_fetch_many_yields_results_as_they_complete(runner):
    async def fetch(key: int) -> int:
        await asyncio.sleep(0.05 if key == 1 else 0)
        return key

    assert [key for key, _ in fetch_many([1, 2, 3], fetch, runner=runner, max_in_flight=4)] == [2, 3, 1]


def test_threads_and_coroutines_wait_in_one_queue_first_come_first_served(runner):
    limiter = AdaptiveLimiter(1)
    order: list[str] = []
    holding = threading.Event()

    async def hold_then_release() -> None:
        await limiter.acquire_async()
        holding.set()
        while len(limiter._waiters) < 2:  # the thread, then the coroutine below, queue behind it
            await asyncio.sleep(0.001)
        limiter.release()

    def thread() -> None:
        holding.wait()
        with limiter.slot():
            order.append("thread")

    async def late_coroutine() -> None:
        while not limiter._waiters:
            await asyncio.sleep(0.001)
        async with limiter.slot_async():
            order.append("coroutine")

    worker = threading.Thread(target=thread)
    worker.start()

    async def both() -> None:
        await asyncio.gather(hold_then_release(), late_coroutine())

    runner.run(both())
    worker.join()

    assert order == ["thread", "coroutine"]
    assert limiter.in_flight == 0


def test_the_first_failure_stops_the_fetch_and_is_raised_in_the_caller(runner):
    limiter = AdaptiveLimiter(4)
    started: list[int] = []

    async def fetch(key: int) -> int:
        async with limiter.slot_async():
            started.append(key)
            if key == 3:
                raise TransientError("down", status=503)
            await asyncio.sleep(0.01)
        return key

    with pytest.raises(TransientError):
        list(fetch_many(range(100), fetch, runner=runner, max_in_flight=4))
    assert len(started) < 100
    assert limiter.in_flight == 0  # the cancelled fetches gave back their slots, and those waiting took none


def test_closing_the_fetch_early_cancels_what_is_in_flight(runner):
    cancelled = threading.Event()

    async def fetch(key: int) -> int:
        if key == 0:
            return key
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return key

    fetched = fetch_many(range(5), fetch, runner=runner, max_in_flight=4)
    assert next(fetched) == (0, 0)
    fetched.close()

    assert cancelled.is_set()


def test_an_empty_list_fetches_nothing_and_starts_no_loop(runner):
    async def fetch(key: int) -> int:
        raise AssertionError("not called")

    assert list(fetch_many([], fetch, runner=runner, max_in_flight=4)) == []
    assert not runner.running


def test_threads_and_coroutines_share_the_limiters_budget(runner):
    limiter = AdaptiveLimiter(2)
    peak = 0
    lock = threading.Lock()
    in_flight = 0

    def count(step: int) -> None:
        nonlocal in_flight, peak
        with lock:
            in_flight += step
            peak = max(peak, in_flight)

    async def coroutine_request(key: int) -> int:
        async with limiter.slot_async():
            count(1)
            await asyncio.sleep(0.005)
            count(-1)
        return key

    def thread_requests() -> None:
        for _ in range(20):
            with limiter.slot():
                count(1)
                threading.Event().wait(0.005)
                count(-1)

    threads = [threading.Thread(target=thread_requests) for _ in range(2)]
    for thread in threads:
        thread.start()
    assert len(list(fetch_many(range(40), coroutine_request, runner=runner, max_in_flight=4))) == 40
    for thread in threads:
        thread.join()

    assert peak == 2 == limiter.peak_in_flight
    assert limiter.in_flight == 0


def test_a_429_met_by_a_coroutine_pauses_the_threads_but_not_the_coroutine_again(runner):
    pauses: list[float] = []
    async_pauses: list[float] = []

    async def no_wait(seconds: float) -> None:
        async_pauses.append(seconds)

    limiter = AdaptiveLimiter(4, sleep=pauses.append, async_sleep=no_wait)

    async def told() -> None:
        async with limiter.slot_async():
            pass
        limiter.record_rate_limited(30)
        async with limiter.slot_async():  # this task was told: its retry policy waits, the limiter does not
            pass

    runner.run(told())
    assert async_pauses == []
    assert limiter.limit == 2
    with limiter.slot():  # a thread that was not told holds back
        pass
    assert len(pauses) == 1 and 29 < pauses[0] <= 30


class _Server:
    """An aiohttp server on the test's loop thread answering from a script of (status, body) replies."""

    def __init__(self, runner: EventLoopThread, replies: list[tuple[int, bytes]]) -> None:
        self.replies = list(replies)
        self.requests = 0

        async def handle(request: web.Request) -> web.Response:
            self.requests += 1
            status, body = self.replies.pop(0) if self.replies else (200, b'{"ok": true}')
            return web.Response(status=status, body=body, content_type="application/json")

        async def start() -> str:
            app = web.Application()
            app.router.add_get("/{tail:.*}", handle)
            self._runner = web.AppRunner(app, access_log=None)
            await self._runner.setup()
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            await site.start()
            port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            return f"http://127.0.0.1:{port}"

        self.url = runner.run(start())

    async def stop(self) -> None:
        await self._runner.cleanup()


def _transport(counter: CallCounter) -> HttpTransport:
    async def no_wait(_: float) -> None:
        return None

    retry = RetryPolicy(attempts=3, sleep=lambda _: None, async_sleep=no_wait)
    return HttpTransport(
        protocol="rest",
        session=urllib3.PoolManager(),
        timeouts=Timeouts(connect=2, read=5),
        retry=retry,
        limiter=AdaptiveLimiter(4, async_sleep=no_wait),
        counter=counter,
        async_sender=AsyncSender(4, ca_bundle=certifi.where(), proxy=None),
    )


def test_send_async_retries_a_5xx_and_counts_every_attempt(runner):
    server = _Server(runner, [(503, b""), (200, b'{"id": 1}')])
    counter = CallCounter()
    transport = _transport(counter)
    try:
        answer = runner.run(transport.send_async("GET", server.url + "/v1/thing/1", endpoint="/v1/thing/{id}"))
    finally:
        runner.run(transport.async_sender.close())
        runner.run(server.stop())

    assert answer.status_code == 200 and answer.json() == {"id": 1}
    assert server.requests == 2
    assert counter.snapshot() == {"GET /v1/thing/{id}": 2}


def test_send_async_gives_a_garbled_answer_when_every_attempt_is_unreadable(runner):
    server = _Server(runner, [(200, b"<html>")] * 3)
    transport = _transport(CallCounter())
    try:
        with pytest.raises(GarbledResponse):
            runner.run(
                transport.send_async(
                    "GET", server.url + "/x", endpoint="/x", readable=lambda r: r.content.startswith(b"{")
                )
            )
    finally:
        runner.run(transport.async_sender.close())
        runner.run(server.stop())
    assert server.requests == 3


def test_send_async_turns_a_refused_connection_into_a_transient_error(runner):
    transport = _transport(CallCounter())
    try:
        with pytest.raises(TransientError):
            runner.run(transport.send_async("GET", "http://127.0.0.1:9/nothing", endpoint="/nothing"))
    finally:
        runner.run(transport.async_sender.close())


def test_the_process_loop_is_one_for_every_thread_and_a_forked_child_starts_its_own():
    ours = process_loop()
    seen: list[EventLoopThread] = []
    thread = threading.Thread(target=lambda: seen.append(process_loop()))
    thread.start()
    thread.join()
    assert seen == [ours]
    assert ours.run(asyncio.sleep(0, result="here")) == "here"

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: the parent's loop thread did not come along, so it must not be handed that loop
        try:
            child = process_loop()
            works = child is not ours and child.run(asyncio.sleep(0, result="there")) == "there"
            os.write(write, b"1" if works else b"0")
        finally:
            os._exit(0)
    os.close(write)
    answer = os.read(read, 1)
    os.waitpid(pid, 0)
    assert answer == b"1"
