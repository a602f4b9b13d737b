"""The read API: each endpoint's rows and filters, the reports equal the pages' figures, the admin-only sync, and
another organisation's data is never listed and its ids are 404."""

from __future__ import annotations

import base64
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from integrations.models import Connection, Integration, SyncRun
from ledger.models import Account, Relation
from ledger.services import lines_complete_advance, lines_complete_reset, monthly_balances_from_source

pytestmark = pytest.mark.django_db


def get(client, name: str, **params):
    response = client.get(reverse(f"api:{name}"), params)
    assert response.status_code == 200, response.content
    return response.json()


def test_accounts_carry_their_reporting_line(token_client, books):
    rows = {a["code"]: a for a in get(token_client, "accounts")["results"]}

    assert rows["8000"]["reporting_line"] == "revenue"
    assert rows["1300"]["reporting_line"] == "receivables"


def test_relations_are_listed(token_client, books, other_books):
    names = [r["name"] for r in get(token_client, "relations")["results"]]

    assert sorted(names) == ["Alpha BV", "Beta & Zonen", "Gamma NV"]


def test_transactions_come_with_their_lines_newest_first_and_filter(token_client, books, other_books):
    body = get(token_client, "transactions")

    assert [t["external_id"] for t in body["results"]] == ["b1", "p1", "s2", "s1"]
    s1 = body["results"][-1]
    assert s1["amount"] == "1210.00" and len(s1["lines"]) == 3
    assert sum(Decimal(line["amount"]) for line in s1["lines"]) == 0
    sales = get(token_client, "transactions", type="sales_invoice", amount_min="700")
    assert [t["external_id"] for t in sales["results"]] == ["s1"]


def test_transactions_page_with_a_cursor(token_client, books):
    first = get(token_client, "transactions", page_size=3)

    assert len(first["results"]) == 3 and first["next"]
    second = token_client.get(first["next"]).json()
    assert [t["external_id"] for t in second["results"]] == ["s1"]


def test_sync_runs_page_with_a_cursor_both_ways(token_client, books):
    # Ordered by a time with its offset: the cursors carry it, and it must come back through the check.
    runs = [SyncRun.objects.create(administration=books.administration) for _ in range(3)]
    for hours, run in enumerate(runs):
        SyncRun.objects.filter(pk=run.pk).update(started_at=run.started_at - timedelta(hours=hours))

    first = get(token_client, "sync_runs", page_size=1)
    second = token_client.get(first["next"]).json()
    third = token_client.get(second["next"]).json()
    back = token_client.get(third["previous"]).json()

    pages = [page["results"][0]["id"] for page in (first, second, third, back)]
    assert pages == [runs[0].pk, runs[1].pk, runs[2].pk, runs[1].pk]
    assert third["next"] is None


def test_a_sync_runs_counts_are_the_figures_alone_without_the_labels_the_pages_show(token_client, books):
    SyncRun.objects.create(
        administration=books.administration,
        counts={"ledgers": {"label": "Chart of accounts", "new": 2, "changed": 0, "deleted": 0, "unchanged": 7}},
    )

    [run] = get(token_client, "sync_runs")["results"]

    assert run["counts"] == {"ledgers": {"new": 2, "changed": 0, "deleted": 0, "unchanged": 7}}


# Cursors a client can write by hand: valid base64 with something inside that no answer of ours ever carries, or
# not base64 at all.
CRAFTED_CURSORS = {
    "a word for a position": base64.b64encode(b"p=nonsense").decode(),
    "a position past any id": base64.b64encode(f"p={10**30}".encode()).decode(),
    "a NUL character": base64.b64encode(b"p=1\x00").decode(),
    "the first day, east of UTC": base64.b64encode(b"p=0001-01-01 00:00:00+14:00").decode(),
    "a day no date can be": base64.b64encode(b"p=10000-01-01").decode(),
    "a negative offset": base64.b64encode(b"o=-5&p=1").decode(),
    "not base64": "abc",
}


@pytest.mark.parametrize(
    "name",
    [
        "api:administrations",
        "api:accounts",
        "api:relations",
        "api:transactions",
        "api:sync_runs",
        "api:outstanding_items",
    ],
)
@pytest.mark.parametrize("cursor", CRAFTED_CURSORS.values(), ids=CRAFTED_CURSORS.keys())
def test_a_cursor_that_is_not_ours_is_a_400_that_says_so(token_client, books, name, cursor):
    response = token_client.get(reverse(name), {"cursor": cursor})

    assert response.status_code == 400
    assert response.json() == {"cursor": ["Invalid cursor: follow the next or previous link of an earlier answer."]}


def test_a_bad_filter_is_a_400_with_a_message(token_client, books):
    response = token_client.get(reverse("api:transactions"), {"date_from": "yesterday", "type": "nope"})

    assert response.status_code == 400
    assert "date_from" in response.json() and "type" in response.json()


def test_the_pnl_report_has_the_statements_figures(token_client, books):
    body = get(token_client, "report_pnl", year=2025, month=3)

    rows = {r["label"]: r for r in body["rows"]}
    assert rows["Revenue"]["figures"]["months"] == ["1000.00", "500.00", "0.00"]
    assert rows["Net result"]["figures"]["total"] == "1300.00"
    assert rows["Revenue"]["accounts"][0]["code"] == "8000"


def test_the_balance_sheet_report_balances(token_client, books):
    body = get(token_client, "report_balance_sheet", year=2025, month=12)

    totals = [r for r in body["rows"] if r["kind"] == "total"]
    assert totals[0]["figures"]["total"] == totals[1]["figures"]["total"] == "1815.00"


def test_a_complete_report_says_every_transaction_is_in(token_client, books):
    body = get(token_client, "report_pnl", year=2025, month=3)

    assert body["complete"] is True
    assert body["lines_complete_through"] is None and body["source_balances_from"] is None


def test_a_report_during_a_first_import_says_which_months_are_the_sources_balances(token_client, books):
    administration = books.administration
    lines_complete_reset(administration=administration, before=date(2025, 1, 1))
    lines_complete_advance(administration=administration, window_start=date(2025, 1, 1), window_end=date(2025, 1, 31))
    for month, revenue in ((2, "700.00"), (3, "800.00")):
        monthly_balances_from_source(
            administration=administration,
            month=date(2025, month, 1),
            balances={"revenue": -Decimal(revenue), "debtors": Decimal(revenue)},
        )

    for params in ({}, {"administration": administration.pk}):
        body = get(token_client, "report_pnl", year=2025, month=3, **params)

        assert body["complete"] is False
        assert body["lines_complete_through"] == "2025-01-31"
        assert body["source_balances_from"] == "2025-02-01"
        rows = {r["label"]: r for r in body["rows"]}
        # January from the lines; February and March from the source's balances, not February's imported sale.
        assert rows["Revenue"]["figures"]["months"] == ["1000.00", "700.00", "800.00"]
    balance = get(token_client, "report_balance_sheet", year=2025, month=3)
    assert balance["complete"] is False and balance["source_balances_from"] == "2025-02-01"
    totals = [r for r in balance["rows"] if r["kind"] == "total"]
    assert totals[0]["figures"]["total"] == totals[1]["figures"]["total"]


def test_sync_runs_are_listed(token_client, books):
    assert get(token_client, "sync_runs")["results"] == []


def test_only_an_admin_may_ask_for_a_sync(token_client, admin_token, books, organization):
    integration = Integration.objects.create(organization=organization, provider_key="eboekhouden")
    connection = Connection.objects.create(
        integration=integration,
        administration=books.administration,
        credentials={"api_token": "x"},
        credentials_hint="••••",
        transport="rest",
    )
    url = reverse("api:connection_sync", args=[connection.pk])

    assert token_client.post(url).status_code == 403
    admin = APIClient()
    admin.credentials(HTTP_AUTHORIZATION=f"Bearer {admin_token}")
    assert admin.post(url).status_code in (202, 409)


def test_another_organisations_ids_are_not_found(token_client, books, other_books):
    other_account = Account.objects.get(administration=other_books.administration, external_id="bank")
    other_relation = Relation.objects.get(administration=other_books.administration)

    assert token_client.get(reverse("api:transactions"), {"account": other_account.pk}).status_code == 404
    assert token_client.get(reverse("api:transactions"), {"relation": other_relation.pk}).status_code == 404
    assert (
        token_client.get(reverse("api:accounts"), {"administration": other_books.administration.pk}).status_code == 404
    )
    assert "secret" not in str(get(token_client, "transactions"))


def test_the_schema_and_its_docs_page_are_served(client):
    assert client.get(reverse("api:schema")).status_code == 200
    assert client.get(reverse("api:docs")).status_code == 200
