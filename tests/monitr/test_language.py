"""The language of the pages: the user's saved choice, else the cookie, else the browser; chosen in the user menu (or
on the sign-in page), in English or Dutch, with numbers and words to match."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from monitr.accounts.models import User
from monitr.tenancy.models import Role
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
MEMBERS = reverse("tenancy:members")
CHOOSE = reverse("language")


def _lang(html: str) -> str:
    match = re.search(r'<html lang="([^"]*)"', html)
    assert match, "the page has no <html lang>"
    return match.group(1)


@pytest.fixture
def member_client() -> tuple[Client, User]:
    membership = MembershipFactory(role=Role.ADMIN)
    client = Client()
    client.force_login(membership.user)
    return client, membership.user


def test_sign_in_page_follows_the_browser(client: Client) -> None:
    english = client.get(LOGIN).content.decode()
    assert _lang(english) == "en-gb"
    assert "<h1>Sign in</h1>" in english

    dutch = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="nl-NL,nl;q=0.9,en;q=0.5").content.decode()
    assert _lang(dutch) == "nl"
    assert "<h1>Inloggen</h1>" in dutch
    assert "Financiële dashboards voor kleine bedrijven" in dutch
    assert "Sign in" not in dutch


def test_a_language_chosen_before_signing_in_is_kept_in_a_cookie(client: Client) -> None:
    response = client.post(CHOOSE, {"language": "nl", "next": LOGIN})
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nl"
    # The cookie wins over an English browser.
    page = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert _lang(page) == "nl" and "Inloggen" in page


def test_a_users_saved_language_wins_over_the_browser_and_the_cookie(member_client: tuple[Client, User]) -> None:
    client, user = member_client
    response = client.post(CHOOSE, {"language": "nl", "next": MEMBERS}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "nl"

    # Another browser, in English, without the cookie: the saved choice follows the user.
    other = Client(HTTP_ACCEPT_LANGUAGE="en-GB")
    other.force_login(user)
    other.cookies[settings.LANGUAGE_COOKIE_NAME] = "en-gb"
    page = other.get(MEMBERS).content.decode()
    assert _lang(page) == "nl"
    assert "Leden van" in page and "Een collega uitnodigen" in page and "Uitloggen" in page
    assert "Invite a colleague" not in page and "Sign out" not in page
    assert other.get(MEMBERS)["Content-Language"] == "nl"


def test_choosing_the_browsers_language_forgets_the_choice(member_client: tuple[Client, User]) -> None:
    client, user = member_client
    user.language = "nl"
    user.save()
    response = client.post(CHOOSE, {"language": "", "next": MEMBERS})
    user.refresh_from_db()
    assert user.language == ""
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == ""  # deleted
    assert _lang(client.get(MEMBERS, HTTP_ACCEPT_LANGUAGE="en").content.decode()) == "en-gb"
    assert _lang(client.get(MEMBERS, HTTP_ACCEPT_LANGUAGE="nl").content.decode()) == "nl"


def test_the_user_menu_offers_the_languages_with_the_choice_selected(member_client: tuple[Client, User]) -> None:
    client, user = member_client
    page = client.get(MEMBERS).content.decode()
    assert 'action="/language/"' in page
    assert '<option value="" selected>As the browser</option>' in page
    assert '<option value="nl" lang="nl">Nederlands</option>' in page
    user.language = "nl"
    user.save()
    page = client.get(MEMBERS).content.decode()
    assert '<option value="nl" lang="nl" selected>Nederlands</option>' in page
    assert '<option value="">Zoals de browser</option>' in page


@pytest.mark.parametrize("target", ["https://example.com/", "//example.com/x", "javascript:alert(1)", ""])
def test_the_choice_never_sends_the_browser_elsewhere(client: Client, target: str) -> None:
    response = client.post(CHOOSE, {"language": "nl", "next": target})
    assert response.status_code == 302 and response["Location"] == "/"


def test_an_unknown_language_means_the_browsers(member_client: tuple[Client, User]) -> None:
    client, user = member_client
    client.post(CHOOSE, {"language": "fr", "next": MEMBERS})
    user.refresh_from_db()
    assert user.language == ""


def test_choosing_needs_a_post(client: Client) -> None:
    assert client.get(CHOOSE).status_code == 405


def test_messages_and_form_errors_are_in_the_users_language(client: Client) -> None:
    response = client.post(
        LOGIN, {"username": "nobody@example.com", "password": "wrong password"}, HTTP_ACCEPT_LANGUAGE="nl"
    )
    page = response.content.decode()
    assert "Dat e-mailadres en wachtwoord horen niet bij een account" in page
    assert "E-mailadres" in page and "Wachtwoord" in page


def test_the_api_answers_in_english_whatever_the_callers_language(member_client: tuple[Client, User]) -> None:
    client, user = member_client
    user.language = "nl"
    user.save()
    response = client.get("/api/v1/no-such-endpoint/", HTTP_ACCEPT_LANGUAGE="nl")
    assert response["Content-Language"] == "en-gb"
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT_LANGUAGE="nl")
    assert schema.status_code == 200 and schema["Content-Language"] == "en-gb"


def test_a_reason_the_ledger_stored_in_english_is_shown_in_dutch() -> None:
    import datetime

    from django.utils import translation

    from ledger.records import RefusedValue, _in_range
    from monitr.web.stored_text import shown

    with pytest.raises(RefusedValue) as refused:
        _in_range(datetime.date(1800, 1, 2), "invoice_date")
    stored = str(refused.value)
    assert stored.startswith("The invoice date (1800-01-02) is outside the dates Monitr stores")
    with translation.override("nl"):
        assert shown(stored).startswith("De factuurdatum (1800-01-02) valt buiten de datums die Monitr opslaat")
    with translation.override("en-gb"):
        assert shown(stored) == stored
