"""The shared HTTP transport: what it retries, what it raises in the provider's words, what it counts and logs, on
either connection pool it sends on (urllib3's, for the REST clients; a requests session, for zeep)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import responses
import urllib3
from urllib3.exceptions import ReadTimeoutError

from integrations.errors import AuthenticationError, GarbledResponse, RateLimited, TransientError
from integrations.http import (
    AdaptiveLimiter,
    CallCounter,
    FailureMessages,
    HttpTransport,
    RetryPolicy,
    Timeouts,
    new_pool,
    new_session,
)
from tests.pool_mock import pool_mock

BASE = "https://books.test"
MESSAGES = FailureMessages(
    transient="Books Online could not be reached.",
    rate_limited="Books Online is limiting requests.",
    garbled="Books Online sent an unreadable answer.",
)


class Recorder:
    """Stands in for the provider's logger: keeps each event with its fields."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def info(self, event: str, **fields: Any) -> None:
        self.events.append((event, fields))


@pytest.fixture(params=["pool", "session"])
def pool_kind(request) -> str:
    return request.param


def make_pool(kind: str, size: int):
    return new_pool(size, base_url=BASE) if kind == "pool" else new_session(size)


def read_timeout(kind: str) -> Exception:
    """What the pool's library raises when the answer does not come in time."""
    return ReadTimeoutError(None, BASE, "Read timed out.") if kind == "pool" else requests.exceptions.ReadTimeout()


@pytest.fixture
def mocked(pool_kind) -> Iterator[Any]:
    if pool_kind == "pool":
        with pool_mock() as mock:
            yield mock
    else:
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            yield mock


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def transport(sleeps, recorder, pool_kind) -> HttpTransport:
    retry = RetryPolicy(attempts=3, base_wait=0.01, max_wait=0.02, max_retry_after=5, sleep=sleeps.append)
    return HttpTransport(
        protocol="rest",
        session=make_pool(pool_kind, 4),
        timeouts=Timeouts(connect=1, read=1),
        retry=retry,
        limiter=AdaptiveLimiter(4, sleep=retry.sleep),
        counter=CallCounter(),
        messages=MESSAGES,
        logger=recorder,  # type: ignore[arg-type]
        event="books.request",
    )


def test_a_burst_of_5xx_is_retried_and_every_attempt_counted_and_logged(transport, mocked, recorder):
    mocked.get(f"{BASE}/items/7", status=502)
    mocked.get(f"{BASE}/items/7", json={"id": 7})

    response = transport.send("GET", f"{BASE}/items/7", endpoint="/items/{id}")

    assert response.json() == {"id": 7}
    assert transport.counter.snapshot() == {"GET /items/{id}": 2}
    assert [(event, f["path"], f["status"], f["attempt"], f["outcome"]) for event, f in recorder.events] == [
        ("books.request", "/items/{id}", 502, 1, "TransientError"),
        ("books.request", "/items/{id}", 200, 2, "ok"),
    ]
    assert all(f["protocol"] == "rest" and isinstance(f["duration_ms"], float) for _, f in recorder.events)


def test_the_log_never_holds_the_url_with_its_values(transport, mocked, recorder):
    mocked.get(f"{BASE}/items/7?token=secret-value-123", json={"id": 7})

    transport.send("GET", f"{BASE}/items/7?token=secret-value-123", endpoint="/items/{id}")

    assert "secret-value-123" not in repr(recorder.events)


def test_an_operation_is_counted_by_its_name(transport, mocked):
    mocked.post(f"{BASE}/rpc", body="<answer/>")

    transport.send("POST", f"{BASE}/rpc", endpoint="GetItems")

    assert transport.counter.snapshot() == {"GetItems": 1}


def test_5xx_that_outlasts_the_attempts_is_transient_in_the_providers_words(transport, mocked, sleeps):
    mocked.get(f"{BASE}/items", status=503)

    with pytest.raises(TransientError) as caught:
        transport.send("GET", f"{BASE}/items", endpoint="/items")

    assert caught.value.user_message == MESSAGES.transient
    assert (caught.value.status, caught.value.endpoint) == (503, "/items")
    assert len(sleeps) == 2


def test_a_429_waits_its_retry_after_capped_and_halves_the_parallelism(transport, mocked, sleeps):
    mocked.get(f"{BASE}/items", status=429, headers={"Retry-After": "86400"})
    mocked.get(f"{BASE}/items", json=[])

    transport.send("GET", f"{BASE}/items", endpoint="/items")

    assert sleeps == [5.0]
    assert transport.limiter.limit == 2


def test_a_429_that_outlasts_the_attempts_is_rate_limited_with_its_advice(transport, mocked):
    mocked.get(f"{BASE}/items", status=429, headers={"Retry-After": "2"})

    with pytest.raises(RateLimited) as caught:
        transport.send("GET", f"{BASE}/items", endpoint="/items")

    assert caught.value.user_message == MESSAGES.rate_limited
    assert caught.value.retry_after == 2.0


def test_a_timeout_is_transient_and_keeps_nothing_of_the_request(transport, mocked, pool_kind):
    mocked.get(f"{BASE}/items", body=read_timeout(pool_kind))

    with pytest.raises(TransientError) as caught:
        transport.send("GET", f"{BASE}/items", endpoint="/items", headers={"Authorization": "secret-token"})

    assert caught.value.title == "timeout"
    assert caught.value.__cause__ is None and caught.value.__suppress_context__  # the request stays out of reports


def test_an_answer_that_is_never_whole_is_garbled_after_every_attempt(transport, mocked):
    mocked.get(f"{BASE}/items", body="<html>proxy error</html>")

    with pytest.raises(GarbledResponse) as caught:
        transport.send("GET", f"{BASE}/items", endpoint="/items", readable=lambda r: r.text.startswith("["))

    assert caught.value.user_message == MESSAGES.garbled
    assert caught.value.title == "the answer was cut short or not what was asked for"
    assert transport.counter["GET /items"] == 3


def test_an_answer_cut_short_once_is_asked_for_again(transport, mocked):
    mocked.get(f"{BASE}/items", body="[1, 2")
    mocked.get(f"{BASE}/items", body="[1, 2]")

    response = transport.send("GET", f"{BASE}/items", endpoint="/items", readable=lambda r: r.text.endswith("]"))

    assert response.text == "[1, 2]"


def test_a_5xx_the_caller_claims_as_an_answer_is_returned_not_retried(transport, mocked, sleeps):
    mocked.post(f"{BASE}/rpc", status=500, body="<Fault>no such item</Fault>")

    response = transport.send("POST", f"{BASE}/rpc", endpoint="GetItem", is_answer=lambda r: b"Fault>" in r.content)

    assert response.status_code == 500 and sleeps == []


def test_headers_are_asked_for_on_every_attempt(transport, mocked):
    mocked.get(f"{BASE}/items", status=502)
    mocked.get(f"{BASE}/items", json=[])
    tokens = iter(["first", "second"])

    transport.send("GET", f"{BASE}/items", endpoint="/items", headers=lambda: {"Authorization": next(tokens)})

    assert [call.request.headers["Authorization"] for call in mocked.calls] == ["first", "second"]


def test_headers_that_fail_end_the_call_at_once_with_their_own_error(transport, mocked):
    asked: list[int] = []

    def headers() -> dict[str, str]:
        asked.append(1)
        raise TransientError("the session could not be opened")

    with pytest.raises(TransientError, match="the session could not be opened"):
        transport.send("GET", f"{BASE}/items", endpoint="/items", headers=headers)

    assert asked == [1] and not mocked.calls


def test_a_refusal_is_the_callers_to_read_and_not_retried(transport, mocked, sleeps):
    mocked.get(f"{BASE}/items", status=401)

    assert transport.send("GET", f"{BASE}/items", endpoint="/items").status_code == 401
    assert sleeps == []


def test_without_a_providers_words_the_errors_say_the_neutral_ones(mocked, pool_kind):
    mocked.get(f"{BASE}/items", status=503)
    plain = HttpTransport(
        protocol="rest",
        session=make_pool(pool_kind, 1),
        timeouts=Timeouts(),
        retry=RetryPolicy(attempts=1),
        limiter=AdaptiveLimiter(1),
        counter=CallCounter(),
    )

    with pytest.raises(TransientError) as caught:
        plain.send("GET", f"{BASE}/items", endpoint="/items")

    assert caught.value.user_message == TransientError.default_message
    assert "Books" not in caught.value.user_message and not isinstance(caught.value, AuthenticationError)


def test_a_session_reads_proxies_from_the_environment_once_and_not_per_request(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.test:3128")
    monkeypatch.setenv("NO_PROXY", "sandbox.test")

    through_proxy = new_session(4, base_url="https://books.example")
    direct = new_session(4, base_url="http://sandbox.test:8765")

    assert through_proxy.trust_env is False and direct.trust_env is False
    assert through_proxy.proxies.get("https") == "http://proxy.test:3128"
    assert "https" not in direct.proxies and "http" not in direct.proxies


def test_a_session_holds_as_many_connections_as_asked_and_names_monitr():
    session = new_session(6)

    assert session.get_adapter(BASE)._pool_maxsize == 6
    assert session.headers["User-Agent"] == "Monitr"


def test_a_pool_reads_the_proxy_from_the_environment_once_as_requests_does(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://user%40x:p%3Ass@proxy.test:3128")
    monkeypatch.setenv("NO_PROXY", "sandbox.test")

    through_proxy = new_pool(4, base_url="https://books.example")
    direct = new_pool(4, base_url="http://sandbox.test:8765")

    assert isinstance(through_proxy, urllib3.ProxyManager)
    assert (through_proxy.proxy.host, through_proxy.proxy.port) == ("proxy.test", 3128)
    # The proxy's login, unquoted, as requests sends it.
    assert through_proxy.proxy_headers == urllib3.util.make_headers(proxy_basic_auth="user@x:p:ss")
    assert not isinstance(direct, urllib3.ProxyManager)


def test_a_pool_verifies_with_the_ca_bundle_the_environment_names_else_certifis(monkeypatch, tmp_path):
    import certifi

    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    assert new_pool(1, base_url=BASE).connection_pool_kw["ca_certs"] == certifi.where()

    bundle = tmp_path / "company-ca.pem"
    bundle.write_text("")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    pool = new_pool(1, base_url=BASE)

    assert pool.connection_pool_kw["ca_certs"] == str(bundle)
    assert pool.connection_pool_kw["cert_reqs"] == "CERT_REQUIRED"


def test_a_pool_holds_as_many_connections_as_asked_and_every_request_names_monitr():
    pool = new_pool(6, base_url=BASE)
    plain = HttpTransport(
        protocol="rest",
        session=pool,
        timeouts=Timeouts(),
        retry=RetryPolicy(attempts=1),
        limiter=AdaptiveLimiter(1),
        counter=CallCounter(),
    )
    with pool_mock() as mocked:
        mocked.get(f"{BASE}/items", json=[])
        plain.send("GET", f"{BASE}/items", endpoint="/items", headers={"Accept": "application/json"})

    assert pool.connection_from_url(BASE).pool.maxsize == 6
    headers = mocked.calls[0].request.headers
    assert (headers["User-Agent"], headers["Accept"]) == ("Monitr", "application/json")


def test_a_json_body_is_sent_as_json_on_either_pool(transport, mocked):
    mocked.post(f"{BASE}/session", json={"ok": True})

    transport.send("POST", f"{BASE}/session", endpoint="/session", json={"key": "value", "n": 1})

    request = mocked.calls[0].request
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.body) == {"key": "value", "n": 1}
