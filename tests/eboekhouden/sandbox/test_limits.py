"""The source's limits refuse exactly past their caps, and the counters say how a client treated them."""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import aiohttp
import pytest
import requests

from eboekhouden.sandbox import Sandbox
from eboekhouden.sandbox.model import AdministrationInfo
from eboekhouden.sandbox.testing import TEST_CONFIG

from .helpers import Rest, soap_login, soap_service

SOAP_NS = "http://www.e-boekhouden.nl/soap"


class FrozenClock:
    """The gate's clock, moved by hand: token buckets refill only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    started = Sandbox.start(replace(TEST_CONFIG, mutations=60))
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(autouse=True)
def no_limits(sandbox: Sandbox) -> Iterator[None]:
    gate = sandbox.state.gate
    clock = gate.clock
    sandbox.clear_limits()
    yield
    sandbox.clear_limits()
    sandbox.clear_faults()
    sandbox._call(setattr, gate, "clock", clock)


def freeze(sandbox: Sandbox) -> FrozenClock:
    clock = FrozenClock()
    sandbox._call(setattr, sandbox.state.gate, "clock", clock)
    return clock


def session_token(rest: Rest) -> str:
    return str(rest.http.headers["Authorization"])


def soap_envelope(operation: str, **params: str) -> str:
    inner = "".join(f"<{name}>{value}</{name}>" for name, value in params.items())
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        f'<{operation} xmlns="{SOAP_NS}">{inner}</{operation}></soap:Body></soap:Envelope>'
    )


Call = tuple[float, str, str]  # (seconds to wait before sending, "rest" or "soap", REST session or SOAP body)


def concurrently(sandbox: Sandbox, calls: list[Call]) -> list[tuple[int, str | None, float]]:
    """Send the calls at once (each after its own delay); (status, Retry-After, seconds taken) of each, in order."""

    async def run() -> list[tuple[int, str | None, float]]:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:

            async def one(delay: float, api: str, credential: str) -> tuple[int, str | None, float]:
                await asyncio.sleep(delay)
                began = time.perf_counter()
                if api == "rest":
                    request = http.get(f"{sandbox.rest_url}/v1/costcenter", headers={"Authorization": credential})
                else:
                    headers = {"Content-Type": "text/xml; charset=utf-8"}
                    request = http.post(sandbox.soap_url, data=credential, headers=headers)
                async with request as response:
                    await response.read()
                    return response.status, response.headers.get("Retry-After"), time.perf_counter() - began

            return await asyncio.gather(*(one(*call) for call in calls))

    # On a thread of its own: a browser test earlier in the session may leave an event loop running in this one.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, run()).result()


def soap_session(sandbox: Sandbox, admin: AdministrationInfo) -> str:
    return soap_login(soap_service(sandbox), admin)


def soap_administraties(session: str, admin: AdministrationInfo) -> str:
    return soap_envelope("GetAdministraties", SessionID=session, SecurityCode2=admin.security_code_2)


# -- in flight ---------------------------------------------------------------------------------------------------------
def test_past_max_in_flight_requests_are_refused_at_once_and_the_peak_is_the_cap(sandbox: Sandbox) -> None:
    rest = Rest(sandbox, sandbox.administrations[0])
    sandbox.set_fault(latency_ms=400)
    sandbox.set_limits(max_in_flight=4, retry_after=3)
    sandbox.reset_stats()
    answers = concurrently(sandbox, [(0.0, "rest", session_token(rest))] * 10)
    assert sorted(status for status, _, _ in answers) == [200] * 4 + [429] * 6
    refused = [(retry_after, taken) for status, retry_after, taken in answers if status == 429]
    assert all(retry_after == "3" and taken < 0.3 for retry_after, taken in refused)  # not held for the latency
    stats = sandbox.stats()
    assert (stats["calls"], stats["callsByApi"], stats["rateLimited"]) == (10, {"rest": 10, "soap": 0}, 6)
    assert stats["rateLimitedByCause"]["maxInFlight"] == 6
    assert (stats["peakInFlight"], stats["inFlight"], stats["peakInFlightPerKey"]) == (4, 0, 4)


def test_a_request_is_in_flight_until_its_response_is_written_latency_included(sandbox: Sandbox) -> None:
    rest = Rest(sandbox, sandbox.administrations[0])
    sandbox.set_fault(latency_ms=300)
    sandbox.set_limits(max_in_flight=1)
    token = session_token(rest)
    answers = concurrently(sandbox, [(0.0, "rest", token), (0.1, "rest", token), (0.7, "rest", token)])
    assert [status for status, _, _ in answers] == [200, 429, 200]


def test_the_cap_per_key_holds_each_credential_apart_from_the_total(sandbox: Sandbox) -> None:
    first, second = sandbox.administrations[:2]
    one, two = session_token(Rest(sandbox, first)), session_token(Rest(sandbox, second))
    sandbox.set_fault(latency_ms=600)
    sandbox.set_limits(max_in_flight=3, max_in_flight_per_key=2)
    sandbox.reset_stats()
    # The first key's third request meets its own cap; the second key finds room for one before the total is full.
    answers = concurrently(sandbox, [(0.0, "rest", one)] * 3 + [(0.2, "rest", two)] * 3)
    assert sorted(status for status, _, _ in answers[:3]) == [200, 200, 429]
    assert sorted(status for status, _, _ in answers[3:]) == [200, 429, 429]
    stats = sandbox.stats()
    assert stats["rateLimitedByCause"] == {
        "maxInFlight": 2,
        "maxInFlightPerKey": 1,
        "ratePerSecond": 0,
        "ratePerSecondPerKey": 0,
        "faults": 0,
    }
    assert (stats["peakInFlight"], stats["peakInFlightPerKey"]) == (3, 2)
    keys = stats["keys"]
    assert keys[f"rest:{first.guid}"] == {"calls": 3, "rateLimited": 1, "inFlight": 0, "peakInFlight": 2}
    assert keys[f"rest:{second.guid}"] == {"calls": 3, "rateLimited": 2, "inFlight": 0, "peakInFlight": 1}


def test_soap_counts_per_login_and_rest_per_token(sandbox: Sandbox) -> None:
    admin = sandbox.administrations[1]
    rest = session_token(Rest(sandbox, admin))
    body = soap_administraties(soap_session(sandbox, admin), admin)
    sandbox.set_fault(latency_ms=400)
    sandbox.set_limits(max_in_flight_per_key=1)
    sandbox.reset_stats()
    answers = concurrently(sandbox, [(0.0, "soap", body), (0.0, "soap", body), (0.0, "rest", rest)])
    assert sorted(status for status, _, _ in answers[:2]) == [200, 429]
    assert answers[2][0] == 200  # the same administration's API token is another credential
    stats = sandbox.stats()
    assert stats["callsByApi"] == {"rest": 1, "soap": 2}
    assert stats["keys"][f"soap:{admin.username}"]["peakInFlight"] == 1
    assert stats["peakInFlight"] == 2


# -- rates -------------------------------------------------------------------------------------------------------------
def test_the_rate_limit_allows_a_seconds_worth_then_says_when_a_token_is_there(sandbox: Sandbox) -> None:
    rest = Rest(sandbox, sandbox.administrations[0])
    clock = freeze(sandbox)
    sandbox.set_limits(rate_per_second=5)
    sandbox.reset_stats()
    answers = [rest.get("/v1/costcenter") for _ in range(7)]
    assert [r.status_code for r in answers] == [200] * 5 + [429] * 2
    assert answers[-1].headers["Retry-After"] == "1"
    clock.advance(0.2)  # one token
    assert [rest.get("/v1/costcenter").status_code for _ in range(2)] == [200, 429]
    stats = sandbox.stats()
    assert (stats["calls"], stats["rateLimitedByCause"]["ratePerSecond"]) == (9, 3)


def test_retry_after_is_the_whole_seconds_until_the_keys_next_token(sandbox: Sandbox) -> None:
    first, second = sandbox.administrations[:2]
    one, two = Rest(sandbox, first), Rest(sandbox, second)
    clock = freeze(sandbox)
    sandbox.set_limits(rate_per_second_per_key=0.4)  # a bucket of one token, refilled every 2.5 s
    sandbox.reset_stats()
    assert one.get("/v1/costcenter").status_code == 200
    refused = one.get("/v1/costcenter")
    assert (refused.status_code, refused.headers["Retry-After"]) == (429, "3")
    assert two.get("/v1/costcenter").status_code == 200  # another key, another bucket
    clock.advance(2.0)  # 0.8 of a token: half a second to go, said as a whole second
    assert one.get("/v1/costcenter").headers["Retry-After"] == "1"
    clock.advance(0.5)
    assert one.get("/v1/costcenter").status_code == 200
    stats = sandbox.stats()
    assert stats["rateLimitedByCause"]["ratePerSecondPerKey"] == 2
    assert stats["keys"][f"rest:{first.guid}"]["rateLimited"] == 2


def test_a_burst_setting_sizes_the_bucket_and_refusals_take_no_token(sandbox: Sandbox) -> None:
    rest = Rest(sandbox, sandbox.administrations[0])
    clock = freeze(sandbox)
    sandbox.set_limits(rate_per_second=1, burst=3)
    assert [rest.get("/v1/costcenter").status_code for _ in range(5)] == [200, 200, 200, 429, 429]
    clock.advance(1.0)
    assert [rest.get("/v1/costcenter").status_code for _ in range(2)] == [200, 429]


# -- faults' 429s, stats and the control API ---------------------------------------------------------------------------
def test_429s_of_faults_are_counted_with_those_of_the_limits(sandbox: Sandbox) -> None:
    rest = Rest(sandbox, sandbox.administrations[0])
    sandbox.set_fault(rate_limit_count=2)
    sandbox.reset_stats()
    assert [rest.get("/v1/costcenter").status_code for _ in range(3)] == [429, 429, 200]
    stats = sandbox.stats()
    assert (stats["calls"], stats["rateLimited"], stats["rateLimitedByCause"]["faults"]) == (3, 2, 2)


def test_resetting_the_stats_starts_every_counter_from_zero(sandbox: Sandbox) -> None:
    rest = Rest(sandbox, sandbox.administrations[0])
    rest.get("/v1/costcenter")
    assert sandbox.stats()["calls"] >= 2
    reset = requests.post(f"{sandbox.control_url}/stats/reset", timeout=10).json()
    assert (reset["calls"], reset["rateLimited"], reset["peakInFlight"], reset["keys"]) == (0, 0, 0, {})
    rest.get("/v1/costcenter")
    stats = requests.get(f"{sandbox.control_url}/stats", timeout=10).json()
    assert (stats["calls"], stats["peakInFlight"], stats["inFlight"]) == (1, 1, 0)
    assert set(stats) == {
        "calls",
        "callsByApi",
        "rateLimited",
        "rateLimitedByCause",
        "inFlight",
        "peakInFlight",
        "peakInFlightPerKey",
        "keys",
        "soapMonth",
        "soapCallsUsed",
        "soapMonthlyRefused",
        "seconds",
    }


def test_the_control_api_sets_replaces_and_clears_the_limits(sandbox: Sandbox) -> None:
    url = f"{sandbox.control_url}/limits"
    assert requests.get(url, timeout=10).json()["maxInFlight"] is None
    put = requests.put(url, json={"maxInFlight": 8, "rate_per_second": 50}, timeout=10).json()
    assert (put["maxInFlight"], put["ratePerSecond"], put["retryAfter"]) == (8, 50.0, 1)
    patched = requests.patch(url, json={"soapCallsPerMonth": 5000}, timeout=10).json()
    assert (patched["maxInFlight"], patched["soapCallsPerMonth"]) == (8, 5000)
    replaced = requests.put(url, json={"maxInFlightPerKey": 2}, timeout=10).json()
    assert (replaced["maxInFlight"], replaced["maxInFlightPerKey"]) == (None, 2)
    assert sandbox.limits() == replaced
    assert requests.put(url, json={"maxInFlite": 2}, timeout=10).status_code == 400
    assert requests.put(url, json={"retryAfter": 0}, timeout=10).status_code == 400
    assert requests.delete(url, timeout=10).json()["maxInFlightPerKey"] is None


def test_limits_come_from_the_config(eboekhouden_sandbox_factory) -> None:
    started = eboekhouden_sandbox_factory(mutations=20, max_in_flight=2, rate_per_second_per_key=10.0)
    limits = started.limits()
    assert (limits["maxInFlight"], limits["ratePerSecondPerKey"], limits["burst"]) == (2, 10.0, None)
    assert started.summary()["limits"] == limits


# -- SOAP's monthly allowance ------------------------------------------------------------------------------------------
def test_the_soap_monthly_allowance_answers_with_an_error_once_used_up(sandbox: Sandbox) -> None:
    admin = sandbox.administrations[2]
    service = soap_service(sandbox)
    sandbox.set_limits(soap_calls_per_month=5000)
    sandbox.reset_stats()
    assert sandbox.set_soap_calls_used(admin.username, 4997) == {
        "username": admin.username,
        "month": "2025-12",
        "used": 4997,
        "limit": 5000,
    }
    session = soap_login(service, admin)  # 4,998
    assert not service.GetAdministraties(SessionID=session, SecurityCode2=admin.security_code_2).ErrorMsg.LastErrorCode
    assert not service.GetKostenplaatsen(SessionID=session, SecurityCode2=admin.security_code_2).ErrorMsg.LastErrorCode
    refused = service.GetAdministraties(SessionID=session, SecurityCode2=admin.security_code_2)
    assert refused.ErrorMsg.LastErrorCode == "ERR_MAXCALLS"
    assert "maximale aantal van 5000 API-aanroepen per maand" in refused.ErrorMsg.LastErrorDescription
    login = service.OpenSession(
        Username=admin.username, SecurityCode1=admin.security_code_1, SecurityCode2=admin.security_code_2
    )
    assert (login.ErrorMsg.LastErrorCode, login.SessionID) == ("ERR_MAXCALLS", None)
    service.CloseSession(SessionID=session)  # has no ErrorMsg to refuse with: it is neither refused nor counted
    stats = sandbox.stats()
    assert (stats["soapCallsUsed"][admin.username], stats["soapMonthlyRefused"], stats["soapMonth"]) == (
        5000,
        2,
        "2025-12",
    )
    assert stats["callsByApi"]["soap"] == 6 and stats["rateLimited"] == 0
    # Other logins and REST are not touched.
    assert Rest(sandbox, admin).get("/v1/costcenter").status_code == 200
    assert sandbox.soap_calls_used()[admin.username] == 5000


def test_a_new_month_gives_every_login_a_new_allowance(sandbox: Sandbox) -> None:
    admin = sandbox.administrations[2]
    service = soap_service(sandbox)
    gate = sandbox.state.gate
    sandbox.set_limits(soap_calls_per_month=3)
    sandbox.set_soap_calls_used(admin.username, 3)
    login = dict(Username=admin.username, SecurityCode1=admin.security_code_1, SecurityCode2=admin.security_code_2)
    assert service.OpenSession(**login).ErrorMsg.LastErrorCode == "ERR_MAXCALLS"
    today = gate.today
    sandbox._call(setattr, gate, "today", lambda: date(2026, 1, 1))
    try:
        assert not service.OpenSession(**login).ErrorMsg.LastErrorCode
        assert sandbox.soap_calls_used() == {admin.username: 1}
        assert sandbox.stats()["soapMonth"] == "2026-01"
    finally:
        sandbox._call(setattr, gate, "today", today)


def test_the_control_api_sets_a_logins_soap_calls_used(sandbox: Sandbox) -> None:
    admin = sandbox.administrations[0]
    url = f"{sandbox.control_url}/soap-calls"
    answer = requests.put(f"{url}/{admin.username.upper()}", json={"used": 4990}, timeout=10)
    assert answer.status_code == 200 and answer.json()["used"] == 4990
    assert requests.get(url, timeout=10).json()[admin.username] == 4990
    assert requests.put(f"{url}/nobody", json={"used": 1}, timeout=10).status_code == 404
    assert requests.put(f"{url}/{admin.username}", json={"used": -1}, timeout=10).status_code == 400
    sandbox.set_soap_calls_used(admin.username, 0)
