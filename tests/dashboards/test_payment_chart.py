"""A relation's invoices against their payment dates (the chart on its invoices page), from the open-item ledger:
each invoice at its due date with the days after it that it was paid (by amount) or has been open so far; as of the
page's day; the latest 60 of 24 months; only the scope's side, the relation's invoices and the organisation's own;
in the page as JSON with a table and an empty state, in the same number of queries however many invoices."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards.selectors.payments import months_before, relation_payment_chart
from dashboards.selectors.scope import OutstandingScope

from .factories import PAYABLE, RECEIVABLE, Books
from .paying import build, invoice
from .test_query_counts import BASELINE

pytestmark = pytest.mark.django_db


def scope_of(books, today, **changes) -> OutstandingScope:
    return OutstandingScope(
        **{
            "organization": books.administration.organization,
            "side": RECEIVABLE,
            "as_of": today,
            "today": today,
            **changes,
        }
    )


def points(chart) -> dict[str, tuple[date, Decimal, bool]]:
    return {p.invoice_number: (p.due, p.days, p.is_open) for p in chart.points}


@pytest.fixture
def history(books, today) -> Books:
    """Alpha's invoices: F1 paid in two parts 10 and 20 days late (60 and 40), F2 paid 4 days early, F3 partly paid
    and 36 days overdue, F4 not due for 25 days yet."""
    f1_due, f2_due = today - timedelta(days=70), today - timedelta(days=30)
    invoice(
        books,
        "F1",
        day=today - timedelta(days=100),
        term=30,
        paid=[(f1_due + timedelta(days=10), "60.00"), (f1_due + timedelta(days=20), "40.00")],
    )
    invoice(books, "F2", day=today - timedelta(days=60), term=30, paid=[(f2_due - timedelta(days=4), "100.00")])
    invoice(books, "F3", day=today - timedelta(days=50), term=14, paid=[(today - timedelta(days=20), "30.00")])
    invoice(books, "F4", day=today - timedelta(days=5), term=30)
    build(books, today)
    return books


def test_a_paid_invoice_is_at_its_due_date_with_its_days_late_by_amount(history, today):
    chart = relation_payment_chart(scope=scope_of(history, today), relation=history.relation("rel-1"))

    assert points(chart) == {
        "F1": (today - timedelta(days=70), Decimal("14.0"), False),  # (60 × 10 + 40 × 20) / 100
        "F2": (today - timedelta(days=30), Decimal("-4.0"), False),
        "F3": (today - timedelta(days=36), Decimal(36), True),  # open: overdue so far
        "F4": (today + timedelta(days=25), Decimal(-25), True),  # open, not due yet
    }
    assert [p.invoice_number for p in chart.points] == ["F1", "F3", "F2", "F4"]  # by due date
    assert (len(chart.paid), chart.paid_late, len(chart.open), chart.overdue, chart.capped) == (2, 1, 2, 1, False)


def test_as_of_a_past_day_a_later_invoice_is_not_there_and_a_later_payment_has_not_happened(history, today):
    as_of = today - timedelta(days=40)

    chart = relation_payment_chart(scope=scope_of(history, today, as_of=as_of), relation=history.relation("rel-1"))

    assert points(chart) == {
        "F1": (today - timedelta(days=70), Decimal("14.0"), False),  # paid in full 50 days ago
        "F2": (today - timedelta(days=30), Decimal(-10), True),  # paid 34 days ago: open then, due in 10 days
        "F3": (today - timedelta(days=36), Decimal(-4), True),  # dated 50 days ago, due 36 days ago
    }  # F4 is dated 5 days ago


def test_the_chart_data_is_each_series_points_by_due_date(history, today):
    data = relation_payment_chart(scope=scope_of(history, today), relation=history.relation("rel-1")).data()

    assert data["as_of"] == today.isoformat()
    assert data["paid"] == [
        {"x": (today - timedelta(days=70)).isoformat(), "y": "14.0", "n": "F1"},
        {"x": (today - timedelta(days=30)).isoformat(), "y": "-4.0", "n": "F2"},
    ]
    assert [(p["n"], p["y"]) for p in data["open"]] == [("F3", "36"), ("F4", "-25")]


def test_only_the_latest_invoices_of_the_last_24_months_are_shown(books, today):
    start = months_before(today, 24)
    invoice(books, "old", day=start, paid=[(start + timedelta(days=40), "100.00")])  # a day before the window
    for n in range(1, 8):
        invoice(
            books, f"N{n}", day=start + timedelta(days=n * 60), paid=[(start + timedelta(days=n * 60 + 35), "100.00")]
        )
    build(books, today)
    scope, relation = scope_of(books, today), books.relation("rel-1")

    assert [p.invoice_number for p in relation_payment_chart(scope=scope, relation=relation).points] == [
        f"N{n}" for n in range(1, 8)
    ]
    capped = relation_payment_chart(scope=scope, relation=relation, limit=5)
    assert [p.invoice_number for p in capped.points] == [f"N{n}" for n in range(3, 8)]
    assert capped.capped and capped.limit == 5


def test_the_24_months_end_on_the_same_day_two_years_before():
    assert months_before(date(2026, 1, 12), 24) == date(2024, 1, 12)
    assert months_before(date(2028, 2, 29), 24) == date(2026, 2, 28)
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)


def test_only_the_relations_invoices_of_the_scopes_side_count(books, today):
    invoice(books, "F1", day=today - timedelta(days=40), paid=[(today - timedelta(days=5), "100.00")])
    invoice(books, "CN1", day=today - timedelta(days=20), amount="-25.00")  # a credit note
    invoice(books, "B1", day=today - timedelta(days=40), relation="rel-2")
    invoice(books, "P1", day=today - timedelta(days=40), side=PAYABLE)
    build(books, today)
    relation = books.relation("rel-1")

    receivable = relation_payment_chart(scope=scope_of(books, today), relation=relation)
    payable = relation_payment_chart(scope=scope_of(books, today, side=PAYABLE), relation=relation)

    assert [p.invoice_number for p in receivable.points] == ["F1"]
    assert [p.invoice_number for p in payable.points] == ["P1"]


def test_another_organisations_ledger_is_never_read(history, other_books, today):
    invoice(other_books, "S1", day=today - timedelta(days=40))
    build(other_books, today)
    theirs = other_books.relation("rel-1")

    assert relation_payment_chart(scope=scope_of(history, today), relation=theirs).points == []


def test_with_another_administration_chosen_the_relation_has_no_invoices_there(history, organization, today):
    second = Books.create(organization, name="Second BV")
    scope = scope_of(history, today, administration=second.administration)

    assert relation_payment_chart(scope=scope, relation=history.relation("rel-1")).points == []


def items_page(client, books, **params):
    query = {"administration": books.administration.pk, "relation": books.relation("rel-1").pk, **params}
    return client.get(reverse("dashboards:outstanding_items"), query)


def test_the_relations_page_draws_the_chart_from_its_data_with_a_table_of_the_invoices(member_client, history, today):
    html = items_page(member_client, history).content.decode()

    data = json.loads(
        re.search(r'<script id="payment-chart-data" type="application/json">(.*?)</script>', html).group(1)
    )
    assert [p["n"] for p in data["paid"]] == ["F1", "F2"] and [p["n"] for p in data["open"]] == ["F3", "F4"]
    canvas = re.search(r'<canvas id="payment-chart"[^>]*>', html).group(0)
    for attribute in ('role="img"', "aria-label=", "data-label-paid=", "data-label-open=", "data-label-zero="):
        assert attribute in canvas
    assert "js/dashboards.js" in html and "chart.umd.min.js" in html
    assert "2 invoices paid, 1 after the due date; 2 still open, 1 overdue." in " ".join(html.split())
    table = re.search(r'<details class="payment-table">.*?</details>', html, re.S).group(0)
    assert re.findall(r'data-label="Invoice"><span class="mono">(\w+)</span>', table) == ["F4", "F2", "F3", "F1"]
    assert re.findall(r'<td class="num" data-label="Days after the due date">([^<]+)</td>', table) == [
        "-25",
        "-4",
        "+36",
        "+14",
    ]


def test_a_relation_without_invoices_in_the_books_shows_an_empty_chart(member_client, books):
    html = items_page(member_client, books).content.decode()

    assert 'data-figure="chart-empty"' in html and "No invoices of this relation in the books" in html
    assert "payment-chart-data" not in html and "chart.umd.min.js" not in html


def test_the_items_without_a_relation_have_no_chart(member_client, history):
    html = member_client.get(reverse("dashboards:outstanding_items"), {"relation": "none"}).content.decode()

    assert "payment-chart" not in html and "behaviour-card" not in html


def test_the_relations_page_takes_the_same_queries_however_many_invoices_it_has(member_client, organization, today):
    counts = []
    for size in (3, 70):
        books = Books.create(organization, name=f"Books {size}")
        books.relations("Alpha BV")
        for n in range(size):
            day = today - timedelta(days=10 * n + 5)
            invoice(
                books,
                f"F{n}",
                day=day,
                term=14,
                paid=[(day + timedelta(days=20), "60.00"), (day + timedelta(days=30), "40.00")],
            )
        build(books, today)
        with CaptureQueriesContext(connection) as queries:
            assert items_page(member_client, books).status_code == 200
        counts.append(len(queries))

    assert counts == [BASELINE["outstanding_items"]] * 2
