"""Fixtures that connect a Monitr organisation to a fresh sandbox administration (a pytest plugin of the suite)."""

from __future__ import annotations

import pytest

from integrations.models import Connection, Integration, Transport
from ledger.models import Administration


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
