"""The error pages in the product's layout, the demo without Django's debug pages and with a sign-in that survives a
restart, the e-mail settings and the local outbox page."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from monitr.accounts.models import User
from monitr.settings import email as email_settings
from monitr.web.management.commands.demo import DEMO_EMAIL, DEMO_PASSWORD, Command
from monitr.web.views import server_error

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=False)
def test_a_wrong_address_gets_the_products_404_with_the_sidebar_for_a_signed_in_user(member_client):
    response = member_client.get("/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "This page does not exist" in html and 'data-error-page="404"' in html
    assert 'aria-label="Main navigation"' in html and "Members" in html  # the sidebar, a way on
    assert "Back to Monitr" in html
    assert "URLconf" not in html and "Page not found at" not in html


@override_settings(DEBUG=False)
def test_a_wrong_address_signed_out_gets_the_404_on_the_sign_in_card(client):
    html = client.get("/no-such-page/").content.decode()

    assert "This page does not exist" in html and "auth-card" in html
    assert "Go to sign in" in html and "Sign out" not in html


def test_a_member_on_an_admin_page_gets_the_products_403(member_client):
    response = member_client.get(reverse("integrations:add", args=["eboekhouden"]))

    assert response.status_code == 403
    assert "Only an admin of this organisation can do this." in response.content.decode()
    assert 'data-error-page="403"' in response.content.decode()


def test_the_500_page_stands_alone(rf):
    response = server_error(rf.get("/dashboards/"))

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    assert "/static/css/error.css" in response.content.decode()


@override_settings(DEBUG=False)
def test_static_files_are_served_with_debug_off(client):
    response = client.get("/static/css/monitr.css")

    assert response.status_code == 200
    assert b".sidebar" in b"".join(response.streaming_content)


def test_the_demo_runs_its_web_server_and_worker_with_debug_off():
    assert Command.child_environment()["DEBUG"] == "false"


def test_the_demo_keeps_its_users_sessions_across_a_restart():
    Command().ensure_demo_organization()
    client = Client()
    assert client.post(reverse("login"), {"username": DEMO_EMAIL, "password": DEMO_PASSWORD}).status_code == 302

    Command().ensure_demo_organization()  # make demo again

    assert client.get(reverse("tenancy:members")).status_code == 200
    assert client.session[SESSION_KEY]


def test_the_demo_restores_a_changed_password():
    Command().ensure_demo_organization()
    user = User.objects.get(email=DEMO_EMAIL)
    user.set_password("something else entirely")
    user.save()

    Command().ensure_demo_organization()

    assert User.objects.get(email=DEMO_EMAIL).check_password(DEMO_PASSWORD)


def reload_email_settings(monkeypatch, **environment: str):
    for name in ("EMAIL_URL", "MONITR_ENV"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    import monitr.settings.env as env_module

    monkeypatch.setattr(env_module, "IS_PRODUCTION", environment.get("MONITR_ENV") == "production")
    return importlib.reload(email_settings)


def test_email_url_configures_smtp(monkeypatch):
    settings = reload_email_settings(monkeypatch, EMAIL_URL="smtp+tls://mailer:p%40ss@mail.example.com:587")
    try:
        assert settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
        assert (settings.EMAIL_HOST, settings.EMAIL_PORT) == ("mail.example.com", 587)
        assert (settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD) == ("mailer", "p@ss")
        assert settings.EMAIL_USE_TLS and not settings.EMAIL_USE_SSL
    finally:
        monkeypatch.undo()
        importlib.reload(email_settings)


def test_without_email_url_development_keeps_mail_in_the_outbox_and_production_uses_local_smtp(monkeypatch):
    try:
        development = reload_email_settings(monkeypatch)
        assert development.EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend"
        assert development.EMAIL_FILE_PATH.endswith("outbox")
        production = reload_email_settings(monkeypatch, MONITR_ENV="production")
        assert production.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
        assert production.EMAIL_HOST == "localhost"
    finally:
        monkeypatch.undo()
        importlib.reload(email_settings)


@pytest.fixture
def file_outbox(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "outbox")
    return tmp_path / "outbox"


def test_the_outbox_page_lists_what_the_file_backend_wrote(member_client, file_outbox):
    with mail.get_connection() as connection:
        mail.EmailMessage(
            "First", "Open https://monitr.example/join/abc/ now", to=["a@example.test"], connection=connection
        ).send()
        mail.EmailMessage("Second <b>", "Body two", to=["b@example.test"], connection=connection).send()

    html = member_client.get(reverse("outbox")).content.decode()

    assert html.index("Second &lt;b&gt;") < html.index("First")  # newest first, escaped
    assert '<a href="https://monitr.example/join/abc/"' in html
    assert html.count("data-outbox-message") == 2


def test_the_outbox_is_not_there_when_mail_is_really_sent(member_client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

    assert member_client.get(reverse("outbox")).status_code == 404


def test_in_production_only_superusers_see_the_outbox(member_client, member_user, settings, file_outbox):
    settings.IS_PRODUCTION = True

    assert member_client.get(reverse("outbox")).status_code == 404
    member_user.is_superuser = True
    member_user.save()
    assert member_client.get(reverse("outbox")).status_code == 200


def test_the_outbox_needs_a_sign_in(client, file_outbox):
    response = client.get(reverse("outbox"))

    assert response.status_code == 302 and response.url.startswith(reverse("login"))
