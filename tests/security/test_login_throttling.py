"""Sign-in throttling: failed sign-ins for one e-mail address, or from one IP address, pause sign-in for a while
with a clear message; the pause ends by itself; a success clears the count."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")


@pytest.fixture
def limits(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_IP_FAILURE_LIMIT = 5
    settings.LOGIN_LOCKOUT_SECONDS = 600
    return settings


def sign_in(email: str, password: str, *, ip: str = "198.51.100.7", client: Client | None = None):
    return (client or Client()).post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def signed_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.wsgi_request.session


def test_failures_for_one_email_pause_its_sign_in_with_a_clear_message(limits, member_user):
    for _ in range(2):
        response = sign_in(member_user.email, "wrong password")
        assert response.status_code == 200
        assert "do not match an account" in response.content.decode()

    third = sign_in(member_user.email, "wrong password")
    locked = sign_in(member_user.email, TEST_PASSWORD)  # even the right password, from another address

    for response in (third, locked):
        assert response.status_code == 429
        assert "Too many failed sign-ins" in response.content.decode()
        assert "10 minutes" in response.content.decode()
    assert not signed_in(locked)


def test_the_email_count_ignores_case_and_spaces(limits, member_user):
    for variant in (member_user.email.upper(), f" {member_user.email} ", member_user.email.title()):
        sign_in(variant, "wrong password")

    assert sign_in(member_user.email, TEST_PASSWORD, ip="203.0.113.9").status_code == 429


def test_other_accounts_are_not_locked_by_someone_elses_failures(limits, member_user):
    for _ in range(3):
        sign_in("someone.else@example.test", "guess", ip="203.0.113.50")

    assert signed_in(sign_in(member_user.email, TEST_PASSWORD))


def test_failures_from_one_address_pause_sign_in_from_it(limits, member_user):
    for n in range(5):  # different addresses each time: below the e-mail limit, at the IP limit
        sign_in(f"guess{n}@example.test", "guess", ip="192.0.2.66")

    assert sign_in(member_user.email, TEST_PASSWORD, ip="192.0.2.66").status_code == 429
    assert signed_in(sign_in(member_user.email, TEST_PASSWORD, ip="192.0.2.67"))


def test_a_success_clears_the_count(limits, member_user):
    sign_in(member_user.email, "wrong password")
    sign_in(member_user.email, "wrong password")
    assert signed_in(sign_in(member_user.email, TEST_PASSWORD))

    sign_in(member_user.email, "wrong password")
    sign_in(member_user.email, "wrong password")
    assert signed_in(sign_in(member_user.email, TEST_PASSWORD))


def test_the_pause_ends_by_itself(limits, member_user):
    limits.LOGIN_LOCKOUT_SECONDS = 1
    for _ in range(3):
        sign_in(member_user.email, "wrong password")
    assert sign_in(member_user.email, TEST_PASSWORD).status_code == 429

    deadline = time.monotonic() + 15
    while not signed_in(response := sign_in(member_user.email, TEST_PASSWORD)):
        assert response.status_code == 429
        assert time.monotonic() < deadline, "the pause did not end"
        time.sleep(0.2)


def test_behind_the_proxy_the_address_the_proxy_appended_counts(limits, settings, member_user):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    client = Client()
    for n in range(5):
        # The client forges the first entry each time; the proxy's own entry (the last) is the same.
        client.post(
            LOGIN,
            {"username": f"guess{n}@example.test", "password": "guess"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"172.16.0.{n}, 192.0.2.99",
        )

    response = Client().post(
        LOGIN,
        {"username": member_user.email, "password": TEST_PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="192.0.2.99",
    )
    assert response.status_code == 429


def test_an_unknown_email_is_throttled_like_a_known_one(limits):
    """No difference tells an attacker which addresses have accounts."""
    UserFactory(email="known@example.test")
    answers = [
        sign_in(email, "guess", ip=ip).status_code
        for email, ip in [("known@example.test", "192.0.2.1")] * 3 + [("nobody@example.test", "192.0.2.2")] * 3
    ]

    assert answers == [200, 200, 429, 200, 200, 429]


def test_forwarded_addresses_from_a_peer_that_is_no_trusted_proxy_are_ignored(limits, settings, member_user):
    """Someone who reaches Monitr's port directly cannot spread failures over made-up addresses."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    for n in range(5):
        Client().post(
            LOGIN,
            {"username": f"guess{n}@example.test", "password": "guess"},
            REMOTE_ADDR="192.0.2.77",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )

    assert sign_in(member_user.email, TEST_PASSWORD, ip="192.0.2.77").status_code == 429


class TestUnicodeLookAlikes:
    """The sign-in finds an account by folding case in the database, where ``ſ`` (long s) is ``S`` and ``ı`` (dotless
    i) is ``I``; the Kelvin sign ``K`` is ``K`` once normalised. Spellings like these of one address share its count,
    whether or not the database matches them."""

    SPELLINGS = (
        "kiss@example.test",
        "ki\u017fs@example.test",  # ſ
        "k\u0131ss@example.test",  # ı
        "\u212aiss@example.test",  # K (Kelvin sign)
        "KI\u017f\u017f@EXAMPLE.TEST",
    )

    @pytest.fixture
    def kiss(self, db):
        return UserFactory(email="kiss@example.test")

    def test_the_look_alike_spellings_are_valid_sign_in_addresses(self):
        from monitr.web.forms import LoginForm

        for spelling in self.SPELLINGS:
            assert "username" not in LoginForm(data={"username": spelling, "password": "x"}).errors, spelling

    def test_five_failures_spread_over_look_alike_spellings_lock_the_account(self, settings, kiss):
        settings.LOGIN_FAILURE_LIMIT = 5
        settings.LOGIN_IP_FAILURE_LIMIT = 100
        answers = [
            sign_in(spelling, "wrong password", ip=f"192.0.2.{n}").status_code
            for n, spelling in enumerate(self.SPELLINGS)
        ]

        assert answers == [200, 200, 200, 200, 429]
        assert sign_in("kiss@example.test", TEST_PASSWORD, ip="203.0.113.1").status_code == 429

    def test_an_address_without_an_account_is_counted_by_its_folded_spelling(self, settings, db):
        settings.LOGIN_FAILURE_LIMIT = 3
        settings.LOGIN_IP_FAILURE_LIMIT = 100
        spellings = ["\u017fam@example.test", "sam@example.test", "SAM@example.test"]  # ſam
        answers = [sign_in(s, "guess", ip=f"198.51.100.{n}").status_code for n, s in enumerate(spellings)]

        assert answers == [200, 200, 429]


class TestCacheDown:
    """With the cache (Redis) unreachable, sign-in works and stays throttled: the counts are kept in the web
    process's memory, and a warning says so."""

    def test_sign_in_works_without_the_cache(self, cache_down, member_user):
        assert signed_in(sign_in(member_user.email, TEST_PASSWORD))

    def test_failures_still_lock_the_account_and_a_warning_is_logged(self, limits, cache_down, member_user, caplog):
        from monitr.accounts import throttle

        throttle._last_warning[0] = -throttle._WARN_EVERY_SECONDS  # the warning is rate-limited per process
        throttle._fallback.clear()
        answers = [sign_in(member_user.email, "wrong password").status_code for _ in range(3)]

        assert answers == [200, 200, 429]
        assert sign_in(member_user.email, TEST_PASSWORD).status_code == 429
        assert any("login_throttle_cache_unavailable" in str(r.msg) for r in caplog.records)
