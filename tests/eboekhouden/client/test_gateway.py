"""The factory picks the protocol from the credentials and the end point from the settings."""

from __future__ import annotations

import pytest

from eboekhouden.client import ApiTokenCredentials, BookkeepingGateway, SoapCredentials, open_gateway
from eboekhouden.client.rest import RestGateway
from eboekhouden.client.soap_gateway import SoapGateway


def test_an_api_token_gets_the_rest_gateway_at_the_configured_url(settings):
    settings.EBOEKHOUDEN_REST_URL = "http://sandbox.test:8080"

    gateway = open_gateway(ApiTokenCredentials("token-1234567890"))

    assert isinstance(gateway, RestGateway)
    assert gateway.client.base_url == "http://sandbox.test:8080"


def test_security_codes_get_the_soap_gateway_at_the_configured_url(settings):
    settings.EBOEKHOUDEN_SOAP_URL = "http://sandbox.test:8080/soap.asmx"

    gateway = open_gateway(SoapCredentials("user", "code-one-1234", "code-two-5678"))

    assert isinstance(gateway, SoapGateway)
    assert gateway.client.base_url == "http://sandbox.test:8080/soap.asmx"


def test_an_explicit_base_url_wins_over_the_settings():
    gateway = open_gateway(ApiTokenCredentials("token-1234567890"), base_url="http://elsewhere.test")

    assert gateway.client.base_url == "http://elsewhere.test"


def test_both_gateways_fulfil_the_gateway_protocol():
    rest = open_gateway(ApiTokenCredentials("token-1234567890"), base_url="http://x.test")
    soap = open_gateway(SoapCredentials("u", "c1-long-enough", "c2-long-enough"), base_url="http://x.test/soap.asmx")

    assert isinstance(rest, BookkeepingGateway)
    assert isinstance(soap, BookkeepingGateway)


def test_other_credentials_are_refused():
    with pytest.raises(TypeError):
        open_gateway("a bare string")  # type: ignore[arg-type]


def test_credentials_never_show_their_secrets():
    rest = ApiTokenCredentials("api-token-abcdef123456")
    soap = SoapCredentials("someone@example.nl", "code-one-abcdef", "code-two-abcdef", "GUID-1")

    shown = " ".join([repr(rest), str(rest), repr(soap), str(soap)])

    for secret in ("api-token-abcdef123456", "code-one-abcdef", "code-two-abcdef", "someone@example.nl"):
        assert secret not in shown


def test_a_rest_gateway_fetches_thirty_two_mutations_at_once_unless_the_settings_say_otherwise(settings):
    gateway = open_gateway(ApiTokenCredentials("token-1234567890"), base_url="http://x.test")
    assert gateway.client.max_parallel == 32

    settings.EBOEKHOUDEN_MAX_PARALLEL = 6
    configured = open_gateway(ApiTokenCredentials("token-1234567890"), base_url="http://x.test")

    assert configured.client.max_parallel == 6
    assert configured.client.limiter.maximum == 6
    assert configured.client.transport.session.connection_from_url("http://x.test").pool.maxsize == 6
