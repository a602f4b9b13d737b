"""Fixtures for the e-Boekhouden client tests: fast retries, a fake clock, REST mocks and captured log events."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import responses
import structlog

from eboekhouden.client import ApiTokenCredentials, RetryPolicy, Timeouts
from eboekhouden.client.rest import RestClient, RestGateway
from tests.pool_mock import PoolMock, pool_mock

BASE = "https://api.test"
API_TOKEN = "api-token-8f3a1c9e5d7b42f0a6c1e3d5b7f9a2c4"
SESSION_TOKEN = "session-token-0d9c8b7a6f5e4d3c2b1a"


class Sleeps(list):
    """Records the pauses the retry policy asked for instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def _structlog_reaches_stdlib() -> None:
    # Django's settings route structlog into stdlib logging; without them (``-p no:django``) do the same here,
    # so caplog sees every event either way.
    if not structlog.is_configured():
        structlog.configure(
            processors=[structlog.stdlib.render_to_log_kwargs],
            logger_factory=structlog.stdlib.LoggerFactory(),
            wrapper_class=structlog.stdlib.BoundLogger,
        )


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def fast_retry(sleeps: Sleeps) -> RetryPolicy:
    return RetryPolicy(attempts=4, base_wait=0.01, max_wait=0.05, max_retry_after=5, sleep=sleeps)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def mocked() -> Iterator[PoolMock]:
    """Answers for the REST client, which sends on urllib3's pool."""
    with pool_mock() as mock:
        yield mock


@pytest.fixture
def soap_mocked() -> Iterator[responses.RequestsMock]:
    """Answers for the SOAP client, which sends through zeep's requests session."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def session_answer(token: str = SESSION_TOKEN, expires_in: int = 3600) -> dict[str, Any]:
    return {"token": token, "expiresIn": expires_in}


def list_answer(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"items": items, "count": len(items)}


@pytest.fixture
def make_client(fast_retry: RetryPolicy, clock: FakeClock) -> Iterator[Callable[..., RestClient]]:
    made: list[RestClient] = []

    def make(**options: Any) -> RestClient:
        options.setdefault("retry", fast_retry)
        options.setdefault("clock", clock)
        options.setdefault("timeouts", Timeouts(connect=1, read=2))
        client = RestClient(ApiTokenCredentials(options.pop("token", API_TOKEN)), base_url=BASE, **options)
        made.append(client)
        return client

    yield make


@pytest.fixture
def gateway(make_client: Callable[..., RestClient], mocked: PoolMock) -> RestGateway:
    """A REST gateway against ``mocked``, with a session that opens without trouble."""
    mocked.post(f"{BASE}/v1/session", json=session_answer())
    mocked.delete(f"{BASE}/v1/session", status=204)
    return RestGateway(make_client())


def request_events(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """The ``eboekhouden.request`` events captured, as dicts, whichever way structlog reached stdlib."""
    found = []
    for record in caplog.records:
        msg = record.msg
        event = dict(msg) if isinstance(msg, dict) else {**record.__dict__, "event": record.getMessage()}
        if event.get("event") == "eboekhouden.request":
            found.append(event)
    return found


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    """All captured log text, fields included."""
    parts = [caplog.text]
    for record in caplog.records:
        parts.append(repr(record.msg))
        parts.append(repr({k: v for k, v in record.__dict__.items() if k not in {"msg", "args"}}))
    return "\n".join(parts)


def body_of(call: Any) -> dict[str, Any]:
    return json.loads(call.request.body)
