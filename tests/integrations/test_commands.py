"""``manage.py sync``: one connection, an organisation's or all, of any provider; queued, or run here with progress."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from integrations.errors import AuthenticationError
from integrations.models import SyncRun
from integrations.sync.base import StreamCounts

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("sync", *args, stdout=out)
    return out.getvalue()


def test_an_inline_sync_names_each_stream_as_the_stream_names_itself(connection, fake_provider):
    fake_provider.streams[0].label = "Chart of accounts"
    fake_provider.streams[1].label = "Journal entries"
    fake_provider.streams[1].behaviour = lambda ctx: ctx.progress(3, 3) or StreamCounts(new=3, changed=1)

    output = run("--connection", str(connection.pk), "--inline")

    assert "Journal entries" in output and "3/3" in output  # the progress bar of the stream that reported
    assert "Chart of accounts    +1 new" in output
    assert "Journal entries      +3 new, 1 changed" in output
    assert "Succeeded" in output and "2 API calls" in output
    assert SyncRun.objects.get().trigger == "command"


def test_an_inline_sync_that_fails_exits_non_zero(connection, fake_provider):
    def refuse(ctx):
        raise AuthenticationError("The key was refused. Copy a new one.")

    fake_provider.streams[0].behaviour = refuse

    with pytest.raises(CommandError, match="1 of 1 syncs failed"):
        run("--organization", connection.integration.organization.slug, "--inline")


def test_without_inline_the_syncs_are_queued_for_one_provider(connection, fake_provider, monkeypatch):
    queued = []
    monkeypatch.setattr("integrations.tasks.sync_connection.delay", lambda *args: queued.append(args))

    output = run("--all", "--provider", fake_provider.key, "--since", "2025-01-01")

    assert queued == [(connection.pk, "command", False, "2025-01-01")]
    assert "Queued a sync of Fake Company BV" in output


def test_an_unknown_provider_or_no_connection_is_an_error(connection, fake_provider):
    with pytest.raises(CommandError, match="No provider is registered under 'nobooks'"):
        run("--all", "--provider", "nobooks")
    with pytest.raises(CommandError, match="No FakeBooks connection matches"):
        run("--connection", str(connection.pk + 1), "--provider", fake_provider.key)
    with pytest.raises(CommandError, match="No connection matches"):
        run("--organization", "no-such-organisation")
