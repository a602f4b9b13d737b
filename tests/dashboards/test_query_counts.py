"""The dashboards' queries are counted: they do not grow with the rows shown, and a committed baseline
(``query_counts.json``, ``{view: queries}``) catches a view that starts asking more. When a change means to alter a
count, update the file in the same commit, consciously."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards.note_services import note_create
from ledger.models import Account, Transaction
from tests.factories import UserFactory

from .factories import PAYABLE, RECEIVABLE, random_items

pytestmark = pytest.mark.django_db

BASELINE = json.loads((Path(__file__).parent / "query_counts.json").read_text())


def build(books, today, size: int) -> None:
    relations = books.relations(*(f"Relation {n:03d}" for n in range(size)), prefix="q")
    external_ids = [r.external_id for r in relations]
    then = today - timedelta(days=30)
    books.open_items(RECEIVABLE, random_items(seed=size, count=size, today=then, relations=external_ids, prefix="o"))
    books.snapshot(then)
    books.open_items(
        RECEIVABLE, random_items(seed=size, count=size, today=today, relations=external_ids, without_due=2)
    )
    books.open_items(PAYABLE, random_items(seed=size + 1, count=size, today=today, relations=external_ids, prefix="p"))
    for n in range(size):
        books.invoice(f"s{n}", side=RECEIVABLE, day=today - timedelta(days=n % 80), amount="121.00", relation="q-1")
    books.check(side=RECEIVABLE, day=today, expected="1.00", actual="2.00")
    # Notes with follow-ups due: one on each relation, and as many again on the relation the drill-down shows.
    author = UserFactory()
    for n, relation in enumerate(relations):
        note_create(relation=relation, side=RECEIVABLE, author=author, text="Call.", follow_up_on=today - timedelta(n))
        note_create(relation=relations[0], side=RECEIVABLE, author=author, text=f"Note {n}.", promised_on=today)


def requests(books, today) -> dict[str, tuple[str, dict]]:
    page = reverse("dashboards:outstanding")
    relation = books.relation("q-1").pk
    account = Account.objects.get(administration=books.administration, external_id="debtors")
    transaction = Transaction.objects.filter(administration=books.administration).order_by("pk").first()
    return {
        "outstanding": (page, {}),
        "outstanding_as_of": (page, {"as_of": (today - timedelta(days=30)).isoformat()}),
        "outstanding_no_snapshot": (page, {"as_of": (today - timedelta(days=29)).isoformat()}),
        "outstanding_search_page_2": (page, {"q": "relation", "sort": "name", "page": 2}),
        "outstanding_items": (reverse("dashboards:outstanding_items"), {"relation": relation}),
        "outstanding_items_all": (reverse("dashboards:outstanding_items"), {}),
        "api_outstanding_items": (reverse("api:outstanding_items"), {}),
        "api_outstanding_aging": (reverse("api:outstanding_aging"), {}),
        "forecast": (reverse("dashboards:outstanding_forecast"), {}),
        "api_outstanding_forecast": (reverse("api:outstanding_forecast"), {}),
        "overview": (reverse("dashboards:overview"), {}),
        "pnl": (reverse("dashboards:pnl"), {}),
        "balance_sheet": (reverse("dashboards:balance_sheet"), {}),
        "statement_line": (reverse("dashboards:statement_line", args=["pnl", "revenue"]), {}),
        "account": (reverse("dashboards:account", args=[account.pk]), {"month": 12}),
        "transaction": (reverse("dashboards:transaction", args=[transaction.pk]), {}),
        "account_mapping": (reverse("dashboards:account_mapping"), {}),
        "data_checks": (reverse("dashboards:data_checks"), {}),
        "transactions": (reverse("dashboards:transactions"), {"q": "s", "sort": "amount"}),
    }


def count(client, url: str, params: dict, headers: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params, **(headers or {}))
        assert response.status_code == 200, (url, response.status_code)
    return len(queries)


@pytest.mark.parametrize("view", sorted(BASELINE))
def test_queries_do_not_grow_with_the_rows_and_match_the_baseline(view, member_client, organization, today):
    from .factories import Books

    counts = []
    for size in (5, 50):
        books = Books.create(organization, name=f"Books {size}")
        build(books, today, size)
        if view == "outstanding_htmx_table":
            url, params = reverse("dashboards:outstanding"), {"administration": books.administration.pk}
            headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "relations"}
            counts.append(count(member_client, url, params, headers))
        else:
            url, params = requests(books, today)[view]
            counts.append(count(member_client, url, {**params, "administration": books.administration.pk}))

    assert counts[0] == counts[1], f"{view}: {counts[0]} queries with 5 rows, {counts[1]} with 50"
    assert counts[1] == BASELINE[view], (
        f"{view} now makes {counts[1]} queries, the baseline says {BASELINE[view]}: "
        "if that is meant, update tests/dashboards/query_counts.json"
    )
