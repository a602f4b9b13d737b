"""The Celery tasks: due connections are started, only ids travel, a locked connection is skipped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from integrations import tasks
from integrations.models import ConnectionStatus, SyncRun
from integrations.sync.lock import lock_acquire

pytestmark = pytest.mark.django_db


@pytest.fixture
def delayed(monkeypatch):
    calls = []
    monkeypatch.setattr(tasks.sync_connection, "delay", lambda *args: calls.append(args))
    return calls


def test_due_connections_are_started_with_their_id_only(connection, delayed):
    connection.next_sync_at = timezone.now() - dt.timedelta(minutes=1)
    connection.save()

    assert tasks.enqueue_due_syncs() == 1

    assert delayed == [(connection.pk, "schedule")]


def test_a_started_connection_is_not_handed_out_again_at_the_next_beat(connection, delayed):
    connection.next_sync_at = timezone.now() - dt.timedelta(minutes=1)
    connection.save()

    tasks.enqueue_due_syncs()
    tasks.enqueue_due_syncs()

    assert len(delayed) == 1


def test_connections_not_yet_due_or_needing_a_reconnect_wait(connection, delayed):
    connection.next_sync_at = timezone.now() + dt.timedelta(minutes=1)
    connection.save()
    assert tasks.enqueue_due_syncs() == 0

    connection.next_sync_at = timezone.now() - dt.timedelta(minutes=1)
    connection.status = ConnectionStatus.RECONNECT_NEEDED
    connection.save()
    assert tasks.enqueue_due_syncs() == 0
    assert delayed == []


def test_the_task_runs_a_sync(connection, fake_provider):
    assert tasks.sync_connection.apply(args=(connection.pk, "manual")).get() == "succeeded"

    assert SyncRun.objects.get().trigger == "manual"


def test_the_task_skips_a_connection_that_is_already_syncing(connection, fake_provider):
    lock_acquire(connection_id=connection.pk)

    result = tasks.sync_connection.apply(args=(connection.pk, "manual")).get()

    assert "already running" in result
    assert not SyncRun.objects.exists()


def test_the_task_of_a_removed_connection_ends_quietly(db):
    assert tasks.sync_connection.apply(args=(987654, "schedule")).get() == "The connection no longer exists."


def test_sync_enqueue_waits_for_the_commit(connection, delayed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tasks.sync_enqueue(connection=connection, trigger="connect")

    assert delayed == [(connection.pk, "connect", False)]
