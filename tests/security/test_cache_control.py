"""``Cache-Control: no-store`` on everything a signed-in user or an API token gets, proven by a crawl of every URL
pattern: dashboards, exports, the API's JSON, the integration and token settings pages. Static files stay cacheable."""

from __future__ import annotations

import pytest
from django.test import Client

from .crawl import crawled, urls_for

pytestmark = pytest.mark.django_db


def client_for(tenants, who: str) -> Client:
    if who == "token":
        return Client(HTTP_AUTHORIZATION=f"Bearer {tenants.a.token_secret}")
    client = Client()
    client.force_login(getattr(tenants.a, who))
    return client


@pytest.mark.parametrize("who", ["admin", "member", "token"])
def test_every_answer_to_a_signed_in_user_or_token_is_never_stored(tenants, sandbox_settings, who):
    client = client_for(tenants, who)
    answered, failures = 0, []
    for route in crawled():
        if who == "token" and not route.is_api:
            continue
        for url in urls_for(route, tenants.a):
            response = client.get(url)
            answered += response.status_code == 200
            if "no-store" not in response.get("Cache-Control", ""):
                failures.append(f"GET {url}: {response.status_code}, Cache-Control {response.get('Cache-Control')!r}")
    assert answered >= 8  # the crawl reached real pages and API answers, not only refusals
    assert not failures, "\n".join(failures)


def test_static_files_stay_cacheable_for_a_signed_in_user(tenants):
    response = client_for(tenants, "admin").get("/static/js/monitr.js")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
