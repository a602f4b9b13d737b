"""The SOAP gateway against the sandbox: the same DTOs as REST, its ErrorMsg codes, and the 500-mutation cap."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

import pytest

from eboekhouden.client import ApiTokenCredentials, Side, SoapCredentials, Timeouts
from eboekhouden.client import errors as messages
from eboekhouden.client.rest import RestClient, RestGateway
from eboekhouden.client.soap import SoapClient
from eboekhouden.client.soap_gateway import SoapGateway
from integrations.errors import AccessDenied, AuthenticationError, CredentialsExpired, GarbledResponse, NotFound

WHOLE_BOOKS = (dt.date(2000, 1, 1), dt.date(2030, 12, 31))


@pytest.fixture
def admin(eboekhouden_sandbox):
    return eboekhouden_sandbox.administrations[0]


@pytest.fixture
def gateways(fast_retry):
    opened: list = []

    def soap(sandbox, info, **credentials) -> SoapGateway:
        creds = SoapCredentials(info.username, info.security_code_1, info.security_code_2, **credentials)
        gateway = SoapGateway(SoapClient(creds, base_url=sandbox.soap_url, retry=fast_retry, timeouts=Timeouts(2, 5)))
        opened.append(gateway)
        return gateway

    def rest(sandbox, info) -> RestGateway:
        client = RestClient(ApiTokenCredentials(info.api_token), base_url=sandbox.rest_url, retry=fast_retry)
        gateway = RestGateway(client)
        opened.append(gateway)
        return gateway

    yield soap, rest
    for gateway in opened:
        gateway.close()


@pytest.fixture
def both(gateways, eboekhouden_sandbox, admin):
    soap, rest = gateways
    return soap(eboekhouden_sandbox, admin), rest(eboekhouden_sandbox, admin)


# What SOAP does not carry (see the SoapGateway docstring); everything else must be equal.
def without_soap_gaps(value):
    if isinstance(value, list):
        return [without_soap_gaps(item) for item in value]
    name = type(value).__name__
    if name == "Relation":
        return dataclasses.replace(value, term_of_payment=None, inactive=None, email_invoice=None, email_reminder=None)
    if name == "CostCentre":
        return dataclasses.replace(value, active=None)
    if name == "OutstandingItem":
        return dataclasses.replace(value, mutation_id=None)
    if name == "Mutation":
        rows = tuple(dataclasses.replace(row, description=None, relation_id=None) for row in value.rows)
        return dataclasses.replace(value, rows=rows)
    return value


def by_code(items):
    return sorted(items, key=lambda item: getattr(item, "code", None) or getattr(item, "ledger_code", ""))


def test_soap_ledgers_equal_rest_ledgers(both):
    soap, rest = both

    assert by_code(soap.ledgers()) == by_code(rest.ledgers())


def test_soap_relations_equal_rest_relations_but_for_what_soap_lacks(both):
    soap, rest = both

    assert by_code(soap.relations()) == by_code(without_soap_gaps(list(rest.relations())))


def test_soap_cost_centres_equal_rest_cost_centres_but_for_active(both):
    soap, rest = both

    assert list(soap.cost_centres()) == without_soap_gaps(list(rest.cost_centres()))


def as_rest_lists(soap_headers):
    """SOAP's headers as the REST list shows them: SOAP's alone carry a digest of the whole mutation (it lists whole
    mutations), which every one of them, but the opening balance's items, has."""
    assert all(header.digest for header in soap_headers if not header.is_opening_balance)
    return [dataclasses.replace(header, digest=None) for header in soap_headers]


def test_soap_mutation_headers_equal_rest_headers_opening_balance_included(both):
    soap, rest = both

    soap_headers = list(soap.mutation_headers(*WHOLE_BOOKS))

    assert as_rest_lists(soap_headers) == list(rest.mutation_headers(*WHOLE_BOOKS))
    assert any(header.is_opening_balance for header in soap_headers)


def test_soap_headers_of_a_date_window_equal_rest_headers(both):
    soap, rest = both
    window = (dt.date(2025, 3, 1), dt.date(2025, 3, 31))

    soap_headers = list(soap.mutation_headers(*window))

    assert soap_headers
    assert as_rest_lists(soap_headers) == list(rest.mutation_headers(*window))


def test_soap_mutations_equal_rest_mutations_but_for_row_descriptions(both, eboekhouden_sandbox, admin):
    soap, rest = both
    ids = [m["id"] for m in eboekhouden_sandbox.truth(admin.guid) if m["id"]]

    from_soap = {m.id: m for m in soap.mutations(ids)}
    from_rest = {m.id: m for m in rest.mutations(ids)}

    assert from_soap == {key: without_soap_gaps(value) for key, value in from_rest.items()}


def test_row_amounts_split_like_the_soap_excl_incl_fields(both, eboekhouden_sandbox, admin):
    soap, _ = both
    truth = eboekhouden_sandbox.truth(admin.guid, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    raw = soap._get_mutaties(DatumVan=dt.datetime(2025, 1, 1), DatumTm=dt.datetime(2025, 12, 31))

    for item in raw:
        mutation = soap._mutation(item)
        for row, regel in zip(mutation.rows, item.MutatieRegels.cMutatieListRegel, strict=True):
            assert mutation.row_amounts(row) == (regel.BedragExclBTW, regel.BedragBTW, regel.BedragInclBTW)
    assert len(raw) == len(truth)


def test_soap_serves_mutations_it_listed_without_asking_again(both):
    soap, _ = both
    ids = [header.id for header in soap.mutation_headers(*WHOLE_BOOKS) if header.id]
    calls_after_listing = soap.calls["GetMutaties"]

    fetched = list(soap.mutations(ids))

    assert len(fetched) == len(ids)
    assert soap.calls["GetMutaties"] == calls_after_listing


def test_a_mutation_soap_did_not_list_is_fetched_by_number(both):
    soap, rest = both

    assert soap.mutation(17) == without_soap_gaps(rest.mutation(17))


def test_a_mutation_that_does_not_exist_is_not_found_over_soap(both):
    soap, _ = both

    with pytest.raises(NotFound):
        soap.mutation(987654)


@pytest.mark.parametrize("side", list(Side))
def test_soap_outstanding_items_equal_rest_but_for_the_mutation_id(both, side):
    soap, rest = both

    assert list(soap.outstanding_items(side)) == without_soap_gaps(list(rest.outstanding_items(side)))


def test_soap_balances_equal_rest_balances(both):
    soap, rest = both
    period = (dt.date(2025, 1, 1), dt.date(2025, 6, 30))

    assert by_code(soap.balances(*period)) == by_code(rest.balances(*period))


def test_soap_administrations_equal_rest_administrations(both):
    soap, rest = both

    assert sorted(soap.administrations(), key=str) == sorted(rest.administrations(), key=str)


def test_more_mutations_than_the_cap_are_read_in_windows_and_the_cap_is_noticed(
    eboekhouden_sandbox_factory, gateways, caplog
):
    soap, rest = gateways
    sandbox = eboekhouden_sandbox_factory(administrations=1, mutations=1300)
    info = sandbox.administrations[0]
    caplog.set_level(logging.INFO)
    soap_gateway = soap(sandbox, info)

    headers = list(soap_gateway.mutation_headers(*WHOLE_BOOKS))

    assert as_rest_lists(headers) == list(rest(sandbox, info).mutation_headers(*WHOLE_BOOKS))
    assert "eboekhouden.soap.cap_reached" in caplog.text
    # The capped probe, then windows of 500 numbers up to 1300 and one past it.
    assert soap_gateway.calls["GetMutaties"] == 1 + 4


def test_open_session_sub_reads_a_linked_administration(gateways, eboekhouden_sandbox, admin):
    soap, rest = gateways
    linked = eboekhouden_sandbox.administrations[1]
    gateway = soap(eboekhouden_sandbox, admin, administration_guid=linked.guid)

    assert by_code(gateway.ledgers()) == by_code(rest(eboekhouden_sandbox, linked).ledgers())


def test_a_lost_soap_session_is_opened_again_once(both, eboekhouden_sandbox, admin):
    soap, _ = both
    eboekhouden_sandbox.set_fault(api="soap", administration=admin.guid, session_max_calls=1)
    list(soap.ledgers())

    centres = list(soap.cost_centres())

    assert centres
    assert (soap.calls["OpenSession"], soap.calls["GetKostenplaatsen"]) == (2, 2)


def test_wrong_security_codes_give_the_refused_login_message(gateways, eboekhouden_sandbox, admin):
    soap, _ = gateways
    wrong = dataclasses.replace(admin, security_code_1="WRONG-CODE-1")

    with pytest.raises(AuthenticationError) as caught:
        list(soap(eboekhouden_sandbox, wrong).ledgers())

    assert caught.value.user_message == messages.SOAP_LOGIN_REFUSED
    assert caught.value.code == "ERR_LOGIN"


def test_expired_security_codes_give_credentials_expired(
    gateways, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    soap, _ = gateways
    info = eboekhouden_sandbox.expire_token(eboekhouden_sandbox_administration.guid, "legacy")

    with pytest.raises(CredentialsExpired) as caught:
        list(soap(eboekhouden_sandbox, info).ledgers())

    assert caught.value.user_message == messages.SOAP_LOGIN_EXPIRED


def test_a_linked_administration_out_of_reach_is_access_denied(
    gateways, eboekhouden_sandbox, eboekhouden_sandbox_administration, admin
):
    soap, _ = gateways

    with pytest.raises(AccessDenied) as caught:
        list(soap(eboekhouden_sandbox, eboekhouden_sandbox_administration, administration_guid=admin.guid).ledgers())

    assert caught.value.code == "ERR_ADMINISTRATIE"


def test_soap_survives_a_5xx_burst(both, eboekhouden_sandbox):
    soap, _ = both
    eboekhouden_sandbox.set_fault(api="soap", error_count=2)

    assert list(soap.ledgers())


@pytest.mark.parametrize("fault", ["truncate_count", "non_json_count", "reset_count"])
def test_a_soap_answer_cut_short_or_replaced_once_is_asked_for_again(both, eboekhouden_sandbox, fault):
    soap, rest = both
    list(soap.cost_centres())  # the session is open: the fault hits a data call
    eboekhouden_sandbox.set_fault(api="soap", **{fault: 1})

    assert list(soap.ledgers()) == list(rest.ledgers())
    assert soap.calls.snapshot()["GetGrootboekrekeningen"] == 2


def test_a_soap_answer_garbled_every_time_is_a_garbled_response(both, eboekhouden_sandbox):
    soap, _ = both
    list(soap.cost_centres())
    eboekhouden_sandbox.set_fault(api="soap", truncate_count=10)

    with pytest.raises(GarbledResponse) as caught:
        list(soap.ledgers())

    assert str(caught.value) == messages.GARBLED
    assert soap.calls.snapshot()["GetGrootboekrekeningen"] == 4


def test_soap_calls_are_counted_per_operation(both):
    soap, _ = both

    list(soap.ledgers())
    list(soap.cost_centres())

    assert soap.calls.snapshot() == {"OpenSession": 1, "GetGrootboekrekeningen": 1, "GetKostenplaatsen": 1}


def test_both_gateways_say_alike_whether_a_window_holds_a_mutation(both, eboekhouden_sandbox, admin):
    soap, rest = both
    first = min(dt.date.fromisoformat(m["date"]) for m in eboekhouden_sandbox.truth(admin.guid))
    windows = [(first - dt.timedelta(days=400), first - dt.timedelta(days=1)), (first, first), WHOLE_BOOKS]

    assert [rest.has_mutations(*w) for w in windows] == [False, True, True]
    assert [soap.has_mutations(*w) for w in windows] == [False, True, True]
    assert rest.calls.snapshot()["GET /v1/mutation"] == 3  # one list call each, a page of one item


def test_both_gateways_answer_many_windows_sent_together_as_each_alone(both, eboekhouden_sandbox, admin):
    soap, rest = both
    first = min(dt.date.fromisoformat(m["date"]) for m in eboekhouden_sandbox.truth(admin.guid))
    windows = [(first - dt.timedelta(days=400), first - dt.timedelta(days=1)), (first, first), WHOLE_BOOKS]
    months = [(dt.date(first.year + 1, month, 1), dt.date(first.year + 1, month, 28)) for month in range(1, 7)]

    assert (
        dict(rest.has_mutations_each(windows))
        == dict(soap.has_mutations_each(windows))
        == dict(zip(windows, [False, True, True], strict=True))
    )
    # Over REST the calls went out from the process's event loop, not the gateway's threads.
    assert rest.client.transport.async_sender is not None and rest._executor is None
    for gateway in (rest, soap):
        together = dict(gateway.balances_each(months))
        assert together == {month: gateway.balances(*month) for month in months}
        assert any(balance.balance for balance in together[months[0]])
