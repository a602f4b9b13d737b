"""The API's docs page works without the internet: Swagger UI is served from Monitr's own static files."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_docs_page_loads_swagger_ui_from_monitrs_own_static_files(admin_client):
    html = admin_client.get("/api/docs/").content.decode()

    scripts = re.findall(r'src="([^"]+)"', html)
    assert scripts and all(src.startswith("/static/") for src in scripts), scripts
