"""The ops commands: sync_eboekhouden (``sync`` for e-Boekhouden's connections), sync_status and connect_eboekhouden."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from integrations.models import Connection, ConnectionStatus, Integration, SyncRun
from ledger.models import Administration

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args, **kwargs) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


def test_an_inline_sync_shows_progress_and_a_summary(sandbox_connection):
    output = run("sync_eboekhouden", "--connection", str(sandbox_connection.pk), "--inline")

    assert "Succeeded" in output and "API calls" in output
    assert "Transactions" in output and "new" in output
    assert SyncRun.objects.get().trigger == "command"


def test_an_inline_sync_that_fails_exits_non_zero(
    sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    eboekhouden_sandbox.revoke_token(eboekhouden_sandbox_administration.guid)

    with pytest.raises(CommandError, match="1 of 1 syncs failed"):
        run("sync_eboekhouden", "--connection", str(sandbox_connection.pk), "--inline")

    sandbox_connection.refresh_from_db()
    assert sandbox_connection.status == ConnectionStatus.RECONNECT_NEEDED


def test_without_inline_the_syncs_are_queued_with_ids_only(sandbox_connection, organization, monkeypatch):
    queued = []
    monkeypatch.setattr("integrations.tasks.sync_connection.delay", lambda *args: queued.append(args))

    output = run("sync_eboekhouden", "--organization", organization.slug, "--full", "--since", "2025-01-01")

    assert queued == [(sandbox_connection.pk, "command", True, "2025-01-01")]
    assert "Queued a sync" in output


def test_it_is_the_sync_command_for_e_boekhoudens_connections_only(sandbox_connection, organization, monkeypatch):
    other = Connection.objects.create(
        integration=Integration.objects.create(organization=organization, provider_key="otherbooks"),
        administration=Administration.objects.create(
            organization=organization, provider="otherbooks", external_id="o-1", name="Other Books BV"
        ),
        credentials={},
    )
    queued = []
    monkeypatch.setattr("integrations.tasks.sync_connection.delay", lambda *args: queued.append(args[0]))

    alias = run("sync_eboekhouden", "--all", "--full")
    generic = run("sync", "--all", "--full", "--provider", "eboekhouden")
    everything = run("sync", "--all")

    assert alias == generic and "Queued a sync" in alias and "Other Books BV" not in alias
    assert "Other Books BV" in everything
    assert queued == [sandbox_connection.pk, sandbox_connection.pk, sandbox_connection.pk, other.pk]
    with pytest.raises(CommandError, match="unrecognized arguments: --provider"):
        run("sync_eboekhouden", "--all", "--provider", "otherbooks")


def test_no_matching_connection_is_an_error(db):
    with pytest.raises(CommandError, match="No e-Boekhouden connection matches"):
        run("sync_eboekhouden", "--all")


def test_a_malformed_since_date_is_an_error(sandbox_connection):
    with pytest.raises(CommandError, match="--since must be a date"):
        run("sync_eboekhouden", "--all", "--since", "yesterday")


def test_sync_status_lists_connections_with_their_errors(sandbox_connection):
    Connection.objects.filter(pk=sandbox_connection.pk).update(
        status=ConnectionStatus.RECONNECT_NEEDED, status_message="The key has expired."
    )

    output = run("sync_status")

    assert sandbox_connection.administration.name in output
    assert "Reconnect needed" in output and "The key has expired." in output


def connect(organization, key: str, guid: str, tmp_path) -> str:
    key_file = tmp_path / "key"
    key_file.write_text(key)
    return run(
        "connect_eboekhouden",
        "--organization",
        organization.slug,
        "--api-key-file",
        str(key_file),
        "--administration",
        guid,
    )


class TestConnectCommand:
    def test_connects_with_a_key_from_a_file_and_never_prints_it(
        self, db, organization, sandbox_settings, eboekhouden_sandbox_administration, tmp_path, monkeypatch
    ):
        monkeypatch.setattr("integrations.tasks.sync_connection.delay", lambda *args: None)
        info = eboekhouden_sandbox_administration

        output = connect(organization, info.api_token + "\n", info.guid, tmp_path)

        connection = Connection.objects.get()
        assert connection.credentials == {"api_token": info.api_token}
        assert info.api_token not in output
        assert "first sync is queued" in output

    def test_without_a_broker_it_connects_and_says_the_first_sync_is_not_queued(
        self, db, organization, sandbox_settings, eboekhouden_sandbox_administration, tmp_path, broker_down
    ):
        info = eboekhouden_sandbox_administration

        with pytest.raises(CommandError, match=r"first sync is not queued\. Syncing is unavailable right now"):
            connect(organization, info.api_token, info.guid, tmp_path)

        assert Connection.objects.get().status == ConnectionStatus.FAILED

    def test_a_refused_key_is_a_clear_error_and_connects_nothing(
        self, db, organization, sandbox_settings, eboekhouden_sandbox_administration, tmp_path
    ):
        with pytest.raises(CommandError, match="did not accept this API key"):
            connect(organization, "0" * 48, eboekhouden_sandbox_administration.guid, tmp_path)

        assert not Connection.objects.exists()
