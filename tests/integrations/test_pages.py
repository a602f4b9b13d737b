"""The Integrations pages: cards, the Add wizard, the gear's actions, and who may do what."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from integrations.errors import AuthenticationError
from integrations.models import Connection, ConnectionStatus, Integration, SyncRun
from integrations.models.connection import INTERRUPTED
from integrations.pending import SESSION_KEY
from integrations.sync.lock import lock_acquire
from ledger.models import Administration

pytestmark = pytest.mark.django_db

KEY = "FAKE-KEY-abcdef9876"


def add_url(provider="fakebooks"):
    return reverse("integrations:add", args=[provider])


def test_integrations_leads_to_the_accounting_software_tab(member_client, fake_provider):
    response = member_client.get(reverse("integrations:index"), follow=True)

    html = response.content.decode()
    assert 'aria-selected="true"' in html and "Accounting Software" in html
    assert "FakeBooks" in html


def test_the_sidebar_links_to_integrations(member_client):
    html = member_client.get(reverse("tenancy:members")).content.decode()

    assert 'href="/integrations/"' in html


def test_an_admin_sees_add_but_a_member_does_not(admin_client, member_client, fake_provider, connection):
    admin_html = admin_client.get(reverse("integrations:category", args=["accounting"])).content.decode()
    member_html = member_client.get(reverse("integrations:category", args=["accounting"])).content.decode()

    assert add_url() in admin_html and 'aria-label="Settings"' in admin_html
    assert add_url() not in member_html and 'aria-label="Settings"' not in member_html
    assert "Fake Company BV" in member_html  # members still see the connection and its status


def test_a_connection_shows_its_way_in_as_its_provider_calls_it(admin_client, connection):
    card = admin_client.get(reverse("integrations:category", args=["accounting"])).content.decode()
    update = admin_client.get(reverse("integrations:update_key", args=[connection.pk])).content.decode()

    assert "Fake key ••••6789" in card
    assert "Update credentials" in card  # the provider declares no name of its own for them
    assert "Now using: Fake key ••••6789." in update  # as the provider spells it: "API key", never "api key"


class TestAddWizard:
    def test_the_wizard_checks_the_key_then_lists_the_administrations(self, admin_client, fake_provider):
        response = admin_client.post(add_url(), {"api_key": KEY})

        assert response.status_code == 302
        html = admin_client.get(response.url).content.decode()
        assert "Fake Company BV" in html and "Connect" in html

    def test_connecting_creates_the_connection_and_starts_the_first_sync(
        self, admin_client, fake_provider, organization, enqueued, django_capture_on_commit_callbacks
    ):
        admin_client.post(add_url(), {"api_key": KEY})

        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                reverse("integrations:add_administration", args=["fakebooks"]), {"administration": "adm-1"}
            )

        connection = Connection.objects.get()
        assert response.status_code == 302
        assert connection.administration.organization == organization
        assert connection.credentials == {"api_key": KEY}
        assert connection.status == ConnectionStatus.WAITING
        assert enqueued == [(connection.pk, "connect", False)]
        assert SESSION_KEY not in admin_client.session

    def test_a_refused_key_shows_its_message_and_creates_nothing(self, admin_client, fake_provider, monkeypatch):
        def refuse(cleaned_data):
            raise AuthenticationError("FakeBooks did not accept this key.")

        monkeypatch.setattr(fake_provider, "check_credentials", refuse)

        response = admin_client.post(add_url(), {"api_key": KEY})

        assert response.status_code == 200
        assert "FakeBooks did not accept this key." in response.content.decode()
        assert not Integration.objects.exists() and not Connection.objects.exists()

    def test_the_key_is_never_rendered_back(self, admin_client, fake_provider, monkeypatch):
        monkeypatch.setattr(
            fake_provider, "check_credentials", lambda data: (_ for _ in ()).throw(AuthenticationError())
        )

        first = admin_client.post(add_url(), {"api_key": KEY}).content.decode()

        assert KEY not in first

    def test_the_administration_step_without_checked_credentials_goes_back(self, admin_client, fake_provider):
        response = admin_client.get(reverse("integrations:add_administration", args=["fakebooks"]))

        assert response.status_code == 302
        assert response.url == add_url()

    def test_an_administration_already_connected_is_marked_and_cannot_be_added_twice(
        self, admin_client, fake_provider, connection
    ):
        admin_client.post(add_url(), {"api_key": KEY})
        step2 = reverse("integrations:add_administration", args=["fakebooks"])

        html = admin_client.get(step2).content.decode()
        response = admin_client.post(step2, {"administration": "adm-1"})

        assert "Already connected" in html
        assert "already connected" in response.content.decode()
        assert Connection.objects.count() == 1

    def test_a_way_in_the_provider_does_not_declare_is_a_fault_not_a_connection(
        self, admin_client, fake_provider, monkeypatch
    ):
        from integrations.providers import AdministrationChoice, CredentialsCheck

        monkeypatch.setattr(
            fake_provider,
            "check_credentials",
            lambda data: CredentialsCheck({"api_key": KEY}, "••••", "soap", (AdministrationChoice("adm-1", "BV"),)),
        )
        admin_client.post(add_url(), {"api_key": KEY})

        with pytest.raises(ValueError, match="declares no transport 'soap'"):
            admin_client.post(
                reverse("integrations:add_administration", args=["fakebooks"]), {"administration": "adm-1"}
            )

        assert not Connection.objects.exists()

    def test_a_member_cannot_add(self, member_client, fake_provider):
        assert member_client.get(add_url()).status_code == 403
        assert member_client.post(add_url(), {"api_key": KEY}).status_code == 403

    def test_an_unknown_provider_is_not_found(self, admin_client):
        assert admin_client.get(add_url("nope")).status_code == 404


class TestGear:
    def test_sync_now_starts_a_sync(self, admin_client, connection, enqueued, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            admin_client.post(reverse("integrations:sync_now", args=[connection.pk]))

        assert enqueued == [(connection.pk, "manual", False)]

    def test_sync_now_waits_for_a_new_key_when_reconnect_is_needed(self, admin_client, connection, enqueued):
        Connection.objects.filter(pk=connection.pk).update(status=ConnectionStatus.RECONNECT_NEEDED)

        response = admin_client.post(reverse("integrations:sync_now", args=[connection.pk]), follow=True)

        assert "must be updated" in response.content.decode()
        assert enqueued == []

    def test_update_key_reconnects_in_place_keeping_history(
        self, admin_client, connection, enqueued, django_capture_on_commit_callbacks
    ):
        SyncRun.objects.create(connection=connection, administration=connection.administration, trigger="manual")
        Connection.objects.filter(pk=connection.pk).update(status=ConnectionStatus.RECONNECT_NEEDED)

        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(
                reverse("integrations:update_key", args=[connection.pk]), {"api_key": "FAKE-NEW-KEY-4321"}
            )

        connection.refresh_from_db()
        assert response.status_code == 302
        assert connection.credentials == {"api_key": "FAKE-NEW-KEY-4321"}
        assert connection.status == ConnectionStatus.WAITING
        assert connection.runs.count() == 1
        assert enqueued == [(connection.pk, "reconnect", False)]

    def test_update_key_refuses_credentials_for_another_administration(
        self, admin_client, connection, fake_provider, monkeypatch
    ):
        from integrations.providers import AdministrationChoice, CredentialsCheck

        monkeypatch.setattr(
            fake_provider,
            "check_credentials",
            lambda data: CredentialsCheck({"api_key": "x"}, "••••", "key", (AdministrationChoice("other", "Other"),)),
        )

        response = admin_client.post(reverse("integrations:update_key", args=[connection.pk]), {"api_key": "FAKE-1234"})

        assert "do not reach Fake Company BV" in response.content.decode()
        connection.refresh_from_db()
        assert connection.credentials == {"api_key": "FAKE-KEY-0123456789"}

    def test_remove_keeps_the_books_marked_disconnected(self, admin_client, connection):
        response = admin_client.post(reverse("integrations:remove", args=[connection.pk]))

        administration = Administration.objects.get()
        assert response.status_code == 302
        assert not Connection.objects.exists()
        assert administration.disconnected_at is not None

    def test_adding_the_same_administration_again_re_attaches_its_books(self, admin_client, connection, enqueued):
        admin_client.post(reverse("integrations:remove", args=[connection.pk]))
        admin_client.post(add_url(), {"api_key": KEY})
        admin_client.post(reverse("integrations:add_administration", args=["fakebooks"]), {"administration": "adm-1"})

        administration = Administration.objects.get()
        assert administration.is_connected
        assert Connection.objects.get().administration == administration

    def test_delete_needs_the_organisation_name(self, admin_client, connection):
        response = admin_client.post(reverse("integrations:delete", args=["fakebooks"]), {"confirm_name": "wrong"})

        assert "exactly to confirm" in response.content.decode()
        assert Integration.objects.exists()

    def test_delete_keeps_the_data_unless_ticked(self, admin_client, connection, organization):
        admin_client.post(reverse("integrations:delete", args=["fakebooks"]), {"confirm_name": organization.name})

        assert not Integration.objects.exists() and not Connection.objects.exists()
        assert Administration.objects.get().disconnected_at is not None

    def test_delete_with_data_ticked_removes_the_books(self, admin_client, connection, organization):
        response = admin_client.post(
            reverse("integrations:delete", args=["fakebooks"]),
            {"confirm_name": organization.name, "delete_data": "1"},
            follow=True,
        )

        assert not Administration.objects.exists()
        # One administration, said as one: no "administration(s)".
        assert "The imported data of 1 administration was deleted." in response.content.decode()

    @pytest.mark.parametrize("name", ["sync_now", "update_key", "remove"])
    def test_a_member_cannot_use_the_gear(self, member_client, connection, name):
        assert member_client.post(reverse(f"integrations:{name}", args=[connection.pk])).status_code == 403

    @pytest.mark.parametrize("name", ["sync_now", "update_key", "remove", "connection_status", "history"])
    def test_another_organisations_connection_is_not_found(self, client, connection, other_organization, name):
        from tests.factories import MembershipFactory

        client.force_login(MembershipFactory(organization=other_organization, role="admin").user)

        assert client.post(reverse(f"integrations:{name}", args=[connection.pk])).status_code in {404, 405}
        assert client.get(reverse(f"integrations:{name}", args=[connection.pk])).status_code in {404, 405}


def test_the_status_fragment_polls_while_a_sync_runs(member_client, connection):
    run = SyncRun.objects.create(connection=connection, administration=connection.administration, trigger="manual")
    SyncRun.objects.filter(pk=run.pk).update(
        stream="mutations", stream_label="Transactions", progress_done=30, progress_total=120
    )
    Connection.objects.filter(pk=connection.pk).update(status=ConnectionStatus.IN_PROGRESS)
    lock_acquire(connection_id=connection.pk)  # the run's live lease

    html = member_client.get(reverse("integrations:connection_status", args=[connection.pk])).content.decode()

    assert 'hx-trigger="every 2s"' in html
    assert 'aria-valuenow="25"' in html
    assert "Transactions: 30 of 120" in html


def test_the_progress_of_a_run_from_before_streams_named_themselves_shows_the_streams_name(member_client, connection):
    run = SyncRun.objects.create(connection=connection, administration=connection.administration, trigger="manual")
    SyncRun.objects.filter(pk=run.pk).update(stream="outstanding_items", progress_done=1, progress_total=2)
    Connection.objects.filter(pk=connection.pk).update(status=ConnectionStatus.IN_PROGRESS)
    lock_acquire(connection_id=connection.pk)

    html = member_client.get(reverse("integrations:connection_status", args=[connection.pk])).content.decode()

    assert "Outstanding items: 1 of 2" in html


def test_a_run_whose_lease_ran_out_shows_as_interrupted_at_once(member_client, connection, settings):
    # Its worker was killed: the run and the connection are still marked running, no one renews the lease.
    settings.MONITR_SYNC_LOCK_LEASE_SECONDS = 2
    run = SyncRun.objects.create(connection=connection, administration=connection.administration, trigger="manual")
    SyncRun.objects.filter(pk=run.pk).update(
        stream="mutations", stream_label="Transactions", progress_done=30, progress_total=120
    )
    Connection.objects.filter(pk=connection.pk).update(status=ConnectionStatus.IN_PROGRESS)
    lock_acquire(connection_id=connection.pk)

    with time_machine.travel(timezone.now() + dt.timedelta(seconds=3)):
        fragment = member_client.get(reverse("integrations:connection_status", args=[connection.pk])).content.decode()
        history = member_client.get(reverse("integrations:history", args=[connection.pk])).content.decode()
        listed = StringIO()
        call_command("sync_status", stdout=listed)

    assert 'data-status="failed"' in fragment and INTERRUPTED in fragment
    assert "hx-trigger" not in fragment and "Transactions: 30 of 120" not in fragment
    assert 'data-status="interrupted"' in history and INTERRUPTED in history
    assert "In progress" not in history
    row = next(line for line in listed.getvalue().splitlines() if connection.administration.name in line)
    assert "Failed" in row and "In progress" not in row
    assert " ".join(listed.getvalue().split()).count("The import stopped before it finished") == 1


def test_the_status_fragment_stops_polling_when_done(member_client, connection):
    Connection.objects.filter(pk=connection.pk).update(status=ConnectionStatus.SUCCEEDED)

    html = member_client.get(reverse("integrations:connection_status", args=[connection.pk])).content.decode()

    assert "hx-trigger" not in html


def test_sync_history_lists_runs_with_counts_under_each_streams_own_label(member_client, connection):
    SyncRun.objects.create(
        connection=connection,
        administration=connection.administration,
        trigger="manual",
        status="succeeded",
        counts={
            "journal": {"label": "Journal entries", "new": 120, "changed": 3, "deleted": 1, "unchanged": 0},
            # A run from before streams stored their label: the name, readable.
            "cost_centres": {"new": 1, "changed": 0, "deleted": 0, "unchanged": 0},
        },
        api_calls={"/v1/mutation": 2, "/v1/mutation/{id}": 123},
    )

    html = member_client.get(reverse("integrations:history", args=[connection.pk])).content.decode()

    assert "Journal entries:</span> +120 new, 3 changed, 1 deleted" in html
    assert "Cost centres:</span> +1 new" in html
    assert "125" in html


def test_sync_history_says_what_a_run_set_aside_and_why(member_client, connection):
    records = [{"record": f"Mutation {n} of 2025-03-04", "reason": f"Reason number {n}."} for n in range(50)]
    SyncRun.objects.create(
        connection=connection,
        administration=connection.administration,
        trigger="manual",
        status="succeeded",
        counts={
            "mutations": {"new": 3, "changed": 0, "deleted": 0, "unchanged": 0},
            "relations": {
                "new": 0,
                "changed": 0,
                "deleted": 0,
                "unchanged": 0,
                "set_aside": 60,
                "set_aside_records": records,
            },
        },
    )

    html = member_client.get(reverse("integrations:history", args=[connection.pk])).content.decode()

    assert "+3 new" in html and "60 set aside" in html
    assert "<strong>Mutation 49 of 2025-03-04</strong>: Reason number 49." in html
    assert "60 in all" in html and reverse("dashboards:data_checks") in html


def _succeeded_run(connection, api_calls):
    Connection.objects.filter(pk=connection.pk).update(status=ConnectionStatus.SUCCEEDED)
    now = timezone.now()
    return SyncRun.objects.create(
        connection=connection,
        administration=connection.administration,
        trigger="manual",
        status="succeeded",
        finished_at=now,
        counts={"mutations": {"new": 5, "changed": 0, "deleted": 0, "unchanged": 0, "records": "transactions"}},
        api_calls=api_calls,
    )


def test_the_card_counts_the_api_calls_of_the_last_run(member_client, connection):
    _succeeded_run(connection, {"/v1/mutation": 1, "/v1/mutation/{id}": 1_233})

    fragment = member_client.get(reverse("integrations:connection_status", args=[connection.pk])).content.decode()
    history = member_client.get(reverse("integrations:history", args=[connection.pk])).content.decode()

    assert ", 1,234 API calls. New: 5 transactions." in fragment
    assert '<th class="num">API calls</th>' in history and 'data-label="API calls">1,234<' in history


def test_a_run_that_called_no_api_says_nothing_of_api_calls(member_client, connection):
    # A provider that reads a file instead of calling a service records no calls.
    _succeeded_run(connection, {})

    fragment = member_client.get(reverse("integrations:connection_status", args=[connection.pk])).content.decode()
    history = member_client.get(reverse("integrations:history", args=[connection.pk])).content.decode()

    assert "New: 5 transactions." in fragment and "API call" not in fragment
    assert "API call" not in history and "+5 new" in history


def test_the_card_counts_what_the_last_run_brought_per_kind(member_client, connection):
    run = _succeeded_run(connection, {})
    run.counts = {
        "ledgers": {"label": "Chart of accounts", "records": "accounts", "new": 12},
        "relations": {"label": "Relations", "records": "relations", "new": 45},
        "cost_centres": {"label": "Cost centres", "records": "cost_centres", "new": 1},
        "outstanding_items": {"label": "Open items", "records": "open_items", "new": 21},
        "mutations": {"label": "Transactions", "records": "transactions", "new": 1562, "changed": 3, "deleted": 1},
        "balances": {"label": "Checking balances", "new": 0},
    }
    run.save()

    with translation.override("en"):
        fragment = member_client.get(reverse("integrations:connection_status", args=[connection.pk]))

    assert (
        "New: 12 accounts, 45 relations, 1 cost centre, 21 open items, 1,562 transactions; "
        "changed: 3 transactions; deleted: 1 transaction."
    ) in fragment.content.decode()
