"""Sign-in, sign-out, the health check and the error pages."""

from __future__ import annotations

import logging

import pytest
import structlog
from django.urls import reverse

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_the_login_page_looks_finished(client):
    html = client.get(reverse("login")).content.decode()

    assert "<h1>Sign in</h1>" in html
    assert 'type="email"' in html
    assert "css/monitr.css" in html


def test_signing_in_by_email_leads_into_the_organisation(client, member_user):
    response = client.post(reverse("login"), {"username": member_user.email.upper(), "password": TEST_PASSWORD})

    assert response.status_code == 302
    assert client.get(response.url, follow=True).status_code == 200


def test_a_wrong_password_says_so_plainly(client, member_user):
    response = client.post(reverse("login"), {"username": member_user.email, "password": "wrong"})

    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()


def test_signing_out_ends_the_session(member_client):
    response = member_client.post(reverse("logout"))

    assert response.status_code == 302
    assert member_client.get(reverse("tenancy:members")).status_code == 302


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] and body["checks"]["broker"]["ok"] and body["checks"]["cache"]["ok"]
    assert {check["status"] for check in body["checks"].values()} == {"ok"}


def test_healthz_fails_when_the_broker_is_unreachable(client, monkeypatch):
    def refuse() -> None:
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr("monitr.web.health._broker", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == {
        "ok": False,
        "status": "down",
        "required": True,
        "error": "ConnectionRefusedError",
        "ms": pytest.approx(0, abs=50),
    }


def test_healthz_names_the_broker_down_when_redis_is_unreachable(client, broker_down):
    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["checks"]["broker"]["status"] == "down"
    assert body["checks"]["database"]["status"] == "ok"


def test_healthz_names_the_cache_down_but_stays_up_without_it(client, cache_down):
    """Nothing needs the cache to work: sign-in throttling counts in the process while it is away."""
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "broker": "ok",
        "cache": "down",
    }
    assert body["checks"]["cache"]["error"] == "ConnectionError"


def test_an_unknown_page_gets_the_friendly_404(member_client):
    response = member_client.get("/no-such-page/")

    assert response.status_code == 404
    assert "This page does not exist" in response.content.decode()


def test_secret_fields_are_redacted_from_log_events(caplog):
    caplog.set_level(logging.INFO)
    log = structlog.stdlib.get_logger("tests.redaction")

    log.info("connection.checked", connection_id=3, api_key="SECRET-KEY-123", session_token="tok-456")

    event = next(r.msg for r in caplog.records if r.name == "tests.redaction")
    assert event["api_key"] == event["session_token"] == "[redacted]"
    assert event["connection_id"] == 3
    assert "SECRET-KEY-123" not in repr(event) and "tok-456" not in repr(event)


def test_healthz_answers_over_plain_http_on_an_internal_address_in_production(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["monitr.example.com"]

    response = client.get("/healthz", HTTP_HOST="127.0.0.1:8000")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
