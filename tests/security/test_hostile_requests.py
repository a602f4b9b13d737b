"""Every URL, asked with hostile values in every query parameter and form field the views read: NUL characters
(PostgreSQL's text refuses them), 100,000 characters, HTML, right-to-left marks and numbers where text is expected.
Nothing answers with a server error, and nothing is echoed unescaped."""

from __future__ import annotations

import pytest
from django.test import Client

from .conftest import body_text
from .crawl import crawled, post_data, urls_for

pytestmark = pytest.mark.django_db

HOSTILE = {
    "NUL": "a\x00b",
    "long": "x" * 100_000,
    "html": '"><script>alert("q")</script>',
    "rtl": "\u202e١٢٣",
    "negative": "-1",
    "huge number": "9" * 40,
    "digits int() refuses": "²٣",  # str.isdigit() says yes to both
    "empty": "",
}
# The query parameters the views read (filters, search, sort, paging, dates, ids).
PARAMETERS = (
    "administration",
    "account",
    "relation",
    "side",
    "basis",
    "as_of",
    "q",
    "rq",
    "sort",
    "page",
    "page_size",
    "date_from",
    "date_to",
    "type",
    "amount_min",
    "amount_max",
    "unbalanced",
    "overdue",
    "no_due_date",
    "year",
    "month",
    "m",
    "unmapped",
    "back",
    "cursor",
    "next",
)


def crawl(tenants, ask) -> list[str]:
    """``ask(client, url)`` for every URL as A's admin; what went wrong. A server error is recorded as a 500 and
    the crawl goes on."""
    client = Client(raise_request_exception=False)
    client.force_login(tenants.a.admin)
    failures = []
    for route in crawled():
        for url in urls_for(route, tenants.a):
            response = ask(client, url)
            if response.status_code >= 500:
                failures.append(f"{response.wsgi_request.method} {url}: {response.status_code}")
            elif "<script>alert(" in body_text(response) and "json" not in response["Content-Type"]:
                failures.append(f"{response.wsgi_request.method} {url}: echoes the script unescaped")
    return failures


@pytest.mark.parametrize("kind", HOSTILE)
def test_hostile_query_parameters_never_cause_a_server_error(tenants, sandbox_settings, kind):
    query = dict.fromkeys(PARAMETERS, HOSTILE[kind])

    failures = crawl(tenants, lambda client, url: client.get(url, query))

    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("kind", HOSTILE)
def test_hostile_form_fields_never_cause_a_server_error(tenants, sandbox_settings, kind):
    data = dict.fromkeys([*post_data(tenants.a), "next_query", "next"], HOSTILE[kind])

    failures = crawl(tenants, lambda client, url: client.post(url, data))

    assert not failures, "\n".join(failures)


# What the crawls above found, each fixed in its view and pinned here.


@pytest.mark.parametrize("target", ["a b", "-1", "//evil.example/", "https://evil.example/", "dashboards"])
def test_switching_organisation_sends_anything_but_a_local_path_home(tenants, target):
    client = Client()
    client.force_login(tenants.a.admin)

    response = client.post("/organisation/switch/", {"organization": tenants.a.organization.pk, "next": target})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_switching_organisation_keeps_a_local_path(tenants):
    client = Client()
    client.force_login(tenants.a.admin)

    response = client.post("/organisation/switch/", {"organization": tenants.a.organization.pk, "next": "/dashboards/"})

    assert response["Location"] == "/dashboards/"


@pytest.mark.parametrize("account", ["x", "9" * 40, "-1", "١٢٣", "1 OR 1=1"])
def test_moving_an_account_that_is_not_a_number_is_not_found(tenants, account):
    client = Client()
    client.force_login(tenants.a.admin)

    response = client.post("/dashboards/mapping/", {"account": account, "line": "revenue"})

    assert response.status_code == 404


def test_an_api_token_name_loses_its_nul_characters(tenants):
    from monitr.accounts.models import ApiToken

    client = Client()
    client.force_login(tenants.a.member)

    response = client.post("/account/api-tokens/", {"name": "Power\x00 BI"})

    assert response.status_code == 200  # the page with the new token, answered to the post itself
    assert ApiToken.objects.filter(user=tenants.a.member).get().name == "Power BI"
