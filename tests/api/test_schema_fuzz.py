"""Schemathesis against ``/api/schema/``: generated requests to every endpoint, authenticated with a personal API
token, find no server error and no response that breaks the schema (``not_a_server_error``,
``response_schema_conformance`` and the other default checks). Derandomised, so every run sends the same requests.
Bounded in CI (a few examples per operation, well under a minute); ``--run-slow`` sends many more."""

from __future__ import annotations

import base64
import re

import pytest
import schemathesis
import yaml
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, positive_data_acceptance
from schemathesis.specs.openapi.checks import response_schema_conformance

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


def api_paths() -> set[str]:
    """The paths of every API view in the URL configuration, with their parameters as ``{}``."""

    def walk(patterns, prefix: str):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif route.startswith("api/") and pattern.name not in ("schema", "docs"):
                yield "/" + re.sub(r"<[^>]+>", "{}", route)

    return set(walk(get_resolver().url_patterns, ""))


def test_the_schema_documents_every_api_endpoint(api_schema):
    documented = {re.sub(r"{[^}]+}", "{}", result.ok().path) for result in api_schema.get_all_operations()}

    assert api_paths() == documented


def fuzz(api_schema, token: str, *, max_examples: int) -> None:
    # One Hypothesis run per operation, so all of them share the test's database and token.
    headers = {"Authorization": f"Bearer {token}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=max_examples,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def answers_within_the_schema(case):
            # Every default check, the two that matter most named; all but "a schema-valid request is accepted":
            # some limits are not in the schema's types (a past day must have a snapshot, an id must be the
            # organisation's) and rightly answer 400 or 404.
            case.call_and_validate(
                headers=headers,
                additional_checks=[not_a_server_error, response_schema_conformance],
                excluded_checks=[positive_data_acceptance],
            )

        answers_within_the_schema()


# Valid base64 around what no answer of ours carries: generated strings are almost never valid base64, so these are
# sent on purpose to every operation that pages with a cursor.
CRAFTED_CURSORS = [
    base64.b64encode(inside.encode()).decode()
    for inside in ("p=nonsense", f"o=1&r=1&p={10**30}", "p=1\x00", "p=0001-01-01 00:00:00+14:00", "p=", "o=-1")
]


def test_crafted_cursors_get_a_documented_400(api_schema, admin_token):
    headers = {"Authorization": f"Bearer {admin_token}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    paginated = [op for op in operations if any(p.name == "cursor" for p in op.query)]
    assert len(paginated) >= 6

    for operation in paginated:
        for cursor in CRAFTED_CURSORS:
            case = operation.Case(query={"cursor": cursor})
            response = case.call_and_validate(
                headers=headers,
                additional_checks=[not_a_server_error, response_schema_conformance],
                excluded_checks=[positive_data_acceptance],
            )
            assert response.status_code == 400, (operation.label, cursor)


def test_the_api_answers_every_generated_request_within_its_schema(api_schema, admin_token):
    fuzz(api_schema, admin_token, max_examples=50)


@pytest.mark.slow
def test_the_api_answers_many_more_generated_requests_within_its_schema(api_schema, admin_token, member_token):
    fuzz(api_schema, admin_token, max_examples=300)
    fuzz(api_schema, member_token, max_examples=100)
