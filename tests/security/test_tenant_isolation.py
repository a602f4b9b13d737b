"""Tenant isolation, proven by a crawl of every URL pattern the project has (read from the URL resolver).

Organisation A's users, with organisation B's ids in the URL (and in the query parameters the views filter by),
get a 404 or 403 and never a byte of B's data; A's members are refused every admin action; anonymous visitors are
sent to the login page (the API answers 401/403). B's rows are compared before and after: nothing A's users post
changes them.
"""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from monitr.urls import urlpatterns as project_urlpatterns

from .conftest import body_text, leaked, tenant_state
from .crawl import FILL, PUBLIC, crawled, post_data, routes, urls_for

pytestmark = pytest.mark.django_db

# Refusals. 405: a GET on a POST-only action (or the reverse) is refused before anything is looked up.
REFUSED = {403, 404, 405}
# Member actions that change the database on purpose: every member manages their own personal API tokens.
MEMBER_ACTIONS = {"accounts:api_tokens", "accounts:api_token_revoke"}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_url_pattern_can_be_crawled(tenants):
    problems = []
    for route in routes():
        if route.name in PUBLIC:
            continue
        try:
            urls_for(route, tenants.a)
        except pytest.fail.Exception as failure:
            problems.append(str(failure))
    assert not problems, "\n".join(problems)
    stale = set(FILL) - {r.name for r in routes()}
    assert not stale, f"FILL names URL patterns that no longer exist: {sorted(stale)}"


# The project's URLs plus one a developer might add tomorrow, for the test below (@pytest.mark.urls(__name__)).
urlpatterns = [
    *project_urlpatterns,
    path("widgets/<int:widget_id>/", lambda request, widget_id: HttpResponse(), name="new_widget"),
]


@pytest.mark.urls(__name__)
def test_a_new_url_with_an_argument_the_crawl_does_not_know_fails_it(tenants):
    route = next(r for r in routes() if r.name == "new_widget")

    with pytest.raises(pytest.fail.Exception, match=r"new_widget .* takes widget_id, which the security crawl"):
        urls_for(route, tenants.a)


def test_the_crawl_covers_pages_exports_and_the_api():
    names = {r.name for r in crawled()}
    # A guard against a crawl that silently finds nothing (a changed resolver, a wrong root).
    assert {
        "dashboards:outstanding",
        "dashboards:outstanding_export",
        "api:transactions",
        "integrations:remove",
    } <= names
    assert len(names) >= 35


def test_b_markers_are_what_b_itself_sees(tenants, sandbox_settings):
    """The control: B's own admin finds B's markers in B's pages, exports and API, so the checks below can fail."""
    client = signed_in(tenants.b.admin)
    found = set()
    for route in crawled():
        for url in urls_for(route, tenants.b):
            response = client.get(url)
            if response.status_code == 200:
                found.update(leaked(body_text(response), tenants.b_markers))
    amounts = {"987654", "987,654", "987.654"}  # plain in exports and the API, grouped on pages
    assert set(tenants.b_markers) - amounts <= found
    assert "987654" in found and found & (amounts - {"987654"})


def as_user(tenants, who: str) -> tuple[Client, bool]:
    """A's client, and whether it reaches only the API: A's admin or member in a browser, or a program with A's
    admin's personal API token."""
    if who == "token":
        client = Client(HTTP_AUTHORIZATION=f"Bearer {tenants.a.token_secret}")
        assert "Acme Customer BV" in client.get("/api/v1/relations/").content.decode()  # the token works
        return client, True
    return signed_in(getattr(tenants.a, who)), False


WHO = ["admin", "member", "token"]


def b_ids_failures(client: Client, tenants, *, api_only: bool) -> list[str]:
    """What goes wrong when A's client asks for every URL with B's ids, by GET and by POST."""
    failures = []
    for route in crawled():
        if api_only and not route.is_api:
            continue
        fill = FILL.get(route.name)
        for url in urls_for(route, tenants.b):
            for method in ("get", "post"):
                response = getattr(client, method)(url, post_data(tenants.b) if method == "post" else None)
                text = body_text(response)
                if response.status_code >= 500:
                    failures.append(f"{method.upper()} {url}: {response.status_code}")
                elif fill is not None and fill.owned and response.status_code not in REFUSED:
                    failures.append(f"{method.upper()} {url}: {response.status_code}, not a refusal")
                if found := leaked(text, tenants.b_markers):
                    failures.append(f"{method.upper()} {url}: shows B's {found}")
    return failures


@pytest.mark.parametrize("who", WHO)
def test_another_organisations_ids_in_urls_are_not_found(tenants, sandbox_settings, who):
    client, api_only = as_user(tenants, who)
    before = tenant_state(tenants.b.organization)

    failures = b_ids_failures(client, tenants, api_only=api_only)

    assert not failures, "\n".join(failures)
    assert tenant_state(tenants.b.organization) == before


def test_the_crawl_catches_a_view_that_forgets_the_organisation(tenants, sandbox_settings, monkeypatch):
    """The control: with scoping switched off, the same crawl reports B's objects found and shown."""
    from monitr.tenancy.scoping import TenantQuerySet

    monkeypatch.setattr(TenantQuerySet, "for_organization", lambda self, organization: self.all())
    client, _ = as_user(tenants, "admin")

    failures = b_ids_failures(client, tenants, api_only=False)

    assert any("/dashboards/transactions/" in f and "not a refusal" in f for f in failures), failures
    assert any("shows B's" in f for f in failures), failures


@pytest.mark.parametrize("who", WHO)
def test_another_organisations_ids_in_query_parameters_show_nothing(tenants, sandbox_settings, who):
    """Filters by administration, account and relation take ids: B's are refused or ignored, never applied."""
    client, api_only = as_user(tenants, who)
    b = tenants.b
    query = {
        "administration": b.administration.pk,
        "account": b.account.pk,
        "relation": b.relation.pk,
        "page": 1,
    }
    failures = []
    for route in crawled():
        if api_only and not route.is_api:
            continue
        for url in urls_for(route, tenants.a):
            response = client.get(url, query)
            if response.status_code >= 500:
                failures.append(f"GET {url}: {response.status_code}")
            if found := leaked(body_text(response), tenants.b_markers):
                failures.append(f"GET {url}?{query}: shows B's {found}")
    assert not failures, "\n".join(failures)


def test_members_are_refused_every_admin_action(tenants, sandbox_settings):
    client = signed_in(tenants.a.member)
    before = tenant_state(tenants.a.organization)
    admin_only = [r for r in crawled() if r.admin_only]
    assert {"integrations:remove", "integrations:update_key", "api:connection_sync"} <= {r.name for r in admin_only}
    failures = []
    for route in admin_only:
        for url in urls_for(route, tenants.a):
            for method in ("get", "post"):
                response = getattr(client, method)(url, post_data(tenants.a) if method == "post" else None)
                if response.status_code not in REFUSED - {404}:
                    failures.append(f"{method.upper()} {url}: {response.status_code}, not 403/405")
    assert not failures, "\n".join(failures)
    assert tenant_state(tenants.a.organization) == before


def test_members_change_nothing_of_the_organisation_by_posting(tenants, sandbox_settings):
    """Every other URL, posted to by a member: no row of the organisation changes (views that are for members and
    change something inside, like the account mapping, check the role themselves)."""
    client = signed_in(tenants.a.member)
    failures = []
    for route in crawled():
        if route.name in MEMBER_ACTIONS:
            continue
        for url in urls_for(route, tenants.a):
            before = tenant_state(tenants.a.organization)
            response = client.post(url, post_data(tenants.a))
            if response.status_code >= 500:
                failures.append(f"POST {url}: {response.status_code}")
            if tenant_state(tenants.a.organization) != before:
                failures.append(f"POST {url}: a member changed the organisation's data")
    assert not failures, "\n".join(failures)


def test_anonymous_visitors_go_to_the_login_page(tenants):
    client = Client()
    failures = []
    for route in crawled():
        for url in urls_for(route, tenants.a):
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                if route.is_api:
                    ok = response.status_code in (401, 403, 405)
                else:
                    ok = response.status_code == 405 or (
                        response.status_code == 302 and response["Location"].startswith("/login/")
                    )
                if not ok:
                    failures.append(f"{method.upper()} {url}: {response.status_code}")
    assert not failures, "\n".join(failures)
