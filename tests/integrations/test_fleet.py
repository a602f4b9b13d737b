"""What operators see of the fleet: ``manage.py sync_status`` and the ops page (superusers only) count the queue's
lanes, the runs working and those between slices, the failures, the budget in use and tonight's run."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import redis
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from integrations.fleet import fleet_status, tonight
from integrations.models import Connection, ConnectionStatus, SyncRun, SyncRunStatus
from integrations.sync.schedule import AMSTERDAM
from ledger.models import Administration
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def under_way(connection: Connection, *, between_slices: bool) -> SyncRun:
    Connection.objects.filter(pk=connection.pk).update(
        status=ConnectionStatus.IN_PROGRESS,
        sync_lock="token",
        sync_lock_expires_at=timezone.now() + dt.timedelta(minutes=5),
    )
    return SyncRun.objects.create(
        connection=connection,
        administration=connection.administration,
        trigger="connect",
        resume={"stream": "mutations", "state": {}} if between_slices else {},
    )


def test_the_fleet_counts_runs_working_and_between_slices_and_failures(connection, organization, fake_provider):
    under_way(connection, between_slices=True)
    other = Administration.objects.create(
        organization=organization, provider=fake_provider.key, external_id="adm-2", name="Other BV"
    )
    failed = Connection.objects.create(
        integration=connection.integration,
        administration=other,
        credentials={"api_key": "FAKE-KEY-2"},
        transport="key",
        status=ConnectionStatus.FAILED,
        status_message="The accounting software refused the request.",
    )

    fleet = fleet_status()

    assert (fleet.running, fleet.between_slices, fleet.failed, fleet.connections) == (0, 1, 1, 2)
    assert {c.pk for c in fleet.attention} == {connection.pk, failed.pk}
    under_way(failed, between_slices=False)
    assert fleet_status().running == 1


@pytest.mark.skipif(not settings.CELERY_BROKER_URL.startswith("redis"), reason="the lanes are read from Redis")
def test_the_lanes_are_read_from_the_broker(connection):
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    lanes = ("celery", "celery:2", "celery:3", "celery:5", "celery:6")
    client.delete(*lanes, "unacked")
    client.rpush("celery", "a")
    client.rpush("celery:6", "b", "c")
    client.rpush("celery:5", "d")  # a scheduled run's next slice counts with its priority
    try:
        fleet = fleet_status()
    finally:
        client.delete(*lanes)
    assert fleet.queued == {0: 1, 1: 0, 2: 3}
    assert fleet.reserved == 0


def test_tonight_is_the_next_window_and_ends_after_the_last_connections_offset(connection, settings):
    settings.MONITR_SYNC_TIMES = ["00:00", "05:00"]
    settings.MONITR_SYNC_SPREAD_MINUTES = 120
    now = dt.datetime(2026, 3, 10, 22, 0, tzinfo=AMSTERDAM)
    Connection.objects.filter(pk=connection.pk).update(next_sync_at=dt.datetime(2026, 3, 11, 1, 30, tzinfo=AMSTERDAM))
    last_night = SyncRun.objects.create(
        connection=connection,
        administration=connection.administration,
        trigger="schedule",
        status=SyncRunStatus.SUCCEEDED,
        finished_at=now - dt.timedelta(hours=20),
    )
    SyncRun.objects.filter(pk=last_night.pk).update(started_at=now - dt.timedelta(hours=20, minutes=3))

    night = tonight(now)

    assert night.starts == dt.datetime(2026, 3, 11, 0, 0, tzinfo=AMSTERDAM)
    assert night.ends_by_schedule == dt.datetime(2026, 3, 11, 2, 0, tzinfo=AMSTERDAM)
    assert (night.due, night.done) == (1, 0)
    # It starts at its offset and takes as long as its last scheduled sync: three minutes.
    assert abs(night.expected_end - dt.datetime(2026, 3, 11, 1, 33, tzinfo=AMSTERDAM)) < dt.timedelta(seconds=5)


def test_the_command_shows_the_fleet_then_the_connections(connection):
    out = io.StringIO()
    call_command("sync_status", stdout=out)
    text = out.getvalue()
    assert "Queued: Sync now" in text and "Runs: 0 running, 0 between slices" in text
    assert "Tonight: from" in text and "Fake Company BV" in text

    summary = io.StringIO()
    call_command("sync_status", "--summary", stdout=summary)
    assert "Fake Company BV" not in summary.getvalue()


@pytest.mark.parametrize("language", ["en", "nl"])
def test_only_operators_see_the_fleet_page(client, connection, admin_user, language):
    url = reverse("integrations:fleet")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(admin_user)  # an organisation's admin is a customer: no such page
    assert client.get(url).status_code == 404
    under_way(connection, between_slices=True)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-figure="queued"' in html and 'data-figure="tonight"' in html
    assert "Fake Company BV" in html
    assert ("Sync fleet" if language == "en" else "Syncoverzicht") in html
