"""Faults on demand happen as configured: per server or per administration, on REST and on SOAP."""

from __future__ import annotations

import json
import threading
import time

import pytest
import requests

from .helpers import Rest, soap_login, soap_service


@pytest.fixture
def admin(eboekhouden_sandbox):
    return eboekhouden_sandbox.administrations[0]


@pytest.fixture
def rest(eboekhouden_sandbox, admin):
    return Rest(eboekhouden_sandbox, admin)


def timed(call) -> float:
    began = time.perf_counter()
    call()
    return time.perf_counter() - began


def test_a_fixed_latency_delays_every_request(eboekhouden_sandbox, rest) -> None:
    eboekhouden_sandbox.set_fault(latency_ms=150)
    assert timed(lambda: rest.get("/v1/ledger")) >= 0.15


def test_a_random_latency_stays_within_its_bounds(eboekhouden_sandbox, rest) -> None:
    eboekhouden_sandbox.set_fault(latency_ms=20, latency_jitter_ms=60, seed=3)
    durations = [timed(lambda: rest.get("/v1/costcenter")) for _ in range(8)]
    assert all(0.02 <= d < 0.5 for d in durations)
    assert max(durations) - min(durations) > 0.005


def test_a_5xx_burst_fails_the_next_n_requests_then_stops(eboekhouden_sandbox, rest) -> None:
    eboekhouden_sandbox.set_fault(error_count=3, error_status=502)
    assert [rest.get("/v1/ledger").status_code for _ in range(5)] == [502, 502, 502, 200, 200]


def test_a_random_error_rate_fails_about_that_share(eboekhouden_sandbox, rest) -> None:
    eboekhouden_sandbox.set_fault(error_rate=0.5, seed=11)
    statuses = [rest.get("/v1/costcenter").status_code for _ in range(60)]
    assert set(statuses) == {200, 503}
    assert 10 <= statuses.count(503) <= 50


def test_a_rate_limit_answers_429_with_retry_after(eboekhouden_sandbox, rest) -> None:
    eboekhouden_sandbox.set_fault(rate_limit_count=2, retry_after=7)
    first = rest.get("/v1/ledger")
    assert (first.status_code, first.headers["Retry-After"]) == (429, "7")
    assert [rest.get("/v1/ledger").status_code for _ in range(2)] == [429, 200]


def test_a_reset_cuts_the_connection_in_the_middle_of_the_body(eboekhouden_sandbox, rest) -> None:
    eboekhouden_sandbox.set_fault(reset_count=1)
    with pytest.raises(requests.exceptions.RequestException):
        rest.get("/v1/mutation", limit=500)
    assert rest.get("/v1/mutation", limit=500).status_code == 200


def test_a_truncated_body_is_not_valid_json(eboekhouden_sandbox, rest) -> None:
    eboekhouden_sandbox.set_fault(truncate_count=1)
    response = rest.get("/v1/ledger")
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)


def test_a_non_json_body_is_an_html_page(eboekhouden_sandbox, rest) -> None:
    eboekhouden_sandbox.set_fault(non_json_count=1)
    response = rest.get("/v1/ledger")
    assert response.status_code == 200 and response.text.startswith("<!DOCTYPE html>")
    assert rest.get("/v1/ledger").json()["items"]


def test_a_session_dies_after_n_seconds(eboekhouden_sandbox, rest) -> None:
    eboekhouden_sandbox.set_fault(session_ttl_seconds=0.5)
    assert rest.get("/v1/ledger").status_code == 200
    time.sleep(0.6)
    response = rest.get("/v1/ledger")
    assert (response.status_code, response.content) == (401, b"")


def test_a_session_dies_after_n_calls(eboekhouden_sandbox, rest) -> None:
    eboekhouden_sandbox.set_fault(session_max_calls=3)
    assert [rest.get("/v1/costcenter").status_code for _ in range(5)] == [200, 200, 200, 401, 401]


def test_requests_beyond_the_concurrency_cap_get_429(eboekhouden_sandbox, rest) -> None:
    eboekhouden_sandbox.set_fault(max_concurrent=2, latency_ms=300)
    statuses: list[int] = []

    def call() -> None:
        statuses.append(rest.get("/v1/costcenter").status_code)

    threads = [threading.Thread(target=call) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 200, 429, 429, 429]


def test_a_fault_on_one_administration_leaves_the_others_alone(eboekhouden_sandbox, admin) -> None:
    other = eboekhouden_sandbox.administrations[1]
    eboekhouden_sandbox.set_fault(token=other.api_token, error_count=5)
    assert Rest(eboekhouden_sandbox, admin).get("/v1/ledger").status_code == 200
    created = requests.post(
        f"{eboekhouden_sandbox.rest_url}/v1/session",
        json={"accessToken": other.api_token, "source": "Monitr"},
        timeout=10,
    )
    assert created.status_code == 503


def test_a_fault_can_be_limited_to_a_path(eboekhouden_sandbox, rest) -> None:
    eboekhouden_sandbox.set_fault(path_prefix="/v1/mutation/", error_count=10)
    assert rest.get("/v1/ledger").status_code == 200
    assert rest.get("/v1/mutation/1").status_code == 503


def test_a_rest_only_fault_leaves_soap_alone_and_a_soap_fault_breaks_soap(eboekhouden_sandbox, admin) -> None:
    service = soap_service(eboekhouden_sandbox)
    session = soap_login(service, admin)
    eboekhouden_sandbox.set_fault(api="rest", error_count=10)
    assert not service.GetKostenplaatsen(SessionID=session, SecurityCode2=admin.security_code_2).ErrorMsg.LastErrorCode
    eboekhouden_sandbox.clear_faults()
    eboekhouden_sandbox.set_fault(api="soap", error_count=1)
    with pytest.raises(Exception, match="503"):
        service.GetKostenplaatsen(SessionID=session, SecurityCode2=admin.security_code_2)


def test_a_soap_session_dies_after_n_calls(eboekhouden_sandbox, admin) -> None:
    service = soap_service(eboekhouden_sandbox)
    session = soap_login(service, admin)
    eboekhouden_sandbox.set_fault(api="soap", session_max_calls=1)
    codes = [
        service.GetKostenplaatsen(SessionID=session, SecurityCode2=admin.security_code_2).ErrorMsg.LastErrorCode
        for _ in range(2)
    ]
    assert codes == [None, "ERR_SESSION"]


def test_cleared_faults_stop_and_report_what_they_did(eboekhouden_sandbox, rest) -> None:
    fault = eboekhouden_sandbox.set_fault(error_count=1)
    rest.get("/v1/ledger")
    assert eboekhouden_sandbox.faults()[0]["fired"] == {"error": 1}
    assert eboekhouden_sandbox.clear_faults(fault["id"]) == 1
    assert rest.get("/v1/ledger").status_code == 200
