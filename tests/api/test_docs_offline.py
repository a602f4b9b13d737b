"""The API's docs page works without the internet: Swagger UI is served from Monitr's own static files."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_docs_page_loads_swagger_ui_from_monitrs_own_static_files(admin_client):
    html = admin_client.get("/api/docs/").content.decode()

    scripts = re.findall(r'src="([^"]+)"', html)
    # Swagger UI from the static files; its start-up script from the docs page itself (no inline script, for the
    # Content-Security-Policy).
    assert scripts and all(src.startswith(("/static/", "/api/docs/?script")) for src in scripts), scripts
    start = admin_client.get(scripts[-1].replace("&amp;", "&"))
    assert start.status_code == 200
    assert start["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in start.content
