"""The budget every worker process shares towards a source (integrations.http.budget), on the suite's Redis: its
caps hold across processes, a 429 anyone meets slows everyone, a killed process's slots come back, priorities order
the waiting requests, and an unreachable Redis is a transient error."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import itertools
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings

from integrations.errors import TransientError
from integrations.http.budget import FIRST_IMPORT, MANUAL, SCHEDULED, BudgetLimits, SharedBudget

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="the shared budget lives in Redis")

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def source() -> str:
    """A source name of this test's own, so no other test's slots or limit are in its budget."""
    name = f"test-{uuid.uuid4().hex[:8]}"
    yield name
    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(f"monitr:budget:{name}:*"):
        client.delete(key)


def budget(source: str, kind: type[SharedBudget] = SharedBudget, **limits) -> SharedBudget:
    options = {"ttl": limits.pop("ttl", 15.0)}
    client = redis.Redis.from_url(settings.REDIS_URL)
    return kind(source, BudgetLimits(**{"total": 4, "per_key": 4, **limits}), client=client, **options)


class Gauge:
    """Requests in flight at once, as the source would count them."""

    def __init__(self) -> None:
        self.now = self.peak = 0
        self.lock = threading.Lock()

    def __enter__(self):
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)

    def __exit__(self, *exc):
        with self.lock:
            self.now -= 1


def hammer(shared: SharedBudget, gauge: Gauge, *, threads: int, each: int, key=lambda n: "k", hold=0.01) -> None:
    def work(n: int) -> None:
        for _ in range(each):
            with shared.slot(key(n)), gauge:
                time.sleep(hold)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)


def test_at_most_total_in_flight_and_per_key(source):
    shared = budget(source, total=5, per_key=2)
    gauge, per_key = Gauge(), {name: Gauge() for name in "abc"}

    def work(n: int) -> None:
        name = "abc"[n % 3]
        for _ in range(8):
            with shared.slot(name), gauge, per_key[name]:
                time.sleep(0.01)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(12)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert gauge.peak == 5  # three keys of two each could reach six: the total holds it to five
    assert max(g.peak for g in per_key.values()) == 2
    deadline = time.monotonic() + 2
    while shared.state().in_flight and time.monotonic() < deadline:  # the last slots go back as the pump runs
        time.sleep(0.01)
    state = shared.state()
    assert (state.in_flight, state.limit, state.total, state.per_key) == (0, 5, 5, 2)


def test_coroutines_and_threads_draw_on_one_budget(source):
    shared = budget(source, total=3)
    gauge = Gauge()

    async def fetch_all() -> None:
        async def one() -> None:
            async with shared.slot_async("k"):
                with gauge:
                    await asyncio.sleep(0.01)

        await asyncio.gather(*(one() for _ in range(30)))

    thread = threading.Thread(target=hammer, args=(shared, gauge), kwargs={"threads": 4, "each": 5})
    thread.start()
    # On a thread of its own: a browser test earlier in the session may leave an event loop running in this one.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, fetch_all()).result()
    thread.join()
    assert gauge.peak == 3


def test_waiting_requests_go_in_order_of_priority(source):
    shared = budget(source, total=1)
    order: list[int] = []
    with shared.slot("k"):
        waiters = []
        for priority in (SCHEDULED, FIRST_IMPORT, MANUAL):

            def wait(priority=priority):
                with shared.slot("k", priority):
                    order.append(priority)

            waiters.append(threading.Thread(target=wait))
            waiters[-1].start()
            time.sleep(0.05)  # queued one after the other, the nightly run's first
    for waiter in waiters:
        waiter.join(timeout=5)
    assert order == [MANUAL, FIRST_IMPORT, SCHEDULED]


def test_the_most_senior_sync_goes_first_within_its_priority_up_to_three_quarters_of_the_share(source):
    shared = budget(source, total=8, per_key=8)
    served: list[str] = []
    done = threading.Event()
    stack = contextlib.ExitStack()
    stack.enter_context(shared.slot("senior"))  # began asking first
    juniors = [stack.enter_context(contextlib.ExitStack()) for _ in range(7)]
    for junior in juniors:
        junior.enter_context(shared.slot("junior"))

    def wait(key: str) -> None:
        with shared.slot(key):
            served.append(key)
            done.wait(10)

    # Three of a later sync first, then seven of the senior one: five of those (with the slot it holds, six: three
    # quarters of the share of eight) go before the later sync's, the other two after them.
    waiters = [threading.Thread(target=wait, args=(key,)) for key in ["later"] * 3 + ["senior"] * 7]
    for waiter in waiters:
        waiter.start()
        time.sleep(0.02)
    for junior in juniors:  # one slot free at a time
        junior.close()
        time.sleep(0.15)
    try:
        assert served == ["senior"] * 5 + ["later"] * 2
    finally:
        done.set()
        stack.close()
        for waiter in waiters:
            waiter.join(timeout=10)
    assert sorted(served) == ["later"] * 3 + ["senior"] * 7  # the rest once slots came back


def test_a_run_that_started_earlier_is_the_senior_in_any_process_its_slice_lands_in(source):
    # A run's next slice on another worker: its key asks for the first time in this process, after a sync that
    # started later has been asking here for a while. The run's start decides, not the first request here.
    shared = budget(source, total=4, per_key=4)
    started = time.time()
    served: list[str] = []
    done = threading.Event()
    stack = contextlib.ExitStack()
    held = [stack.enter_context(contextlib.ExitStack()) for _ in range(4)]
    for slot in held:
        slot.enter_context(shared.slot("here-first", FIRST_IMPORT, since=started))

    def wait(key: str, since: float) -> None:
        with shared.slot(key, FIRST_IMPORT, since=since):
            served.append(key)
            done.wait(10)

    waiters = [threading.Thread(target=wait, args=("here-first", started)) for _ in range(2)]
    waiters += [threading.Thread(target=wait, args=("resumed", started - 600)) for _ in range(2)]
    for waiter in waiters:
        waiter.start()
        time.sleep(0.02)
    for slot in held[:2]:  # two slots free
        slot.close()
        time.sleep(0.15)
    try:
        assert served == ["resumed"] * 2
    finally:
        done.set()
        stack.close()
        for waiter in waiters:
            waiter.join(timeout=10)
    assert sorted(served) == ["here-first"] * 2 + ["resumed"] * 2


# A worker process of its own: takes slots of the shared budget for a while and counts what is in flight at the
# "source" in Redis, so two processes' requests are counted together.
PROCESS = textwrap.dedent(
    """
    import sys, threading, time, redis
    from integrations.http.budget import BudgetLimits, SharedBudget
    url, source, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    client = redis.Redis.from_url(url)
    shared = SharedBudget(source, BudgetLimits(total=6, per_key=6), client=client, ttl=1.0)
    gauge = f"monitr:budget:{source}:test-gauge"
    peak = f"monitr:budget:{source}:test-peak"
    raise_peak = client.register_script(
        "if tonumber(redis.call('GET', KEYS[1]) or 0) < tonumber(ARGV[1]) then "
        "redis.call('SET', KEYS[1], ARGV[1]) end"
    )
    def work():
        for _ in range(25):
            with shared.slot("k"):
                raise_peak(keys=[peak], args=[client.incr(gauge)])
                time.sleep(0.02)
                client.decr(gauge)
    if mode == "hold":  # take four slots and keep them until killed
        slots = [shared.slot("k") for _ in range(4)]
        for s in slots:
            s.__enter__()
        print("holding", flush=True)
        time.sleep(600)
    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads: t.start()
    for t in threads: t.join()
    print("limit", shared.limit, flush=True)
    """
)


def spawn(source: str, mode: str) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "monitr.settings", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", PROCESS, settings.REDIS_URL, source, mode],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def test_two_processes_together_stay_within_the_budget(source):
    first, second = spawn(source, "work"), spawn(source, "work")
    outputs = [process.communicate(timeout=60)[0] for process in (first, second)]
    assert all(process.returncode == 0 for process in (first, second)), outputs
    client = redis.Redis.from_url(settings.REDIS_URL)
    # 16 threads in two processes wanted 16 slots at once: the source never saw more than the budget's 6.
    assert int(client.get(f"monitr:budget:{source}:test-peak")) == 6


def test_a_429_in_one_process_slows_the_other(source):
    mine = budget(source, total=8, increase_after=1000)
    with mine.slot("k") as ticket:
        pass
    other = budget(source, total=8, increase_after=1000)
    mine.rate_limited(ticket, 1.0)  # a burst of 429s, reported three times: halved once
    mine.rate_limited(ticket, 1.0)
    mine.rate_limited(ticket, 1.0)
    deadline = time.monotonic() + 2
    while mine.state().limit == 8 and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    with other.slot("k"):
        waited = time.monotonic() - started
    assert other.limit == 4  # the other process works with the halved limit
    assert 0.7 < waited < 2.0  # and waited out the Retry-After it never met itself
    state = other.state()
    assert state.limit == 4 and state.paused_for == 0


def test_a_killed_process_gives_its_slots_back(source):
    holder = spawn(source, "hold")
    assert holder.stdout.readline().strip() == "holding"
    shared = budget(source, total=6, per_key=6, ttl=1.0)
    assert shared.state().in_flight == 4
    os.killpg(holder.pid, signal.SIGKILL)
    holder.wait(timeout=10)
    started = time.monotonic()
    with contextlib.ExitStack() as held:
        for _ in range(6):
            held.enter_context(shared.slot("k"))
        # Six at once again: the dead process's four came back once it stopped renewing them (ttl 1 s).
        assert 0.5 < time.monotonic() - started < 5
        assert shared.state().in_flight == 6
        assert list(shared.state().processes.values()) == [6]


def test_the_rate_is_shared_too(source):
    shared = budget(source, total=10, rate=20)
    started = time.monotonic()
    hammer(shared, Gauge(), threads=4, each=10, hold=0)
    # 40 requests at 20 a second, a second's worth at once: about 1 s.
    assert 0.8 < time.monotonic() - started < 3


def test_an_unreachable_redis_is_a_transient_error(source):
    client = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    shared = SharedBudget(source, BudgetLimits(total=2, per_key=2), client=client)
    with pytest.raises(TransientError), shared.slot("k"):
        pass


class Counted(SharedBudget):
    """A budget that counts its calls to Redis."""

    exchanges = 0

    def _exchange(self, *args, **kwargs):
        self.exchanges += 1
        return super()._exchange(*args, **kwargs)


def counted(source: str, **limits) -> Counted:
    return budget(source, Counted, **limits)  # type: ignore[return-value]


@contextlib.contextmanager
def kept_busy(shared: SharedBudget, *, threads: int, gauge: Gauge, done: list[float] | None = None):
    """``threads`` threads sending requests of key "a" one after the other (5 ms each) until the block ends."""
    stop = threading.Event()

    def keep_busy() -> None:
        while not stop.is_set():
            with shared.slot("a"), gauge:
                if done is not None:
                    done.append(time.monotonic())
                time.sleep(0.005)

    workers = [threading.Thread(target=keep_busy) for _ in range(threads)]
    for worker in workers:
        worker.start()
    try:
        yield
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=5)


def test_a_running_sync_reuses_its_slots_without_asking_redis_each_time(source):
    shared, gauge = counted(source, total=4), Gauge()
    hammer(shared, gauge, threads=4, each=50, hold=0.002)
    assert gauge.peak == 4
    # 200 requests; each exchange is the first grants, a refresh every 50 ms, or the last slots given back.
    assert shared.exchanges < 60, shared.exchanges
    deadline = time.monotonic() + 2
    while shared.state().in_flight and time.monotonic() < deadline:  # idle slots go back after ``linger``
        time.sleep(0.01)
    assert shared.state().in_flight == 0


def test_a_process_reusing_its_slots_gives_back_its_share_when_another_waits(source):
    busy, late = counted(source, total=6, per_key=6), counted(source, total=6, per_key=6)
    gauge, late_gauge = Gauge(), Gauge()
    with kept_busy(busy, threads=6, gauge=gauge):
        time.sleep(0.3)
        assert busy.state().processes == {busy.process: 6}  # all of it, reused
        started = time.monotonic()
        hammer(late, late_gauge, threads=3, each=10, key=lambda n: "b", hold=0.02)
        # The latecomer got its three (6 shared by two) at once, within a few refreshes, not after the busy one.
        assert late_gauge.peak == 3
        assert time.monotonic() - started < 2
    assert gauge.peak <= 6


def test_a_process_may_use_what_another_leaves_while_none_waits(source):
    busy, light = counted(source, total=6, per_key=6), counted(source, total=6, per_key=6)
    gauge = Gauge()
    stop = threading.Event()
    asked = itertools.count()

    def one_at_a_time() -> None:
        # A key a request: every request asks Redis, and each is granted at once (the light process wants one slot).
        while not stop.is_set():
            with light.slot(f"light-{next(asked)}"):
                time.sleep(0.005)

    other = threading.Thread(target=one_at_a_time)
    other.start()
    try:
        with kept_busy(busy, threads=6, gauge=gauge):
            time.sleep(1.0)
        # Five of six (six while the light one's slot is between two requests), not half: the light process asks all
        # the time but is never refused, so it waits for nothing and holds the busy one to no share.
        assert gauge.peak >= 5
    finally:
        stop.set()
        other.join(timeout=5)
    assert next(asked) > 10


def test_only_requests_the_budget_refused_count_as_waiting_not_those_at_their_keys_cap(source):
    holder, asker = budget(source, total=2, per_key=1), budget(source, total=2, per_key=1)

    def waiting_after(key: str, seconds: float = 0.5) -> int:
        """Ask for a slot of ``key`` in the other process, let it wait ``seconds``, and read what the budget counts."""
        got = threading.Event()

        def ask() -> None:
            with asker.slot(key):
                got.set()

        thread = threading.Thread(target=ask)
        thread.start()
        time.sleep(seconds)
        state = asker.state()
        assert not got.is_set()
        return state.waiting_processes, state.waiting_requests, thread, got

    with contextlib.ExitStack() as held:
        held.enter_context(holder.slot("a"))
        # One slot of two is free, and the request waits for its key only: not for the budget.
        processes, requests, thread, got = waiting_after("a")
        assert (processes, requests) == (0, 0)
        held.close()
        thread.join(timeout=5)
        assert got.is_set()
    with contextlib.ExitStack() as held:
        held.enter_context(holder.slot("a"))
        held.enter_context(holder.slot("b"))
        processes, requests, thread, got = waiting_after("c")  # the budget is full: it waits for the budget
        assert (processes, requests) == (1, 1)
    thread.join(timeout=5)
    assert got.is_set()


def test_a_429_elsewhere_stops_the_reuse_at_once(source):
    busy, other = counted(source, total=4, increase_after=1000), counted(source, total=4, increase_after=1000)
    done: list[float] = []
    with kept_busy(busy, threads=4, gauge=Gauge(), done=done):
        time.sleep(0.2)
        with other.slot("b") as ticket:
            pass
        other.rate_limited(ticket, 1.0)
        reported = time.monotonic()
        time.sleep(0.6)
        # Within a refresh or two the busy process heard of the pause and sent nothing more until it ended.
        during = [moment for moment in done if reported + 0.2 < moment < reported + 0.6]
        assert during == []
        assert busy.limit == 2


def test_the_queues_keep_nothing_of_requests_that_are_done(source):
    # With a rate every slot goes back to Redis (each request takes a token): nothing is reused or handed over.
    for shared in (budget(source, total=4, rate=1000), budget(source, total=4)):
        hammer(shared, Gauge(), threads=6, each=10, key=lambda n: f"key-{n % 3}", hold=0.002)
        assert shared._waiting_by_key == {}
        assert all(ticket.state != "waiting" for ticket in shared._waiting)
