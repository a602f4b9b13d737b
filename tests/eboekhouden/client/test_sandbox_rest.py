"""The REST gateway against the sandbox over real HTTP: sessions, paging, faults, keys, concurrency."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from eboekhouden.client import ApiTokenCredentials, MutationType, RetryPolicy, Side, Timeouts
from eboekhouden.client import errors as messages
from eboekhouden.client.rest import RestClient, RestGateway
from integrations.errors import AuthenticationError, CredentialsExpired, GarbledResponse

WHOLE_BOOKS = (dt.date(2000, 1, 1), dt.date(2030, 12, 31))


@pytest.fixture
def admin(eboekhouden_sandbox):
    return eboekhouden_sandbox.administrations[0]


@pytest.fixture
def connect(eboekhouden_sandbox, fast_retry):
    opened: list[RestGateway] = []

    def connect(token: str, *, sandbox=None, **options) -> RestGateway:
        options.setdefault("retry", fast_retry)
        options.setdefault("timeouts", Timeouts(connect=2, read=5))
        url = (sandbox or eboekhouden_sandbox).rest_url
        gateway = RestGateway(RestClient(ApiTokenCredentials(token), base_url=url, **options))
        opened.append(gateway)
        return gateway

    yield connect
    for gateway in opened:
        gateway.close()


def test_the_session_flow_opens_once_reads_and_ends_the_session(connect, admin, eboekhouden_sandbox):
    # Other tests may have left sessions of this shared administration open: look at this gateway's own.
    before = {id(s) for s in _sessions(eboekhouden_sandbox)}
    gateway = connect(admin.api_token)

    ledgers = list(gateway.ledgers())
    gateway.close()

    assert len(ledgers) > 20
    assert gateway.calls.snapshot() == {"POST /v1/session": 1, "GET /v1/ledger": 1, "DELETE /v1/session": 1}
    opened_here = [s for s in eboekhouden_sandbox.state.sessions.values() if id(s) not in before]
    assert not any(s.alive and s.api == "rest" and s.guid == admin.guid for s in opened_here)


def _sessions(sandbox):
    return list(sandbox.state.sessions.values())


def test_mutation_headers_match_the_sandbox_truth(connect, admin, eboekhouden_sandbox):
    truth = eboekhouden_sandbox.truth(admin.guid)

    headers = list(connect(admin.api_token).mutation_headers(*WHOLE_BOOKS))

    opening = next(m for m in truth if m["id"] == 0)
    assert [h.id for h in headers if h.id] == [m["id"] for m in truth if m["id"]]
    assert sum(1 for h in headers if h.is_opening_balance) == len(opening["rows"])


def test_paging_across_many_pages_gives_what_one_page_gives(connect, admin):
    one_page = list(connect(admin.api_token).mutation_headers(*WHOLE_BOOKS))
    gateway = connect(admin.api_token, page_size=37)

    many_pages = list(gateway.mutation_headers(*WHOLE_BOOKS))

    assert many_pages == one_page
    assert gateway.calls["GET /v1/mutation"] == len(one_page) // 37 + 1


def test_the_session_expiring_mid_paging_is_renewed_and_nothing_is_lost(connect, admin, eboekhouden_sandbox):
    expected = list(connect(admin.api_token).mutation_headers(*WHOLE_BOOKS))
    eboekhouden_sandbox.set_fault(api="rest", administration=admin.guid, session_max_calls=3)
    gateway = connect(admin.api_token, page_size=50)

    headers = list(gateway.mutation_headers(*WHOLE_BOOKS))

    assert headers == expected
    assert gateway.calls["POST /v1/session"] >= 3


def test_a_short_lived_session_is_renewed_before_it_runs_out(eboekhouden_sandbox_factory, connect):
    sandbox = eboekhouden_sandbox_factory(session_seconds=30, administrations=1, mutations=50)
    clock = [0.0]
    gateway = connect(sandbox.administrations[0].api_token, sandbox=sandbox, clock=lambda: clock[0])
    list(gateway.cost_centres())

    clock[0] += 28  # within the last tenth of 30 seconds
    list(gateway.cost_centres())

    assert gateway.calls["POST /v1/session"] == 2


def test_the_opening_balance_items_have_id_zero_and_balance_as_a_set(connect, admin):
    headers = list(connect(admin.api_token).mutation_headers(*WHOLE_BOOKS))

    opening = [h for h in headers if h.is_opening_balance]

    assert len(opening) > 1
    assert {h.type for h in opening} == {MutationType.OPENING_BALANCE}
    assert len({h.ledger_id for h in opening}) == len(opening)
    assert sum(h.amount for h in opening) == 0


def test_a_payment_of_several_invoices_parses_a_row_per_invoice(connect, admin, eboekhouden_sandbox):
    truth = eboekhouden_sandbox.truth(admin.guid)
    wanted = next(m for m in truth if m["type"] in (3, 4) and "," in m["invoiceNumber"])

    payment = connect(admin.api_token).mutation(wanted["id"])

    assert payment.invoice_numbers == tuple(wanted["invoiceNumber"].split(","))
    assert [row.invoice_number for row in payment.rows] == [row["invoiceNumber"] for row in wanted["rows"]]
    assert [row.amount for row in payment.rows] == [row["amount"] for row in wanted["rows"]]


def test_mutation_details_carry_the_exact_amounts_of_the_truth(connect, admin, eboekhouden_sandbox):
    truth = {m["id"]: m for m in eboekhouden_sandbox.truth(admin.guid) if m["id"]}
    ids = sorted(truth)[:40]

    mutations = {m.id: m for m in connect(admin.api_token).mutations(ids)}

    for mutation_id in ids:
        expected = truth[mutation_id]
        got = mutations[mutation_id]
        assert [row.amount for row in got.rows] == [row["amount"] for row in expected["rows"]]
        assert all(type(row.amount) is Decimal for row in got.rows)
        assert [(v.vat_code, v.amount) for v in got.vat] == [(v["vatCode"], v["amount"]) for v in expected["vat"]]


def test_outstanding_items_match_the_truth_for_both_sides(connect, admin, eboekhouden_sandbox):
    gateway = connect(admin.api_token)

    for side in Side:
        truth = eboekhouden_sandbox.outstanding(admin.guid, side.value)
        items = list(gateway.outstanding_items(side))
        assert [(i.invoice_number, i.outstanding_amount) for i in items] == [
            (t["invoiceNumber"], t["outstandingAmount"]) for t in truth
        ]


def test_balances_match_the_truth(connect, admin, eboekhouden_sandbox):
    period = (dt.date(2025, 1, 1), dt.date(2025, 1, 31))
    truth = {b["code"]: (b["ledgerId"], b["balance"]) for b in eboekhouden_sandbox.balances(admin.guid, *period)}

    balances = connect(admin.api_token).balances(*period)

    assert {b.ledger_code: (b.ledger_id, b.balance) for b in balances} == truth


# --- faults ----------------------------------------------------------------------------------------------------


def test_429_with_retry_after_is_survived(connect, admin, eboekhouden_sandbox, sleeps):
    eboekhouden_sandbox.set_fault(api="rest", path_prefix="/v1/ledger", rate_limit_count=2, retry_after=2)

    ledgers = list(connect(admin.api_token).ledgers())

    assert ledgers
    assert sleeps == [2.0, 2.0]


def test_a_5xx_burst_is_survived(connect, admin, eboekhouden_sandbox):
    eboekhouden_sandbox.set_fault(api="rest", path_prefix="/v1/relation", error_count=3, error_status=502)
    gateway = connect(admin.api_token)

    relations = list(gateway.relations())

    assert relations
    assert gateway.calls["GET /v1/relation"] == 4


def test_connection_resets_mid_answer_are_survived(connect, admin, eboekhouden_sandbox):
    eboekhouden_sandbox.set_fault(api="rest", path_prefix="/v1/mutation/", reset_count=2)

    mutation = connect(admin.api_token).mutation(5)

    assert mutation.id == 5


def test_slow_answers_past_the_read_timeout_are_retried_then_survived(connect, admin, eboekhouden_sandbox):
    fault = eboekhouden_sandbox.set_fault(api="rest", path_prefix="/v1/costcenter", latency_ms=400)

    def network_recovers_during_the_backoff(seconds: float) -> None:
        eboekhouden_sandbox.clear_faults(fault["id"])

    retry = RetryPolicy(attempts=3, base_wait=0.01, max_wait=0.01, sleep=network_recovers_during_the_backoff)
    gateway = connect(admin.api_token, timeouts=Timeouts(connect=2, read=0.2), retry=retry)

    centres = list(gateway.cost_centres())

    assert centres
    assert gateway.calls["GET /v1/costcenter"] == 2


@pytest.mark.parametrize("fault", ["non_json_count", "truncate_count", "reset_count"])
def test_a_body_cut_short_or_replaced_once_is_asked_for_again(connect, admin, eboekhouden_sandbox, fault):
    eboekhouden_sandbox.set_fault(api="rest", path_prefix="/v1/ledger", **{fault: 1})
    gateway = connect(admin.api_token)

    ledgers = list(gateway.ledgers())

    assert len(ledgers) == len(eboekhouden_sandbox.balances(admin.guid))
    assert gateway.calls["GET /v1/ledger"] == 2


@pytest.mark.parametrize("fault", ["non_json_count", "truncate_count"])
def test_an_answer_garbled_every_time_is_a_garbled_response_with_its_message(
    connect, admin, eboekhouden_sandbox, fault
):
    eboekhouden_sandbox.set_fault(api="rest", path_prefix="/v1/ledger", **{fault: 10})
    gateway = connect(admin.api_token)

    with pytest.raises(GarbledResponse) as caught:
        list(gateway.ledgers())

    assert str(caught.value) == messages.GARBLED
    assert gateway.calls["GET /v1/ledger"] == 4  # every attempt of the retry policy


# --- keys --------------------------------------------------------------------------------------------------------


def test_an_expired_key_gives_credentials_expired_with_the_renew_message(
    connect, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    info = eboekhouden_sandbox.expire_token(eboekhouden_sandbox_administration.guid)

    with pytest.raises(CredentialsExpired) as caught:
        list(connect(info.api_token).ledgers())

    assert caught.value.user_message == messages.KEY_EXPIRED
    assert caught.value.reconnect_needed


def test_a_revoked_key_gives_the_refused_key_message(connect, eboekhouden_sandbox, eboekhouden_sandbox_administration):
    info = eboekhouden_sandbox.revoke_token(eboekhouden_sandbox_administration.guid)

    with pytest.raises(AuthenticationError) as caught:
        list(connect(info.api_token).ledgers())

    assert caught.value.user_message == messages.KEY_REFUSED


def test_a_key_replaced_by_a_password_change_is_refused(
    connect, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    old_token = eboekhouden_sandbox_administration.api_token
    eboekhouden_sandbox.rotate_token(eboekhouden_sandbox_administration.guid)

    with pytest.raises(AuthenticationError) as caught:
        list(connect(old_token).ledgers())

    assert "password was changed" in str(caught.value)


def test_a_key_revoked_mid_sync_stops_the_sync_with_the_refused_key_message(
    connect, eboekhouden_sandbox, eboekhouden_sandbox_administration, sleeps
):
    info = eboekhouden_sandbox_administration
    gateway = connect(info.api_token, page_size=20)
    headers = gateway.mutation_headers(*WHOLE_BOOKS)
    next(headers)
    eboekhouden_sandbox.revoke_token(info.guid)

    with pytest.raises(AuthenticationError):
        list(headers)

    assert sleeps == []


# --- concurrency -------------------------------------------------------------------------------------------------


def test_the_concurrent_fetch_returns_each_mutation_exactly_once(connect, admin, eboekhouden_sandbox):
    ids = [m["id"] for m in eboekhouden_sandbox.truth(admin.guid) if m["id"]]
    gateway = connect(admin.api_token, max_parallel=8)

    fetched = [m.id for m in gateway.mutations(ids + ids[:50])]

    assert sorted(fetched) == sorted(ids)
    assert gateway.calls["GET /v1/mutation/{id}"] == len(ids)


def test_the_concurrent_fetch_never_exceeds_its_parallelism(connect, admin, eboekhouden_sandbox):
    eboekhouden_sandbox.set_fault(api="rest", path_prefix="/v1/mutation/", latency_ms=20)
    ids = [m["id"] for m in eboekhouden_sandbox.truth(admin.guid) if m["id"]][:60]
    gateway = connect(admin.api_token, max_parallel=4)

    list(gateway.mutations(ids))

    assert gateway.client.limiter.peak_in_flight == 4


def test_a_server_concurrency_cap_lowers_the_parallelism_and_everything_arrives(connect, admin, eboekhouden_sandbox):
    eboekhouden_sandbox.set_fault(api="rest", path_prefix="/v1/mutation/", latency_ms=20, max_concurrent=2)
    ids = [m["id"] for m in eboekhouden_sandbox.truth(admin.guid) if m["id"]][:80]
    gateway = connect(admin.api_token, max_parallel=8)

    fetched = sorted(m.id for m in gateway.mutations(ids))

    assert fetched == sorted(ids)
    assert gateway.client.limiter.limit < 8
