"""With the Celery broker unreachable, Sync now, Connect and Update key say that syncing is unavailable right now,
and no connection is left Waiting for a sync that was never queued.

The requests commit for real (transactional tests): the sync is queued when the transaction commits, and that is where
the broker's refusal comes back."""

from __future__ import annotations

import pytest
from django.urls import reverse

from integrations.models import Connection, ConnectionStatus

pytestmark = pytest.mark.django_db(transaction=True)

UNAVAILABLE = "Syncing is unavailable right now"


def test_sync_now_says_syncing_is_unavailable_and_leaves_the_status_as_it_was(admin_client, connection, broker_down):
    Connection.objects.filter(pk=connection.pk).update(
        status=ConnectionStatus.SUCCEEDED, status_message="Imported 12 mutations."
    )

    response = admin_client.post(reverse("integrations:sync_now", args=[connection.pk]), follow=True)

    assert response.status_code == 200
    html = response.content.decode()
    assert UNAVAILABLE in html and "alert-error" in html
    assert "has started" not in html
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.SUCCEEDED
    assert connection.status_message == "Imported 12 mutations."


def test_sync_now_works_again_once_the_broker_is_back(admin_client, connection, monkeypatch):
    calls = []
    monkeypatch.setattr("integrations.tasks.sync_connection.delay", lambda *args: calls.append(args))

    response = admin_client.post(reverse("integrations:sync_now", args=[connection.pk]), follow=True)

    assert "has started" in response.content.decode()
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.WAITING
    assert calls == [(connection.pk, "manual", False)]


def test_connecting_without_a_broker_connects_but_is_not_waiting(admin_client, fake_provider, broker_down):
    admin_client.post(reverse("integrations:add", args=["fakebooks"]), {"api_key": "FAKE-KEY-abcdef9876"})

    response = admin_client.post(
        reverse("integrations:add_administration", args=["fakebooks"]), {"administration": "adm-1"}, follow=True
    )

    assert response.status_code == 200
    assert UNAVAILABLE in response.content.decode()
    connection = Connection.objects.get()
    assert connection.status == ConnectionStatus.FAILED
    assert "once syncing is back" in connection.status_message
    assert connection.next_sync_at is not None  # due at once: the beat queues it when the broker answers again


def test_update_key_without_a_broker_keeps_the_key_and_is_not_waiting(admin_client, connection, broker_down):
    Connection.objects.filter(pk=connection.pk).update(status=ConnectionStatus.RECONNECT_NEEDED)

    response = admin_client.post(
        reverse("integrations:update_key", args=[connection.pk]), {"api_key": "FAKE-NEW-KEY-4321"}, follow=True
    )

    assert response.status_code == 200
    assert UNAVAILABLE in response.content.decode()
    connection.refresh_from_db()
    assert connection.credentials == {"api_key": "FAKE-NEW-KEY-4321"}
    assert connection.status == ConnectionStatus.FAILED
