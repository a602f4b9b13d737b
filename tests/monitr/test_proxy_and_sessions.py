"""Forwarded headers count only from TRUSTED_PROXIES, and a session ends after SESSION_IDLE_TIMEOUT_SECONDS idle."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from monitr.web.idle import LAST_ACTIVITY_KEY

pytestmark = pytest.mark.django_db

PAGE = "/integrations/"


def signed_in(client: Client) -> bool:
    """The page answers a signed-in visitor with its first tab, anyone else with the sign-in page."""
    return not client.get(PAGE).url.startswith(reverse("login"))


class TestTrustedProxies:
    @pytest.fixture
    def behind_proxy(self, settings):
        settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        settings.SECURE_SSL_REDIRECT = True
        settings.TRUSTED_PROXIES = ["10.0.0.0/24", "::1"]
        return settings

    def test_the_trusted_proxys_https_is_believed(self, behind_proxy, member_client):
        response = member_client.get(PAGE, REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_PROTO="https")

        assert response.status_code == 302
        assert not response.url.startswith("https://")  # no redirect to HTTPS: the request was HTTPS

    def test_anyone_else_who_says_https_is_sent_to_https(self, behind_proxy, member_client):
        response = member_client.get(PAGE, REMOTE_ADDR="192.0.2.5", HTTP_X_FORWARDED_PROTO="https")

        assert response.status_code == 301
        assert response.url.startswith("https://")

    def test_forwarded_headers_of_an_untrusted_peer_do_not_reach_the_view(self, behind_proxy, member_client):
        response = member_client.get(
            PAGE, REMOTE_ADDR="192.0.2.5", HTTP_X_FORWARDED_FOR="203.0.113.9", secure=True, follow=False
        )

        assert "HTTP_X_FORWARDED_FOR" not in response.wsgi_request.META

    def test_an_ipv6_proxy_is_matched(self, behind_proxy, member_client):
        response = member_client.get(PAGE, REMOTE_ADDR="::1", HTTP_X_FORWARDED_FOR="203.0.113.9", secure=True)

        assert response.wsgi_request.META["HTTP_X_FORWARDED_FOR"] == "203.0.113.9"


class TestIdleTimeout:
    @pytest.fixture
    def idle_limit(self, settings):
        settings.SESSION_IDLE_TIMEOUT_SECONDS = 600
        return settings

    def test_a_session_idle_longer_than_the_limit_is_signed_out(self, idle_limit, member_user):
        client = Client()
        with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
            client.force_login(member_user)
            assert client.get(PAGE, follow=True).status_code == 200
            clock.shift(601)

            response = client.get(PAGE)

        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
        assert "_auth_user_id" not in client.session

    def test_activity_keeps_the_session_and_is_written_at_most_once_a_minute(self, idle_limit, member_user):
        client = Client()
        with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
            client.force_login(member_user)
            client.get(PAGE, follow=True)
            first = client.session[LAST_ACTIVITY_KEY]
            clock.shift(30)
            client.get(PAGE, follow=True)
            assert client.session[LAST_ACTIVITY_KEY] == first  # not written again within the minute
            for _ in range(5):  # 50 minutes in all, never 10 idle
                clock.shift(540)
                assert client.get(PAGE, follow=True).status_code == 200

            assert "_auth_user_id" in client.session

    def test_a_session_in_use_still_ends_session_cookie_age_after_it_began(self, idle_limit, member_user):
        idle_limit.SESSION_COOKIE_AGE = 3600
        client = Client()
        with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
            client.force_login(member_user)
            answers = []
            for _ in range(8):  # a request every 9 minutes: never idle for 10, 63 minutes in all
                answers.append(signed_in(client))
                clock.shift(540)

        assert answers == [True] * 7 + [False]

    def test_zero_turns_the_idle_timeout_off(self, settings, member_user):
        settings.SESSION_IDLE_TIMEOUT_SECONDS = 0
        client = Client()
        with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
            client.force_login(member_user)
            client.get(PAGE, follow=True)
            clock.shift(24 * 3600)

            assert client.get(PAGE, follow=True).status_code == 200
