"""The OpenAPI schema is the API's contract with its clients: every path, parameter and response, and the operation
ids, tags and component names that client generators name their code after. It is kept in ``openapi.yaml`` beside
this file, so that a change a client could see shows here as a diff. A change meant to be seen is made by writing the
file anew and committing it with the change:

    python manage.py spectacular --file tests/api/openapi.yaml
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

SNAPSHOT = Path(__file__).with_name("openapi.yaml")


def assert_is_the_snapshot(schema: str, source: str) -> None:
    expected = SNAPSHOT.read_text()
    if schema != expected:
        lines = difflib.unified_diff(
            expected.splitlines(keepends=True), schema.splitlines(keepends=True), "tests/api/openapi.yaml", source
        )
        pytest.fail(f"The API's schema is not the snapshot:\n{''.join(lines)}", pytrace=False)


def test_the_generated_schema_is_the_snapshot_exactly(tmp_path):
    written = tmp_path / "openapi.yaml"
    # Valid OpenAPI, and no view that drf-spectacular had to guess about.
    call_command("spectacular", "--file", str(written), "--validate", "--fail-on-warn")

    assert_is_the_snapshot(written.read_text(), "generated now")


@pytest.mark.django_db
def test_the_schema_served_to_clients_is_the_snapshot(client):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    served = response.content.decode()
    assert yaml.safe_load(served)["paths"]  # a schema, not an empty document
    assert_is_the_snapshot(served, "served at /api/schema/")
