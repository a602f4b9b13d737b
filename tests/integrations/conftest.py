from __future__ import annotations

import pytest

from integrations.models import Connection, Integration
from ledger.models import Administration

from . import fakes


@pytest.fixture
def enqueued(monkeypatch):
    """The syncs a page would start, recorded instead of queued: the arguments of each."""
    calls = []
    monkeypatch.setattr("integrations.tasks.sync_connection.delay", lambda *args: calls.append(args))
    return calls


@pytest.fixture
def fake_provider():
    provider = fakes.install()
    yield provider
    fakes.uninstall()


@pytest.fixture
def connection(db, organization, fake_provider) -> Connection:
    integration = Integration.objects.create(organization=organization, provider_key=fake_provider.key)
    administration = Administration.objects.create(
        organization=organization, provider=fake_provider.key, external_id="adm-1", name="Fake Company BV"
    )
    return Connection.objects.create(
        integration=integration,
        administration=administration,
        credentials={"api_key": "FAKE-KEY-0123456789"},
        credentials_hint="••••6789",
        transport="key",
    )
