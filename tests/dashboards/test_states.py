"""Each dashboard before anything is connected and during a first import: its own heading, what it waits for, and
the progress poll that reloads it once that is in."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import Connection, ConnectionStatus, Integration, SyncRun, SyncTrigger

pytestmark = pytest.mark.django_db

DASHBOARDS = ["overview", "pnl", "balance-sheet", "transactions", "outstanding", "checks", "mapping"]
PLAN = [
    {"name": "ledgers", "label": "Chart of accounts", "brings": None},
    {"name": "outstanding_items", "label": "Open items", "brings": "outstanding_items"},
    {"name": "month_balances", "label": "Balances per month", "brings": "balances"},
    {"name": "mutations", "label": "Transactions", "brings": "transactions"},
    {"name": "balances", "label": "Checking balances", "brings": "checks"},
]


def h1(response) -> str:
    return re.search(r"<h1>(.*?)</h1>", response.content.decode()).group(1)


def importing(books, *, at: str, done: int = 0, total: int = 0, estimated: bool = False) -> SyncRun:
    """``books``' first import, running at the stream ``at``, every stream before it finished."""
    integration = Integration.objects.create(organization=books.administration.organization, provider_key="eboekhouden")
    connection = Connection.objects.create(
        integration=integration,
        administration=books.administration,
        credentials={"api_token": "x" * 20},
        status=ConnectionStatus.IN_PROGRESS,
        sync_lock="run",
        sync_lock_expires_at=timezone.now() + timedelta(minutes=5),
    )
    names = [p["name"] for p in PLAN]
    return SyncRun.objects.create(
        connection=connection,
        administration=books.administration,
        trigger=SyncTrigger.CONNECT,
        plan=PLAN,
        stream=at,
        counts={name: {"new": 1} for name in names[: names.index(at)]},
        progress_done=done,
        progress_total=total,
        progress_estimated=estimated,
    )


def test_before_anything_is_connected_each_dashboard_has_its_own_heading_and_a_way_to_connect(admin_client):
    responses = [admin_client.get(f"/dashboards/{page}/") for page in DASHBOARDS]

    headings = [h1(r) for r in responses]
    assert len(set(headings)) == len(DASHBOARDS), headings
    for response in responses:
        assert 'href="/integrations/"' in response.content.decode()
        assert "Who owes you" not in response.content.decode() or h1(response) == "Outstanding items"


def test_while_the_open_items_are_coming_outstanding_items_shows_no_figure(admin_client, books):
    importing(books, at="outstanding_items")

    page = admin_client.get("/dashboards/outstanding/").content.decode()

    assert 'data-waiting-for="outstanding_items"' in page
    assert "data-figure" not in page and "Nothing outstanding" not in page and "Last import: never" not in page


def test_once_the_balances_are_in_the_statements_show_with_the_import_still_running(admin_client, books):
    importing(books, at="mutations", done=1200, total=20300, estimated=True)

    page = admin_client.get("/dashboards/pnl/").content.decode()

    assert "data-waiting-for" not in page and 'id="first-import"' in page
    assert "1,200 of about 20,300" in page


def test_the_progress_poll_reloads_the_page_once_what_it_waits_for_is_in(admin_client, books):
    run = importing(books, at="outstanding_items")
    url = f"/dashboards/imports/first/?for=outstanding_items&administration={books.administration.pk}"

    assert "HX-Refresh" not in admin_client.get(url)
    run.counts["outstanding_items"] = {"new": 3}
    run.stream = "month_balances"
    run.save()
    assert admin_client.get(url)["HX-Refresh"] == "true"


def test_an_administration_imported_before_is_never_shown_as_importing(admin_client, books):
    books.administration.last_imported_at = timezone.now()
    books.administration.save()
    importing(books, at="outstanding_items")

    assert "data-waiting-for" not in admin_client.get("/dashboards/outstanding/").content.decode()
