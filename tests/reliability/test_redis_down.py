"""Redis down: with the Celery broker and the cache on a closed port, people still sign in and read every page,
Sync now (in a page and in the API) says that syncing is unavailable right now and leaves no connection Waiting, and
/healthz names what is down.

The requests commit for real (transactional tests): a sync is queued when the transaction commits, and that is where
the broker's refusal comes back."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from integrations.models import Connection, ConnectionStatus
from tests.factories import TEST_PASSWORD, OrganizationFactory
from tests.security.conftest import _tenant
from tests.security.crawl import crawled, urls_for

pytestmark = pytest.mark.django_db(transaction=True)

UNAVAILABLE = "Syncing is unavailable right now"


@pytest.fixture
def tenant(db):
    return _tenant(
        OrganizationFactory(name="Acme BV"), prefix="Acme", admin_email="acme-admin@a.example", amount="1210.00"
    )


@pytest.fixture
def admin(tenant) -> Client:
    client = Client()
    client.force_login(tenant.admin)
    return client


class TestBrokerDownPages:
    def test_sign_in_works(self, redis_down, tenant):
        response = Client().post(reverse("login"), {"username": tenant.admin.email, "password": TEST_PASSWORD})

        assert response.status_code == 302
        assert "_auth_user_id" in response.wsgi_request.session

    def test_a_wrong_password_is_refused_as_usual(self, redis_down, tenant):
        response = Client().post(reverse("login"), {"username": tenant.admin.email, "password": "wrong password"})

        assert response.status_code == 200
        assert "do not match an account" in response.content.decode()

    def test_every_page_renders(self, redis_down, tenant, admin):
        answers = {url: admin.get(url).status_code for route in crawled() for url in urls_for(route, tenant)}

        assert answers and all(status < 500 for status in answers.values()), {
            url: status for url, status in answers.items() if status >= 500
        }

    def test_sync_now_says_syncing_is_unavailable_and_the_connection_is_not_waiting(self, redis_down, tenant, admin):
        connection = tenant.connection
        Connection.objects.filter(pk=connection.pk).update(status=ConnectionStatus.FAILED, status_message="Refused.")

        response = admin.post(reverse("integrations:sync_now", args=[connection.pk]), follow=True)

        assert response.status_code == 200
        assert UNAVAILABLE in response.content.decode()
        connection.refresh_from_db()
        assert connection.status == ConnectionStatus.FAILED
        assert connection.status_message == "Refused."

    def test_the_api_sync_answers_503_and_the_connection_is_not_waiting(self, redis_down, tenant):
        Connection.objects.filter(pk=tenant.connection.pk).update(status=ConnectionStatus.SUCCEEDED)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {tenant.token_secret}")

        response = client.post(reverse("api:connection_sync", args=[tenant.connection.pk]))

        assert response.status_code == 503
        assert UNAVAILABLE in response.json()["detail"]
        assert response["Retry-After"]
        tenant.connection.refresh_from_db()
        assert tenant.connection.status == ConnectionStatus.SUCCEEDED

    def test_healthz_names_the_broker_and_the_cache(self, redis_down, client):
        response = client.get("/healthz")

        assert response.status_code == 503
        checks = response.json()["checks"]
        assert {name: check["status"] for name, check in checks.items()} == {
            "database": "ok",
            "broker": "down",
            "cache": "down",
        }
