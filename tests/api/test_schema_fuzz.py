"""Schemathesis against ``/api/schema/``: generated requests to every endpoint, authenticated with a personal API
token, find no server error and no response that breaks the schema. Bounded (a few examples per operation) so that
it runs in well under a minute."""

from __future__ import annotations

import pytest
import schemathesis
import yaml
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_schema(client, books):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    loaded = schemathesis.openapi.from_dict(yaml.safe_load(response.content))
    loaded.app = get_wsgi_application()
    # As Django's test client does: the WSGI handler would otherwise close the test's database connection after
    # each request, and with it the transaction the test runs in.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield loaded
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_the_api_answers_every_generated_request_within_its_schema(api_schema, admin_token):
    # One Hypothesis run per operation inside a single test, so all of them share the test's database and token.
    headers = {"Authorization": f"Bearer {admin_token}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def answers_within_the_schema(case):
            # Every check but "a schema-valid request is accepted": some limits are not in the schema's types (a
            # past day must have a snapshot, an id must be the organisation's) and rightly answer 400 or 404.
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        answers_within_the_schema()
