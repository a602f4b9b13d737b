"""The retry policy of the shared HTTP base: which errors it retries, how long it pauses, how it reads Retry-After."""

from __future__ import annotations

import datetime as dt

import pytest

from integrations.errors import AuthenticationError, RateLimited, TransientError
from integrations.http import RetryPolicy, parse_retry_after


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("3", 3.0), (" 0 ", 0.0), ("1.5", 1.5), ("-4", 0.0), ("soon", None), (None, None), ("", None)],
)
def test_retry_after_in_seconds_is_read(header, seconds):
    assert parse_retry_after(header) == seconds


def test_retry_after_as_an_http_date_is_read_relative_to_now():
    now = dt.datetime(2025, 1, 1, 12, 0, 0, tzinfo=dt.UTC)

    assert parse_retry_after("Wed, 01 Jan 2025 12:00:30 GMT", now=now) == 30.0


def test_backoff_ceilings_grow_exponentially():
    policy = RetryPolicy(base_wait=1, max_wait=100)

    ceilings = [max(policy.wait_seconds(attempt, TransientError()) for _ in range(200)) for attempt in (1, 2, 3)]

    assert ceilings[0] <= 1 < ceilings[1] <= 2 < ceilings[2] <= 4


def test_retry_after_replaces_the_backoff_and_is_capped():
    policy = RetryPolicy(max_retry_after=60)

    assert policy.wait_seconds(1, RateLimited(retry_after=7)) == 7
    assert policy.wait_seconds(1, RateLimited(retry_after=86400)) == 60


def test_transient_errors_are_tried_again_until_the_attempts_run_out_with_the_policys_sleep():
    pauses: list[float] = []
    attempts: list[int] = []
    policy = RetryPolicy(attempts=3, base_wait=0.01, max_wait=0.02, sleep=pauses.append)

    def operation(attempt: int) -> str:
        attempts.append(attempt)
        raise TransientError("down")

    with pytest.raises(TransientError):
        policy.run(operation)

    assert attempts == [1, 2, 3]
    assert len(pauses) == 2 and all(0 <= pause <= 0.02 for pause in pauses)


def test_a_refusal_is_final_at_once():
    attempts: list[int] = []

    def operation(attempt: int) -> str:
        attempts.append(attempt)
        raise AuthenticationError("refused")

    with pytest.raises(AuthenticationError):
        RetryPolicy(sleep=lambda _: None).run(operation)

    assert attempts == [1]


def test_the_first_success_is_the_result():
    answers = iter([TransientError("down"), "ok"])

    def operation(attempt: int) -> str:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return f"{answer} at attempt {attempt}"

    assert RetryPolicy(sleep=lambda _: None).run(operation) == "ok at attempt 2"
