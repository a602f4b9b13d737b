"""The e-Boekhouden provider in the Add wizard: which administrations a key or legacy credentials reach."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from eboekhouden.assumptions import OTHER_ADMINISTRATION_NOTE
from eboekhouden.provider import Transport
from integrations.errors import AuthenticationError
from integrations.models import Connection
from integrations.registry import get

pytestmark = pytest.mark.django_db


def test_an_api_key_can_import_its_own_administration_only(sandbox_settings, eboekhouden_sandbox):
    own, *linked = eboekhouden_sandbox.administrations

    check = get("eboekhouden").check_credentials({"api_key": own.api_token})

    choices = {c.external_id: c for c in check.administrations}
    assert check.transport == Transport.REST
    assert check.secret == {"api_token": own.api_token}
    assert check.hint == f"••••{own.api_token[-4:]}" and own.api_token not in check.hint
    assert choices[own.guid].importable
    for other in linked:
        assert not choices[other.guid].importable
        assert choices[other.guid].note == OTHER_ADMINISTRATION_NOTE


def test_legacy_credentials_can_import_every_administration_of_the_login(sandbox_settings, eboekhouden_sandbox):
    own = eboekhouden_sandbox.administrations[0]

    check = get("eboekhouden").check_credentials(
        {"username": own.username, "security_code_1": own.security_code_1, "security_code_2": own.security_code_2}
    )

    assert check.transport == Transport.SOAP
    assert {c.external_id for c in check.administrations} == {a.guid for a in eboekhouden_sandbox.administrations}
    assert all(c.importable for c in check.administrations)


def test_wrong_legacy_credentials_are_refused_with_their_own_message(sandbox_settings, eboekhouden_sandbox):
    own = eboekhouden_sandbox.administrations[0]

    with pytest.raises(AuthenticationError, match="username and these security codes"):
        get("eboekhouden").check_credentials(
            {"username": own.username, "security_code_1": "WRONG0000000", "security_code_2": own.security_code_2}
        )


@pytest.mark.parametrize(
    "credentials",
    [
        {"api_key": "clé-ключ-🔑-0123456789"},
        {"username": "-", "security_code_1": "WRONGé", "security_code_2": "-"},
    ],
    ids=["api key", "security code"],
)
def test_non_ascii_credentials_are_refused_not_taken_for_an_outage(sandbox_settings, eboekhouden_sandbox, credentials):
    own = eboekhouden_sandbox.administrations[0]
    if "username" in credentials:
        credentials = {**credentials, "username": own.username, "security_code_2": own.security_code_2}

    with pytest.raises(AuthenticationError, match="did not accept"):
        get("eboekhouden").check_credentials(credentials)


def test_the_wizard_says_how_to_import_another_administration(admin_user, sandbox_settings, eboekhouden_sandbox):
    own, other, _ = eboekhouden_sandbox.administrations
    browser = Client()
    browser.force_login(admin_user)
    browser.post(reverse("integrations:add", args=["eboekhouden"]), {"api_key": own.api_token})
    step2 = reverse("integrations:add_administration", args=["eboekhouden"])

    html = browser.get(step2).content.decode()
    response = browser.post(step2, {"administration": other.guid})

    assert "This API key belongs to another administration" in html
    assert "This API key belongs to another administration" in response.content.decode()
    assert not Connection.objects.exists()


def test_a_linked_administration_connects_with_legacy_credentials(
    admin_user, sandbox_settings, eboekhouden_sandbox, monkeypatch
):
    monkeypatch.setattr("integrations.tasks.sync_connection.delay", lambda *args: None)
    own, other, _ = eboekhouden_sandbox.administrations
    browser = Client()
    browser.force_login(admin_user)
    browser.post(
        reverse("integrations:add", args=["eboekhouden"]),
        {"username": own.username, "security_code_1": own.security_code_1, "security_code_2": own.security_code_2},
    )

    browser.post(reverse("integrations:add_administration", args=["eboekhouden"]), {"administration": other.guid})

    connection = Connection.objects.get()
    assert connection.transport == Transport.SOAP
    assert connection.administration.external_id == other.guid
    assert connection.administration.name == other.company


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"api_key": ""}, "Enter the API key"),
        ({"api_key": "abc def"}, "no spaces or line breaks"),
        ({"api_key": "a" * 5000}, "longer than any e-Boekhouden API key"),
        ({"api_key": "abc", "username": "u"}, "either an API key or the legacy credentials"),
        ({"username": "u", "security_code_1": "x"}, "need the username and both security codes"),
    ],
)
def test_the_credentials_form_explains_each_mistake(admin_user, data, message):
    browser = Client()
    browser.force_login(admin_user)

    response = browser.post(reverse("integrations:add", args=["eboekhouden"]), data)

    assert message in response.content.decode()
