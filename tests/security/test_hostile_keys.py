"""API keys pasted wrong into the Add wizard and the "update key" form: spaces, line breaks, NUL characters,
megabytes of text. Each gets a clear form error (or, past Django's request size limit, a clear 400 page), nothing is
stored, and nothing is sent to e-Boekhouden."""

from __future__ import annotations

import pytest
from django.urls import reverse

from eboekhouden.provider import EboekhoudenProvider
from integrations.models import Connection

pytestmark = pytest.mark.django_db

ADD = reverse("integrations:add", args=["eboekhouden"])
BAD_KEYS = {
    "a space": ("ABCD EFGH1234", "no spaces or line breaks"),
    "a line break": ("ABCDEFGH\n1234", "no spaces or line breaks"),
    "a tab": ("ABCD\tEFGH", "no spaces or line breaks"),
    "a NUL character": ("ABCD\x00EFGH", "Null characters are not allowed"),
    "a megabyte": ("K" * 1_000_000, "longer than any e-Boekhouden API key"),
    "a pasted e-mail": ("Hi,\r\n\r\nhere is the key: ABCDEF\r\n\r\nRegards", "no spaces or line breaks"),
}


@pytest.fixture
def upstream(monkeypatch):
    """Every credentials check that would reach e-Boekhouden, by the length of what it would send."""
    sent: list[int] = []
    original = EboekhoudenProvider.check_credentials

    def spy(self, cleaned_data):
        sent.append(sum(len(str(v)) for v in cleaned_data.values()))
        return original(self, cleaned_data)

    monkeypatch.setattr(EboekhoudenProvider, "check_credentials", spy)
    return sent


@pytest.fixture
def connection(organization, sandbox_settings, eboekhouden_sandbox):
    from tests.connections import connect

    return connect(organization, eboekhouden_sandbox.administrations[0])


@pytest.mark.parametrize("case", BAD_KEYS)
def test_the_add_wizard_refuses_a_malformed_key_with_a_form_error(admin_client, upstream, sandbox_settings, case):
    key, message = BAD_KEYS[case]

    response = admin_client.post(ADD, {"api_key": key})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert key[:20] not in response.content.decode() or key[:20] == "K" * 20  # never echoed back
    assert upstream == []
    assert not Connection.objects.exists()
    assert not [key for key, _ in admin_client.session.items() if "pending" in key]


@pytest.mark.parametrize("case", BAD_KEYS)
def test_update_key_refuses_a_malformed_key_and_keeps_the_old_one(admin_client, upstream, connection, case):
    key, message = BAD_KEYS[case]
    before = Connection.objects.get(pk=connection.pk).credentials

    response = admin_client.post(reverse("integrations:update_key", args=[connection.pk]), {"api_key": key})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert upstream == []
    assert Connection.objects.get(pk=connection.pk).credentials == before


def test_the_legacy_fields_refuse_megabytes_too(admin_client, upstream, sandbox_settings):
    response = admin_client.post(
        ADD, {"username": "u" * 1_000_000, "security_code_1": "c" * 1_000_000, "security_code_2": "ok"}
    )

    assert response.status_code == 200
    assert "Ensure this value has at most 200 characters" in response.content.decode()
    assert "longer than any e-Boekhouden security code" in response.content.decode()
    assert upstream == []


def test_a_body_beyond_the_request_limit_gets_a_clear_400(admin_client, upstream, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default, stated: the test relies on it

    response = admin_client.post(ADD, {"api_key": "K" * 3_000_000})

    assert response.status_code == 400
    assert "too large" in response.content.decode()
    assert upstream == []
    assert not Connection.objects.exists()


def test_surrounding_spaces_are_trimmed_and_the_key_is_checked(
    admin_client, upstream, sandbox_settings, eboekhouden_sandbox
):
    """The control: a well-formed key does reach the check (so the empty ``upstream`` above means something)."""
    key = eboekhouden_sandbox.administrations[0].api_token

    response = admin_client.post(ADD, {"api_key": f"  {key}\n"})

    assert response.status_code == 302
    assert upstream == [len(key)]
    assert [key for key, _ in admin_client.session.items() if "pending" in key]


NON_ASCII_KEYS = {"an accent": "clé0123456789abcdef", "an emoji": "🔑" * 12, "Cyrillic": "ключ0123456789"}


@pytest.mark.parametrize("case", NON_ASCII_KEYS)
def test_a_non_ascii_key_is_refused_by_e_boekhouden_not_lost_on_the_way(admin_client, sandbox_settings, case):
    """No form rule forbids letters outside ASCII (e-Boekhouden decides what a key is): such a key goes to
    e-Boekhouden, which refuses it as it refuses any wrong key; the wizard says so instead of "could not be
    reached"."""
    response = admin_client.post(ADD, {"api_key": NON_ASCII_KEYS[case]})

    html = response.content.decode()
    assert response.status_code == 200
    assert "did not accept this API key" in html
    assert "could not be reached" not in html
    assert not Connection.objects.exists()


def test_non_ascii_security_codes_are_refused_as_a_wrong_login(admin_client, sandbox_settings, eboekhouden_sandbox):
    admin = eboekhouden_sandbox.administrations[0]

    response = admin_client.post(
        ADD, {"username": admin.username, "security_code_1": "wrongé", "security_code_2": admin.security_code_2}
    )

    html = response.content.decode()
    assert "did not accept this username and these security codes" in html
    assert "could not be reached" not in html
