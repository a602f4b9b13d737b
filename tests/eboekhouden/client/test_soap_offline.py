"""The SOAP client without a server: loading offline, the configured end point, faults and unreadable answers."""

from __future__ import annotations

import os

import pytest
import responses

from eboekhouden.client import SoapCredentials
from eboekhouden.client.soap import SoapClient, wsdl_path
from eboekhouden.client.soap_gateway import SoapGateway
from integrations.errors import GarbledResponse, ProviderApiError

URL = "https://soap.test/soap.asmx"
CODE_1, CODE_2 = "SECURITY-CODE-ONE-1234", "SECURITY-CODE-TWO-5678"


def envelope(operation: str, result: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
        f'<soap:Body><{operation}Response xmlns="http://www.e-boekhouden.nl/soap"><{operation}Result>{result}'
        f"</{operation}Result></{operation}Response></soap:Body></soap:Envelope>"
    )


OPENED = envelope("OpenSession", "<ErrorMsg><LastErrorCode /></ErrorMsg><SessionID>soap-session-id-42</SessionID>")


def soap_gateway(fast_retry) -> SoapGateway:
    return SoapGateway(SoapClient(SoapCredentials("user", CODE_1, CODE_2), base_url=URL, retry=fast_retry))


def test_the_wsdl_ships_inside_the_package():
    assert os.path.isfile(wsdl_path())


def test_the_client_loads_without_touching_the_network(fast_retry):
    with responses.RequestsMock() as mocked:
        soap_gateway(fast_retry)

        assert len(mocked.calls) == 0


def test_calls_go_to_the_configured_end_point_not_the_wsdl_address(fast_retry, soap_mocked):
    soap_mocked.post(URL, body=OPENED)
    soap_mocked.post(URL, body=envelope("GetKostenplaatsen", "<ErrorMsg /><Kostenplaatsen />"))

    assert list(soap_gateway(fast_retry).cost_centres()) == []
    assert [call.request.url for call in soap_mocked.calls] == [URL, URL]


def test_an_unknown_error_code_is_an_api_error_with_the_description_redacted(fast_retry, soap_mocked):
    soap_mocked.post(URL, body=OPENED)
    soap_mocked.post(
        URL,
        body=envelope(
            "GetKostenplaatsen",
            f"<ErrorMsg><LastErrorCode>ERR_WEIRD</LastErrorCode><LastErrorDescription>Code {CODE_2} is odd"
            "</LastErrorDescription></ErrorMsg>",
        ),
    )

    with pytest.raises(ProviderApiError) as caught:
        list(soap_gateway(fast_retry).cost_centres())

    assert caught.value.code == "ERR_WEIRD"
    assert CODE_2 not in caught.value.title
    assert CODE_2 not in str(caught.value)


def test_a_soap_fault_is_an_api_error_not_a_retried_server_error(fast_retry, soap_mocked, sleeps):
    fault = (
        '<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        "<soap:Fault><faultcode>soap:Client</faultcode><faultstring>Bad request</faultstring></soap:Fault>"
        "</soap:Body></soap:Envelope>"
    )
    soap_mocked.post(URL, body=fault, status=500)

    with pytest.raises(ProviderApiError) as caught:
        list(soap_gateway(fast_retry).ledgers())

    assert "Bad request" in caught.value.title
    assert sleeps == []


def test_an_answer_that_is_not_xml_is_a_garbled_response(fast_retry, soap_mocked):
    soap_mocked.post(URL, body="<html><body>Bad gateway", status=200)

    with pytest.raises(GarbledResponse):
        list(soap_gateway(fast_retry).ledgers())


def test_a_mutation_with_an_unknown_soort_is_a_garbled_response(fast_retry, soap_mocked):
    soap_mocked.post(URL, body=OPENED)
    soap_mocked.post(
        URL,
        body=envelope(
            "GetMutaties",
            "<ErrorMsg /><Mutaties><cMutatieList><MutatieNr>1</MutatieNr><Soort>Onbekend</Soort>"
            "<Datum>2025-01-01T00:00:00</Datum><Rekening>1000</Rekening><MutatieRegels /></cMutatieList></Mutaties>",
        ),
    )
    soap_mocked.post(
        URL,
        body=envelope(
            "GetGrootboekrekeningen",
            "<ErrorMsg /><Rekeningen><cGrootboekrekening><ID>1</ID><Code>1000</Code><Omschrijving>Kas</Omschrijving>"
            "<Categorie>FIN</Categorie><Groep /></cGrootboekrekening></Rekeningen>",
        ),
    )

    with pytest.raises(GarbledResponse):
        soap_gateway(fast_retry).mutation(1)


def test_open_items_amounts_sent_as_doubles_become_the_exact_decimals(fast_retry, soap_mocked):
    from decimal import Decimal

    soap_mocked.post(URL, body=OPENED)
    soap_mocked.post(
        URL,
        body=envelope(
            "GetOpenPosten",
            "<ErrorMsg /><Openposten><cOpenPost><MutDatum>2025-01-02T00:00:00</MutDatum><MutFactuur>F1</MutFactuur>"
            "<RelCode /><RelBedrijf /><Bedrag>0.3</Bedrag><Voldaan>0.1</Voldaan><Openstaand>0.2</Openstaand>"
            "</cOpenPost></Openposten>",
        ),
    )

    (item,) = soap_gateway(fast_retry).outstanding_items("D")

    assert (item.total_amount, item.paid_amount, item.outstanding_amount) == (
        Decimal("0.3"),
        Decimal("0.1"),
        Decimal("0.2"),
    )
    assert item.paid_amount + item.outstanding_amount == item.total_amount


def test_a_service_that_ignores_the_number_window_is_garbled_not_an_endless_walk(fast_retry, soap_mocked):
    import datetime as dt

    full = "".join(
        f"<cMutatieList><MutatieNr>{number}</MutatieNr><Soort>Memoriaal</Soort><Datum>2025-01-01T00:00:00</Datum>"
        "<MutatieRegels /></cMutatieList>"
        for number in range(1001, 1501)
    )
    soap_mocked.post(URL, body=OPENED)
    soap_mocked.post(URL, body=envelope("GetMutaties", f"<ErrorMsg /><Mutaties>{full}</Mutaties>"))  # capped probe
    soap_mocked.post(URL, body=envelope("GetMutaties", f"<ErrorMsg /><Mutaties>{full}</Mutaties>"))  # window 0..499

    with pytest.raises(GarbledResponse) as caught:
        list(soap_gateway(fast_retry).mutation_headers(dt.date(2025, 1, 1), dt.date(2025, 12, 31)))

    assert "MutatieNrVan" in caught.value.title
