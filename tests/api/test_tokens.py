"""Personal API tokens: made on the settings page and shown once, stored hashed, accepted, and revocable."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from rest_framework.test import APIClient

from monitr.accounts.models import ApiToken
from monitr.tenancy.models import Membership

pytestmark = pytest.mark.django_db

PAGE = reverse("accounts:api_tokens")
ADMINISTRATIONS = reverse("api:administrations")


def bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_a_token_is_shown_once_and_stored_only_as_a_digest(member_client, member_user):
    response = member_client.post(PAGE, {"name": "Power BI"}, follow=True)

    page = response.content.decode()
    token = ApiToken.objects.get(user=member_user)
    secret = page.split("data-token>")[1].split("<")[0]
    assert secret.startswith(f"mtr_{token.prefix}_")
    assert secret not in token.digest and len(token.digest) == 64
    assert secret not in member_client.get(PAGE).content.decode()
    assert "Power BI" in member_client.get(PAGE).content.decode()


def test_the_page_says_there_are_no_tokens_and_lists_one_once_it_is_made(member_client):
    empty = member_client.get(PAGE).content.decode()
    assert "No tokens yet." in empty and "<table" not in empty

    member_client.post(PAGE, {"name": "Power BI"})
    page = member_client.get(PAGE).content.decode()

    assert "No tokens yet." not in page and "<td>Power BI</td>" in page and 'data-label="Last used">never' in page


def test_a_new_tokens_secret_is_answered_to_the_post_and_kept_in_no_session(member_client, member_user):
    response = member_client.post(PAGE, {"name": "Power BI"})

    assert response.status_code == 200  # shown in the answer itself: no redirect that must carry it along
    secret = response.content.decode().split("data-token>")[1].split("<")[0]
    assert secret.startswith("mtr_")
    sessions = list(Session.objects.all())
    assert sessions  # the member's own session is among them, so the check below reads something
    for session in sessions:
        assert secret not in session.session_data
        assert secret not in str(session.get_decoded())


def test_the_page_with_a_new_token_asks_the_browser_to_forget_the_post(member_client):
    page = member_client.post(PAGE, {"name": "Power BI"}).content.decode()

    # static/js/monitr.js turns the history entry of a data-shown-once page into a GET: a reload shows no secret.
    assert page.count("data-shown-once") == 1
    assert "data-shown-once" not in member_client.get(PAGE).content.decode()


def test_the_token_pages_are_never_stored_by_a_cache(member_client):
    for response in (member_client.get(PAGE), member_client.post(PAGE, {"name": "Power BI"})):
        assert "no-store" in response["Cache-Control"]


def test_the_apis_answers_to_a_token_are_never_stored_by_a_cache(token_client, books):
    response = token_client.get(ADMINISTRATIONS)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_token_reads_its_organisations_data(token_client, books):
    response = token_client.get(ADMINISTRATIONS)

    assert response.status_code == 200
    assert [a["name"] for a in response.json()["results"]] == ["Acme Books BV"]


def test_a_revoked_token_is_refused(member_client, member_user, books):
    secret = member_client.post(PAGE, {"name": "x"}, follow=True).content.decode().split("data-token>")[1].split("<")[0]
    token = ApiToken.objects.get(user=member_user)
    assert bearer(secret).get(ADMINISTRATIONS).status_code == 200

    response = member_client.post(reverse("accounts:api_token_revoke", args=[token.pk]))

    assert response.status_code == 302
    assert bearer(secret).get(ADMINISTRATIONS).status_code == 401


def test_a_wrong_or_garbled_token_is_refused(member_token, books):
    assert bearer(member_token[:-2] + "xx").get(ADMINISTRATIONS).status_code == 401
    assert bearer("nonsense").get(ADMINISTRATIONS).status_code == 401
    assert APIClient().get(ADMINISTRATIONS).status_code in (401, 403)


def test_a_token_stops_working_when_its_user_leaves_the_organisation(member_token, member_user, books):
    Membership.objects.filter(user=member_user).delete()

    assert bearer(member_token).get(ADMINISTRATIONS).status_code == 401


def test_nobody_revokes_another_users_token(admin_client, member_token, member_user, books):
    token = ApiToken.objects.get(user=member_user)

    response = admin_client.post(reverse("accounts:api_token_revoke", args=[token.pk]))

    assert response.status_code == 404  # someone else's token is not found, as every object not one's own
    assert bearer(member_token).get(ADMINISTRATIONS).status_code == 200
