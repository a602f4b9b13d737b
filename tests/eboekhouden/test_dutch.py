"""e-Boekhouden in Dutch: the credentials form, a key the service refuses, and what a sync stored in English."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from eboekhouden.client import errors as eb_errors
from eboekhouden.client.errors import rest_error
from integrations.models import Connection, ConnectionStatus, Integration
from ledger.models import Administration
from monitr.web.stored_text import stored

pytestmark = pytest.mark.django_db

NL = {"HTTP_ACCEPT_LANGUAGE": "nl"}


def browser_for(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def test_the_credentials_form_in_dutch(admin_user):
    html = browser_for(admin_user).get(reverse("integrations:add", args=["eboekhouden"]), **NL).content.decode()

    assert "e-Boekhouden koppelen" in html and "Online boekhouden met e-Boekhouden.nl" in html
    assert "API-sleutel" in html and "Maak een token aan en plak het hier." in html
    assert "Oude inloggegevens gebruiken (gebruikersnaam en beveiligingscodes)" in html
    assert "Beveiligingscode 1" in html and "Gebruikersnaam" in html
    assert "Connect e-Boekhouden" not in html and "Create a token and paste it here" not in html
    assert "Use legacy credentials instead" not in html and "Security code 1" not in html


@pytest.mark.parametrize(
    ("data", "dutch", "english"),
    [
        ({"api_key": ""}, "Vul de API-sleutel uit e-Boekhouden in", "Enter the API key"),
        ({"api_key": "abc def"}, "Een API-sleutel van e-Boekhouden bevat geen spaties", "no spaces or line breaks"),
        ({"api_key": "abc", "username": "u"}, "Vul een API-sleutel óf de oude inloggegevens in", "not both"),
        (
            {"username": "u", "security_code_1": "x"},
            "gebruikersnaam en beide beveiligingscodes nodig",
            "need the username",
        ),
    ],
)
def test_the_credentials_form_explains_each_mistake_in_dutch(admin_user, data, dutch, english):
    response = browser_for(admin_user).post(reverse("integrations:add", args=["eboekhouden"]), data, **NL)

    html = response.content.decode()
    assert dutch in html and english not in html


def test_a_key_the_service_refuses_is_explained_in_dutch(admin_user, sandbox_settings, eboekhouden_sandbox):
    browser = browser_for(admin_user)

    response = browser.post(
        reverse("integrations:add", args=["eboekhouden"]), {"api_key": "WRONG-KEY-0000000000000"}, **NL
    )

    html = response.content.decode()
    assert "e-Boekhouden heeft deze API-sleutel niet geaccepteerd." in html
    assert "Beheer → Koppelingen → API" in html  # e-Boekhouden's own menu, as it is named
    assert eb_errors.KEY_REFUSED not in html and not Connection.objects.exists()


def test_the_same_refusal_reads_english_in_english(admin_user, sandbox_settings, eboekhouden_sandbox):
    html = (
        browser_for(admin_user)
        .post(reverse("integrations:add", args=["eboekhouden"]), {"api_key": "WRONG-KEY-0000000000000"})
        .content.decode()
    )

    assert eb_errors.KEY_REFUSED in html


def test_an_error_the_sync_stored_in_english_is_shown_in_dutch(admin_user, organization):
    error = rest_error(status=401, body={"code": "API_SESSION_004"}, endpoint="/v1/session", secrets=())
    integration = Integration.objects.create(organization=organization, provider_key="eboekhouden")
    administration = Administration.objects.create(
        organization=organization, provider="eboekhouden", external_id="guid-1", name="Bakkerij De Zon"
    )
    Connection.objects.create(
        integration=integration,
        administration=administration,
        credentials={"api_token": "x" * 40},
        credentials_hint="••••xxxx",
        transport="rest",
        status=ConnectionStatus.RECONNECT_NEEDED,
        status_message=eb_errors.KEY_EXPIRED,
    )

    html = browser_for(admin_user).get(reverse("integrations:category", args=["accounting"]), **NL).content.decode()

    assert stored(error.user_message) == eb_errors.KEY_EXPIRED  # stored in English, as the engine stores it
    assert "Deze API-sleutel van e-Boekhouden is verlopen." in html
    assert "Opnieuw verbinden nodig" in html and "API-sleutel ••••xxxx" in html
    assert "API-sleutel bijwerken" in html and 'title="Werk eerst de API-sleutel bij"' in html
    assert eb_errors.KEY_EXPIRED not in html and "Reconnect needed" not in html and "Update API key" not in html
