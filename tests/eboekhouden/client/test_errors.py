"""The errors made from e-Boekhouden's answers hold none of the caller's secrets, whatever the service echoes."""

from __future__ import annotations

import pickle

import pytest

from eboekhouden.client import SoapCredentials
from eboekhouden.client.errors import rest_error
from eboekhouden.client.soap import SoapClient
from eboekhouden.client.soap_gateway import SoapGateway
from integrations.errors import REDACTED, IntegrationError

from .test_soap_offline import OPENED, URL, envelope

KEY = "ErrKeyCanary-9c2f4e6a8b0d1f3a5c7e9b1d3f5a7c9e"
SESSION = "ErrSessionCanary-2b4d6f8a0c1e3a5c7e9f"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 429, 500])
@pytest.mark.parametrize("field", ["code", "title"])
def test_a_secret_echoed_in_an_error_body_is_blanked(status, field):
    body = {"code": "ERR_042", "title": "Something went wrong", field: f"rejected {KEY} for session {SESSION}"}

    error = rest_error(status=status, body=body, endpoint="/v1/ledger", secrets=(KEY, SESSION))

    for text in (str(error), repr(error), error.user_message, error.code or "", error.title or ""):
        assert KEY not in text and SESSION not in text
    restored = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own error, as Celery carries it
    assert KEY not in f"{restored.code} {restored.title} {restored.user_message}"
    assert REDACTED in f"{error.code} {error.title}"


def test_known_codes_still_decide_the_error():
    error = rest_error(
        status=400, body={"code": "API_SESSION_004", "title": "expired"}, endpoint="/v1/session", secrets=(KEY,)
    )

    assert error.reconnect_needed and error.code == "API_SESSION_004"


@pytest.mark.parametrize("field", ["LastErrorCode", "LastErrorDescription"])
def test_a_security_code_echoed_in_a_soap_error_is_blanked(fast_retry, soap_mocked, field):
    code_2 = "SoapCodeCanary-4d6f8a0c2e4a6c8e"
    texts = {"LastErrorCode": "ERR_WEIRD", "LastErrorDescription": "Something is odd", field: f"bad {code_2.lower()}"}
    soap_mocked.post(URL, body=OPENED)
    soap_mocked.post(
        URL,
        body=envelope(
            "GetKostenplaatsen",
            "<ErrorMsg>" + "".join(f"<{k}>{v}</{k}>" for k, v in texts.items()) + "</ErrorMsg>",
        ),
    )
    gateway = SoapGateway(SoapClient(SoapCredentials("user", "CODE-ONE-0000", code_2), base_url=URL, retry=fast_retry))

    with pytest.raises(IntegrationError) as caught:
        list(gateway.cost_centres())

    error = caught.value
    assert code_2.lower() not in f"{error.code} {error.title} {error.user_message}".lower()
