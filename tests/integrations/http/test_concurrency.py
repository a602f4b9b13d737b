"""The adaptive limiter and the concurrent fetch of the shared HTTP base, on their own."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from integrations.http import AdaptiveLimiter, fetch_concurrently


def test_the_limiter_starts_at_its_maximum():
    assert AdaptiveLimiter(8).limit == 8


def test_a_429_halves_the_limit():
    limiter = AdaptiveLimiter(8, sleep=lambda _: None)
    with limiter.slot():
        pass

    limiter.record_rate_limited(None)

    assert limiter.limit == 4


def test_a_burst_of_429s_for_requests_already_in_flight_halves_only_once():
    limiter = AdaptiveLimiter(8, sleep=lambda _: None)
    barrier = threading.Barrier(4)

    def request_that_meets_a_429():
        with limiter.slot():
            barrier.wait()  # all four were in flight before the first answer came
            limiter.record_rate_limited(None)

    threads = [threading.Thread(target=request_that_meets_a_429) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert limiter.limit == 4


def test_the_limit_never_falls_below_the_minimum():
    limiter = AdaptiveLimiter(4, minimum=2, sleep=lambda _: None)

    for _ in range(5):
        with limiter.slot():
            pass
        limiter.record_rate_limited(None)

    assert limiter.limit == 2


def test_sustained_success_raises_the_limit_again_up_to_the_maximum():
    limiter = AdaptiveLimiter(4, increase_after=3, sleep=lambda _: None)
    with limiter.slot():
        pass
    limiter.record_rate_limited(None)

    for _ in range(30):
        limiter.record_success()

    assert limiter.limit == 4


def test_other_threads_hold_back_for_retry_after_but_the_told_thread_does_not_wait_twice():
    pauses: list[float] = []
    limiter = AdaptiveLimiter(4, sleep=pauses.append)
    with limiter.slot():
        pass
    limiter.record_rate_limited(30)

    limiter.acquire()  # the thread that was told: its retry policy already waits
    limiter.release()
    other = threading.Thread(target=lambda: (limiter.acquire(), limiter.release()))
    other.start()
    other.join()

    assert len(pauses) == 1 and 29 < pauses[0] <= 30


def test_fetch_concurrently_fetches_each_distinct_key_once():
    seen: list[int] = []
    lock = threading.Lock()

    def fetch(key: int) -> int:
        with lock:
            seen.append(key)
        return key * 10

    results = dict(fetch_concurrently([3, 1, 2, 3, 1, 4], fetch, max_workers=3))

    assert results == {1: 10, 2: 20, 3: 30, 4: 40}
    assert sorted(seen) == [1, 2, 3, 4]


def test_fetch_concurrently_yields_results_as_they_complete():
    def fetch(key: float) -> float:
        time.sleep(key)
        return key

    order = [key for key, _ in fetch_concurrently([0.3, 0.0, 0.15], fetch, max_workers=3)]

    assert order == [0.0, 0.15, 0.3]


def test_fetch_concurrently_never_runs_more_than_its_workers():
    running, peak = 0, 0
    lock = threading.Lock()

    def fetch(key: int) -> int:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.005)
        with lock:
            running -= 1
        return key

    list(fetch_concurrently(range(60), fetch, max_workers=5))

    assert peak <= 5


def test_the_first_failure_stops_the_fetch_and_is_raised():
    started: list[int] = []

    def fetch(key: int) -> int:
        started.append(key)
        if key == 2:
            raise ValueError("boom")
        time.sleep(0.01)
        return key

    with pytest.raises(ValueError, match="boom"):
        list(fetch_concurrently(range(1000), fetch, max_workers=2))

    assert len(started) < 100


def test_fetch_concurrently_can_reuse_a_pool_that_outlives_the_call():
    with ThreadPoolExecutor(max_workers=3) as pool:
        first = dict(fetch_concurrently([1, 2, 3], lambda key: key * 10, max_workers=3, executor=pool))
        second = dict(fetch_concurrently([4, 5], lambda key: key * 10, max_workers=3, executor=pool))

        assert first == {1: 10, 2: 20, 3: 30}
        assert second == {4: 40, 5: 50}
        assert pool.submit(lambda: "still open").result() == "still open"


def test_closing_the_fetch_early_waits_for_running_fetches_and_cancels_the_rest_of_a_lent_pool():
    started: list[int] = []
    lock = threading.Lock()

    def fetch(key: int) -> int:
        with lock:
            started.append(key)
        time.sleep(0.02)
        return key

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = fetch_concurrently(range(100), fetch, max_workers=2, executor=pool)
        next(results)
        results.close()
        count = len(started)
        time.sleep(0.05)

        assert len(started) == count  # nothing started after the close returned
        assert count <= 6
