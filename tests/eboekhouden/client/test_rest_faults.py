"""Surviving what networks and busy servers do: 429, 5xx bursts, timeouts, resets; and failing clearly when not."""

from __future__ import annotations

import pytest
import requests
import urllib3
from urllib3.exceptions import ReadTimeoutError

from eboekhouden.client import ApiTokenCredentials, RetryPolicy, Timeouts
from eboekhouden.client import errors as messages
from eboekhouden.client.rest import RestClient, RestGateway
from eboekhouden.provider import EboekhoudenProvider
from integrations.errors import GarbledResponse, RateLimited, TransientError

from .conftest import BASE, list_answer, request_events, session_answer
from .fake_server import FakeRest


@pytest.fixture
def session_ok(mocked):
    mocked.post(f"{BASE}/v1/session", json=session_answer())
    mocked.delete(f"{BASE}/v1/session", status=204)
    return mocked


def test_a_429_is_retried_after_the_pause_retry_after_asks_for(make_client, session_ok, sleeps):
    session_ok.get(f"{BASE}/v1/ledger", status=429, headers={"Retry-After": "3"})
    session_ok.get(f"{BASE}/v1/ledger", json=list_answer([]))

    make_client().get("/v1/ledger")

    assert sleeps == [3.0]


def test_a_retry_after_beyond_the_cap_is_shortened(make_client, session_ok, sleeps):
    session_ok.get(f"{BASE}/v1/ledger", status=429, headers={"Retry-After": "86400"})
    session_ok.get(f"{BASE}/v1/ledger", json=list_answer([]))

    make_client().get("/v1/ledger")

    assert sleeps == [5.0]  # the fast_retry fixture caps Retry-After at 5 seconds


def test_a_burst_of_5xx_is_survived_with_growing_pauses(make_client, session_ok, sleeps, fast_retry):
    for status in (500, 502, 503):
        session_ok.get(f"{BASE}/v1/ledger", status=status)
    session_ok.get(f"{BASE}/v1/ledger", json=list_answer([{"id": 1, "code": "1000"}]))

    document = make_client().get("/v1/ledger")

    assert document["items"] == [{"id": 1, "code": "1000"}]
    assert len(sleeps) == 3
    assert all(0 <= pause <= fast_retry.max_wait for pause in sleeps)


def test_5xx_that_outlasts_the_attempts_is_a_transient_error(make_client, session_ok):
    listing = session_ok.get(f"{BASE}/v1/ledger", status=503)

    with pytest.raises(TransientError) as caught:
        make_client().get("/v1/ledger")

    assert listing.call_count == 4
    assert caught.value.retryable
    assert caught.value.user_message == messages.TRANSIENT


def test_a_session_that_cannot_be_opened_is_tried_as_often_as_one_call_not_once_per_attempt_of_the_call(
    make_client, mocked
):
    opening = mocked.post(f"{BASE}/v1/session", status=503)
    listing = mocked.get(f"{BASE}/v1/ledger", json=list_answer([]))

    with pytest.raises(TransientError):
        make_client().get("/v1/ledger")

    assert opening.call_count == 4  # the session's own attempts; the call that needed it does not repeat them
    assert listing.call_count == 0


def test_a_429_that_outlasts_the_attempts_is_rate_limited(make_client, session_ok):
    session_ok.get(f"{BASE}/v1/ledger", status=429, headers={"Retry-After": "1"})

    with pytest.raises(RateLimited) as caught:
        make_client().get("/v1/ledger")

    assert caught.value.retry_after == 1.0


def test_a_400_is_not_retried_and_carries_the_code_and_title(make_client, session_ok, sleeps):
    session_ok.get(
        f"{BASE}/v1/mutation/invoice/outstanding",
        status=400,
        json={"type": "validation", "title": "Credit/Debit is missing.", "status": 400, "code": "MUTA_006"},
    )

    with pytest.raises(Exception) as caught:
        make_client().get("/v1/mutation/invoice/outstanding")

    assert (caught.value.code, caught.value.title, sleeps) == ("MUTA_006", "Credit/Debit is missing.", [])
    assert str(caught.value) == "e-Boekhouden refused the request: Credit/Debit is missing. (MUTA_006)"


def test_a_garbled_body_is_a_garbled_response_with_its_message(make_client, session_ok):
    session_ok.get(f"{BASE}/v1/ledger", body="<html><body>Proxy error</body></html>", status=200)

    with pytest.raises(GarbledResponse) as caught:
        list(RestGateway(make_client()).ledgers())

    assert caught.value.user_message == messages.GARBLED
    assert caught.value.endpoint == "/v1/ledger"


def test_a_list_item_of_the_wrong_shape_is_a_garbled_response(make_client, session_ok):
    session_ok.get(f"{BASE}/v1/ledger", json=list_answer([{"id": "not a number", "code": "1000"}]))

    with pytest.raises(GarbledResponse) as caught:
        list(RestGateway(make_client()).ledgers())

    assert caught.value.title == "ledger.id must be a whole number"


def test_every_request_is_counted_per_endpoint(make_client, session_ok):
    session_ok.get(f"{BASE}/v1/mutation/1", status=503)
    session_ok.get(f"{BASE}/v1/mutation/1", json={"id": 1, "type": 7, "date": "2025-01-01"})
    session_ok.get(f"{BASE}/v1/mutation/2", json={"id": 2, "type": 7, "date": "2025-01-01"})
    gateway = RestGateway(make_client())

    gateway.mutation(1)
    gateway.mutation(2)

    assert gateway.calls.snapshot() == {"POST /v1/session": 1, "GET /v1/mutation/{id}": 3}


def test_each_request_logs_one_event_with_the_path_template_status_and_attempt(make_client, session_ok, caplog):
    session_ok.get(f"{BASE}/v1/mutation/42", status=502)
    session_ok.get(f"{BASE}/v1/mutation/42", json={"id": 42, "type": 7, "date": "2025-01-01"})
    caplog.set_level("INFO")

    RestGateway(make_client()).mutation(42)

    events = [(e["method"], e["path"], e["status"], e["attempt"]) for e in request_events(caplog)]
    assert events == [
        ("POST", "/v1/session", 200, 1),
        ("GET", "/v1/mutation/{id}", 502, 1),
        ("GET", "/v1/mutation/{id}", 200, 2),
    ]
    assert all(isinstance(e["duration_ms"], float) for e in request_events(caplog))


def test_request_events_never_carry_a_body(make_client, session_ok, caplog):
    session_ok.get(f"{BASE}/v1/relation/7", json={"id": 7, "code": "R7", "name": "Private Person Jansen"})
    caplog.set_level("DEBUG")

    make_client().get("/v1/relation/{id}", path={"id": 7})

    assert "Jansen" not in caplog.text


# --- over real sockets -----------------------------------------------------------------------------------


def real_client(fake: FakeRest, fast_retry: RetryPolicy, **options) -> RestClient:
    return RestClient(
        ApiTokenCredentials("real-socket-api-token-abcdef"),
        base_url=fake.url,
        retry=fast_retry,
        timeouts=Timeouts(connect=1, read=0.2),
        **options,
    )


def test_a_read_timeout_is_survived(fast_retry):
    with FakeRest() as fake:
        fake.fault("/v1/mutation/{id}", "hang")
        client = real_client(fake, fast_retry)

        assert client.get("/v1/mutation/{id}", path={"id": 9})["id"] == 9


def test_a_connection_reset_is_survived(fast_retry):
    with FakeRest() as fake:
        fake.fault("/v1/mutation/{id}", "reset", "reset")
        client = real_client(fake, fast_retry)

        assert client.get("/v1/mutation/{id}", path={"id": 3})["id"] == 3


def test_a_reset_in_the_middle_of_the_answer_is_survived(fast_retry):
    with FakeRest() as fake:
        fake.fault("/v1/mutation/{id}", "reset_mid_body")
        client = real_client(fake, fast_retry)

        assert client.get("/v1/mutation/{id}", path={"id": 4})["id"] == 4


def test_timeouts_that_persist_are_a_transient_error(fast_retry):
    with FakeRest() as fake:
        fake.fault("/v1/mutation/{id}", *["hang"] * 4)
        client = real_client(fake, fast_retry)

        with pytest.raises(TransientError) as caught:
            client.get("/v1/mutation/{id}", path={"id": 5})

    assert caught.value.title == "timeout"


def test_a_server_that_is_not_there_is_a_transient_error(fast_retry):
    with FakeRest() as fake:
        url = fake.url
    client = RestClient(ApiTokenCredentials("x" * 20), base_url=url, retry=fast_retry, timeouts=Timeouts(0.2, 0.2))

    with pytest.raises(TransientError) as caught:
        client.get("/v1/ledger")

    assert caught.value.__cause__ is None  # urllib3's error names the URL, and a URL may hold values
    assert not isinstance(caught.value, urllib3.exceptions.HTTPError | requests.RequestException)


def test_a_sources_pauses_are_the_waits_the_sync_engine_hands_it(session_ok, settings):
    """The engine's ``wait`` keeps the run's lock alive: every pause of the client goes through it, a Retry-After
    and the backoff between timed-out attempts alike, so no pause outlasts the lock unrenewed."""
    settings.EBOEKHOUDEN_REST_URL = BASE
    session_ok.get(f"{BASE}/v1/ledger", status=429, headers={"Retry-After": "3"})
    session_ok.get(f"{BASE}/v1/ledger", body=ReadTimeoutError(None, f"{BASE}/v1/ledger", "Read timed out."))
    session_ok.get(f"{BASE}/v1/ledger", json=list_answer([]))
    waits = []

    source = EboekhoudenProvider().open_source(
        secret={"api_token": "api-token-for-the-wait-test"}, transport="rest", external_id="adm", wait=waits.append
    )
    try:
        assert list(source.gateway.ledgers()) == []
    finally:
        source.close()

    assert len(waits) == 2 and waits[0] == 3.0
