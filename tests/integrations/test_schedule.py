"""A provider whose data changes only when new data is brought (an uploaded file) is not scheduled: after an import
that succeeded its connections have no next sync, the beat leaves them alone, and the card says when the data last
arrived instead of when the next sync is."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from integrations import tasks
from integrations.errors import TransientError
from integrations.models import Connection, ConnectionStatus
from integrations.providers import Arrival
from integrations.sync.engine import sync_run_execute

pytestmark = pytest.mark.django_db

UPLOADED = dt.datetime(2026, 3, 2, 8, 15, tzinfo=dt.UTC)


@pytest.fixture
def delayed(monkeypatch):
    calls = []
    monkeypatch.setattr(tasks.sync_connection, "delay", lambda *args: calls.append(args))
    return calls


@pytest.fixture
def unscheduled(fake_provider):
    fake_provider.scheduled = False
    fake_provider.arrival = lambda administration: Arrival("File uploaded", UPLOADED)
    return fake_provider


def synced(connection: Connection) -> Connection:
    sync_run_execute(connection_id=connection.pk, trigger="manual")
    connection.refresh_from_db()
    return connection


def test_a_scheduled_provider_syncs_again_at_the_next_scheduled_time(connection, fake_provider, delayed):
    connection = synced(connection)

    assert connection.next_sync_at is not None
    with time_machine.travel(connection.next_sync_at + dt.timedelta(minutes=1)):
        assert tasks.enqueue_due_syncs() == 1
    assert delayed == [(connection.pk, "schedule")]


def test_an_unscheduled_provider_is_not_synced_by_the_schedule_after_an_import(connection, unscheduled, delayed):
    connection = synced(connection)

    assert connection.status == ConnectionStatus.SUCCEEDED and connection.next_sync_at is None
    for days in (1, 2, 30):  # the nights pass, and the grace of a first import that never started too
        with time_machine.travel(timezone.now() + dt.timedelta(days=days)):
            assert tasks.enqueue_due_syncs() == 0
    assert delayed == []


def test_an_unscheduled_provider_still_tries_a_failed_import_again(connection, unscheduled, delayed):
    def fails(ctx):
        raise TransientError("The database went away.")

    unscheduled.streams[0].behaviour = fails
    with pytest.raises(TransientError):
        sync_run_execute(connection_id=connection.pk, trigger="manual")

    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.FAILED and connection.next_sync_at is not None
    with time_machine.travel(connection.next_sync_at + dt.timedelta(minutes=1)):
        assert tasks.enqueue_due_syncs() == 1


def test_an_unscheduled_connections_first_import_that_never_started_is_still_started(connection, unscheduled, delayed):
    with time_machine.travel(timezone.now() + tasks.RETRY_UNSTARTED_AFTER + dt.timedelta(minutes=1)):
        assert tasks.enqueue_due_syncs() == 1


def test_the_card_shows_the_next_sync_of_a_scheduled_provider(member_client, connection, fake_provider):
    connection = synced(connection)

    html = member_client.get(reverse("integrations:category", args=["accounting"])).content.decode()

    next_sync = timezone.localtime(connection.next_sync_at).strftime("%H:%M")
    assert "data-next-sync" in html and f">{next_sync}</time>" in html
    assert "data-arrival" not in html


def test_the_card_shows_when_the_data_of_an_unscheduled_provider_arrived(member_client, connection, unscheduled):
    synced(connection)

    html = member_client.get(reverse("integrations:category", args=["accounting"])).content.decode()

    assert "data-next-sync" not in html and "Next sync" not in html
    assert "File uploaded" in html and f'datetime="{timezone.localtime(UPLOADED).isoformat()}"' in html
