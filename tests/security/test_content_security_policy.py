"""The Content-Security-Policy holds: every page and template is free of what the policy forbids (inline scripts,
inline styles, event-handler attributes, ``javascript:`` links), so the strict policy breaks nothing, and every
response carries it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from .conftest import body_text
from .crawl import crawled, routes, urls_for

pytestmark = pytest.mark.django_db

FORBIDDEN = {
    "an inline script": re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
    "an inline style element": re.compile(r"<style\b", re.I),
    "a style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I),
    "an event-handler attribute": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I),
    "a javascript: link": re.compile(r"javascript:", re.I),
}


def problems_in(text: str) -> list[str]:
    return [what for what, pattern in FORBIDDEN.items() if pattern.search(text)]


def test_the_scan_finds_what_it_looks_for():
    assert problems_in('<div style="width: 1px">') == ["a style attribute"]
    assert problems_in("<script>alert(1)</script>") == ["an inline script"]
    assert problems_in('<select onchange="go()">') == ["an event-handler attribute"]
    assert problems_in('<script src="/static/x.js"></script><script type="application/json">{}</script>') == []


def test_no_template_has_inline_script_or_style():
    found = []
    for path in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        if path.parent.name == "email":  # an e-mail's HTML: read by mail clients, which keep only inline styles
            continue
        found += [f"{path.relative_to(settings.BASE_DIR)}: {what}" for what in problems_in(path.read_text())]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("user", ["admin", "member"])
def test_every_page_keeps_to_the_policy_and_carries_it(tenants, sandbox_settings, user):
    client = Client()
    client.force_login(getattr(tenants.a, user))
    found = []
    for route in crawled() + [r for r in routes() if r.name in ("api:docs",)]:
        for url in urls_for(route, tenants.a):
            response = client.get(url)
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            assert "script-src 'self'" in response["Content-Security-Policy"], url
            found += [f"{url}: {what}" for what in problems_in(body_text(response))]
    assert not found, "\n".join(found)


def test_the_login_page_and_the_errors_carry_it_too(client):
    for url in ("/login/", "/no-such-page/"):
        assert client.get(url)["Content-Security-Policy"].startswith("default-src 'self'")
