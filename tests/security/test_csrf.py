"""CSRF: every state-changing method on every URL pattern, sent by a signed-in admin's browser without the token,
is refused with 403 and changes nothing.

By design a digest's unsubscribe link is exempt: a mail client's one-click unsubscribe (RFC 8058) posts to it without
a session, and its signed token (not the session) is what it acts on, only ever stopping that member's digest.

By design the API's personal tokens are exempt: a program sends ``Authorization: Bearer ...``, which a browser never
adds on its own to a cross-site request, so there is nothing for a forged request to ride on. The same API reached
with the browser's session cookie is protected like every page (DRF's SessionAuthentication enforces CSRF).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from .conftest import tenant_state
from .crawl import post_data, routes, urls_for

pytestmark = pytest.mark.django_db

METHODS = ("post", "put", "patch", "delete")
# Acts on a signed token in its URL, never on the session (see above).
TOKEN_IN_URL = {"notify:unsubscribe"}


def csrf_client(user=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def test_every_state_change_needs_the_csrf_token(tenants, sandbox_settings):
    client = csrf_client(tenants.a.admin)
    before = (tenant_state(tenants.a.organization), tenant_state(tenants.b.organization))
    failures = []
    for route in routes():  # the public ones too: a forged sign-in or sign-out is refused as well
        if route.name in TOKEN_IN_URL:
            continue
        for url in urls_for(route, tenants.a):
            for method in METHODS:
                response = getattr(client, method)(url, post_data(tenants.a))
                if response.status_code != 403:
                    failures.append(f"{method.upper()} {url}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert (tenant_state(tenants.a.organization), tenant_state(tenants.b.organization)) == before


def test_the_refusal_says_why(tenants):
    response = csrf_client(tenants.a.admin).post(reverse("integrations:remove", args=[tenants.a.connection.pk]))

    assert response.status_code == 403
    assert "Reload the page and try again" in response.content.decode()


def test_with_the_token_the_same_request_is_accepted(tenants):
    """The control: the refusals above are the missing token's, not some other guard's."""
    client = csrf_client(tenants.a.admin)
    page = client.get(reverse("integrations:remove", args=[tenants.a.connection.pk]))
    token = page.cookies["csrftoken"].value

    response = client.post(
        reverse("integrations:remove", args=[tenants.a.connection.pk]), {"csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302
    assert not type(tenants.a.connection).objects.filter(pk=tenants.a.connection.pk).exists()


def test_the_api_with_the_session_cookie_needs_the_token(tenants):
    response = csrf_client(tenants.a.admin).post(reverse("api:connection_sync", args=[tenants.a.connection.pk]))

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_the_api_with_a_personal_token_is_exempt_by_design(tenants):
    client = csrf_client()

    response = client.post(
        reverse("api:connection_sync", args=[tenants.a.connection.pk]),
        HTTP_AUTHORIZATION=f"Bearer {tenants.a.token_secret}",
    )

    assert response.status_code == 202


def test_a_forged_sign_in_is_refused_with_the_same_message(member_user):
    from tests.factories import TEST_PASSWORD

    response = csrf_client().post(reverse("login"), {"username": member_user.email, "password": TEST_PASSWORD})

    assert response.status_code == 403
    assert "Reload the page and try again" in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session
