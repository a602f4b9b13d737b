"""The provider-neutral errors: user messages, flags the sync engine acts on, and nothing secret inside."""

from __future__ import annotations

import pickle

import pytest

from integrations.errors import (
    AccessDenied,
    AuthenticationError,
    CredentialsExpired,
    GarbledResponse,
    IntegrationError,
    NotFound,
    ProviderApiError,
    RateLimited,
    TransientError,
    redact,
)


def test_str_is_the_user_message():
    error = AuthenticationError("Copy the new key from the settings page.")

    assert str(error) == "Copy the new key from the settings page."


def test_without_a_message_the_class_default_is_used():
    assert TransientError().user_message == TransientError.default_message


@pytest.mark.parametrize(
    "cls",
    [AuthenticationError, CredentialsExpired, AccessDenied, TransientError, RateLimited, GarbledResponse, NotFound],
)
def test_default_messages_name_no_provider(cls):
    assert "e-boekhouden" not in cls.default_message.lower()


def test_auth_errors_need_a_reconnect_and_are_not_retried():
    for error in (AuthenticationError(), CredentialsExpired(), AccessDenied()):
        assert (error.reconnect_needed, error.retryable) == (True, False)


def test_transient_errors_and_rate_limits_are_retried():
    assert TransientError().retryable
    assert RateLimited(retry_after=3).retryable


def test_garbled_answers_and_refusals_are_neither_retried_nor_a_reconnect():
    for error in (GarbledResponse(), ProviderApiError(code="X_001")):
        assert (error.retryable, error.reconnect_needed) == (False, False)


def test_an_expired_credential_is_an_authentication_error():
    assert issubclass(CredentialsExpired, AuthenticationError)


def test_not_found_is_a_provider_api_error():
    assert issubclass(NotFound, ProviderApiError)


def test_repr_shows_code_status_and_endpoint_only():
    error = ProviderApiError("message", code="MUT_300", title="Mutation not found.", status=404, endpoint="/v1/x/{id}")

    assert repr(error) == "ProviderApiError(code='MUT_300', status=404, endpoint='/v1/x/{id}')"


def test_an_error_survives_pickling_with_its_fields():
    error = RateLimited("slow down", retry_after=2.5, code="RATE", status=429, endpoint="/v1/ledger")

    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own error, as Celery would carry it

    assert (type(copy), str(copy), copy.retry_after, copy.code, copy.status, copy.endpoint) == (
        RateLimited,
        "slow down",
        2.5,
        "RATE",
        429,
        "/v1/ledger",
    )


def test_every_error_is_an_integration_error():
    for cls in (AuthenticationError, AccessDenied, TransientError, GarbledResponse, ProviderApiError):
        assert issubclass(cls, IntegrationError)


def test_redact_blanks_each_secret_in_a_text():
    assert redact("token abc123 and code XYZ-9", ["abc123", "XYZ-9"]) == "token [redacted] and code [redacted]"


def test_redact_blanks_a_secret_echoed_in_another_case():
    code = "3f1c9a2e-77b0-4c1d-9e8f-0a1b2c3d4e5f"
    assert redact(f"SecurityCode2 {code.upper()} is invalid", [code]) == "SecurityCode2 [redacted] is invalid"


def test_redact_leaves_very_short_values_alone():
    assert redact("a bit of text", ["a", "", None]) == "a bit of text"


def test_redact_passes_none_through():
    assert redact(None, ["secret"]) is None
