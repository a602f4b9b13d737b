"""The errors made from e-Boekhouden's answers hold none of the caller's secrets, whatever the service echoes."""

from __future__ import annotations

import pickle

import pytest

from eboekhouden.client.errors import rest_error
from integrations.errors import REDACTED

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
