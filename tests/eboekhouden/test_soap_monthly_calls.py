"""The legacy SOAP API's calls a month per login (about 5,000): Monitr counts its own, shows them on the connection,
stops a sync before it would go past them with a status that says why and when it goes on, leaves a share of them
for a person's Sync now, and stops the same way when the service itself refuses (the login used elsewhere too)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from eboekhouden.client.dto import SoapCredentials
from eboekhouden.provider import Transport
from eboekhouden.sync import soap_credential
from integrations.models import ConnectionStatus, MonthlyCalls, SyncRun, SyncRunStatus
from integrations.sync.engine import sync_run_execute
from monitr.web.stored_text import shown
from tests.connections import RECENTLY, connect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_calls_counted_before(db):
    """The sandbox's fresh administration has the same login in every test, and a test that syncs on a thread of
    its own commits its count outside the test's transaction: each test here starts the month at nothing."""
    MonthlyCalls.objects.all().delete()


def credential(info) -> str:
    return soap_credential(SoapCredentials(info.username, info.security_code_1, info.security_code_2))


def used(info) -> int:
    return sum(MonthlyCalls.objects.filter(credential=credential(info)).values_list("calls", flat=True))


@time_machine.travel(RECENTLY, tick=True)
def test_a_sync_stops_before_the_months_calls_run_out_and_goes_on_next_month(
    organization, sandbox_settings, eboekhouden_sandbox, eboekhouden_sandbox_administration, settings
):
    info = eboekhouden_sandbox_administration
    settings.EBOEKHOUDEN_SOAP_CALLS_PER_MONTH = 30
    connection = connect(organization, info, transport=Transport.SOAP)

    outcome = sync_run_execute(connection_id=connection.pk, trigger="manual")

    run = SyncRun.objects.get(pk=outcome.run_id)
    assert run.status == SyncRunStatus.FAILED and run.error_code == "MONTHLY_CALLS"
    assert "allows 30 calls a month to its legacy SOAP API for this login, and 30 of them are used" in run.error_message
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.FAILED
    # Not tried again every night of the month: at the start of the next one.
    assert connection.next_sync_at == dt.datetime(2026, 2, 1, tzinfo=timezone.get_current_timezone())
    # Never past the limit, retries and the fetch threads' calls side by side included: the run's own calls and the
    # login's month. (The sandbox and its login are shared by the whole suite, so its own count is not this run's.)
    assert used(info) == sum(run.api_calls.values()) == 30
    with translation.override("nl"):
        assert "30 calls" not in shown(run.error_message) and "SOAP-API" in shown(run.error_message)


@time_machine.travel(RECENTLY, tick=True)
def test_the_schedule_leaves_the_last_calls_for_a_person(
    organization, sandbox_settings, eboekhouden_sandbox, eboekhouden_sandbox_administration, settings
):
    info = eboekhouden_sandbox_administration
    settings.EBOEKHOUDEN_SOAP_CALLS_PER_MONTH = 4000
    connection = connect(organization, info, transport=Transport.SOAP)
    assert sync_run_execute(connection_id=connection.pk, trigger="manual").status == SyncRunStatus.SUCCEEDED
    # The rest of the month used elsewhere (another connection of the login) but for the 5 % (200) the schedule
    # keeps for a person's Sync now.
    MonthlyCalls.objects.filter(credential=credential(info)).update(calls=3800)
    scheduled = sync_run_execute(connection_id=connection.pk, trigger="schedule")
    assert SyncRun.objects.get(pk=scheduled.run_id).error_code == "MONTHLY_CALLS"
    assert used(info) == 3800  # it made no call
    assert sync_run_execute(connection_id=connection.pk, trigger="manual").status == SyncRunStatus.SUCCEEDED
    assert 3800 < used(info) <= 4000


@time_machine.travel(RECENTLY, tick=True)
def test_the_services_own_refusal_stops_the_sync_the_same_way(
    organization, sandbox_settings, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    info = eboekhouden_sandbox_administration
    eboekhouden_sandbox.set_limits(soap_calls_per_month=5000)
    try:
        eboekhouden_sandbox.set_soap_calls_used(info.username, 4995)  # the login is used by other software too
        connection = connect(organization, info, transport=Transport.SOAP)
        outcome = sync_run_execute(connection_id=connection.pk, trigger="manual")
    finally:
        eboekhouden_sandbox.set_limits(soap_calls_per_month=None)
    run = SyncRun.objects.get(pk=outcome.run_id)
    assert run.status == SyncRunStatus.FAILED and run.error_code == "ERR_MAXCALLS"
    assert "calls a month to its legacy SOAP API" in run.error_message


@time_machine.travel(RECENTLY, tick=True)
def test_the_card_shows_the_months_calls(
    client, admin_user, organization, sandbox_settings, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    info = eboekhouden_sandbox_administration
    connection = connect(organization, info, transport=Transport.SOAP)
    assert sync_run_execute(connection_id=connection.pk, trigger="manual").status == SyncRunStatus.SUCCEEDED
    client.force_login(admin_user)
    page = client.get(reverse("integrations:category", args=["accounting"])).content.decode()
    assert f"Legacy API calls this month: {used(info):,} of 5,000" in page
