"""Fixtures that connect a Monitr organisation to a fresh sandbox administration (a pytest plugin of the suite)."""

from __future__ import annotations

import datetime as dt

import pytest

from eboekhouden.provider import Transport
from integrations.models import Connection, Integration, SyncRun, SyncRunStatus
from integrations.sync.engine import sync_run_execute
from ledger.models import Administration

# The sandbox's books end on 2025-12-31; syncs of them run as if it were early January, so that the latest months
# fall inside the look-back window as they would in real life.
RECENTLY = dt.datetime(2026, 1, 12, 9, 0, tzinfo=dt.UTC)
# The REST endpoint of one mutation's detail, as the run's API calls name it.
DETAIL = "GET /v1/mutation/{id}"


@pytest.fixture
def sandbox_settings(settings, eboekhouden_sandbox):
    settings.EBOEKHOUDEN_REST_URL = eboekhouden_sandbox.rest_url
    settings.EBOEKHOUDEN_SOAP_URL = eboekhouden_sandbox.soap_url
    return settings


def connect(organization, info, *, transport: str = Transport.REST) -> Connection:
    integration, _ = Integration.objects.get_or_create(organization=organization, provider_key="eboekhouden")
    administration, _ = Administration.objects.get_or_create(
        organization=organization, provider="eboekhouden", external_id=info.guid, defaults={"name": info.company}
    )
    if transport == Transport.REST:
        secret = {"api_token": info.api_token}
    else:
        secret = {
            "username": info.username,
            "security_code_1": info.security_code_1,
            "security_code_2": info.security_code_2,
        }
    return Connection.objects.create(
        integration=integration,
        administration=administration,
        credentials=secret,
        credentials_hint="••••test",
        transport=transport,
    )


@pytest.fixture
def sandbox_connection(db, organization, sandbox_settings, eboekhouden_sandbox_administration) -> Connection:
    return connect(organization, eboekhouden_sandbox_administration)


def sync(connection: Connection, **kwargs) -> SyncRun:
    """One sync run here, as the worker runs it, which must succeed; its SyncRun."""
    outcome = sync_run_execute(connection_id=connection.pk, trigger="manual", **kwargs)
    run = SyncRun.objects.get(pk=outcome.run_id)
    assert run.status == SyncRunStatus.SUCCEEDED, run.error_message
    return run
