"""The transactions explorer: filters, sort, pages, the CSV export, and nothing of another organisation."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from dashboards.templatetags.dashboards_ui import without_number
from ledger.models import Account, Transaction

from .factories import PAYABLE, RECEIVABLE

pytestmark = pytest.mark.django_db

PAGE = reverse("dashboards:transactions")
EXPORT = reverse("dashboards:transactions_export", args=["csv"])


@pytest.fixture
def booked(books):
    books.invoice("s1", side=RECEIVABLE, day=date(2026, 1, 5), amount="1210.00")
    books.invoice("s2", side=RECEIVABLE, day=date(2026, 2, 5), amount="605.00", relation="rel-2")
    books.invoice("p1", side=PAYABLE, day=date(2026, 3, 5), amount="242.00", relation="rel-3")
    books.payment("b1", day=date(2026, 3, 20), amount="1000.00")
    return books


def numbers(response) -> list[str]:
    assert response.status_code == 200
    page = response.content.decode()
    return [t.external_id for t in Transaction.objects.order_by("external_id") if f">{t.external_id}</a>" in page]


def exported(response) -> list[dict]:
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_lists_every_transaction_newest_first(member_client, booked):
    page = member_client.get(PAGE).content.decode()

    assert numbers(member_client.get(PAGE)) == ["b1", "p1", "s1", "s2"]
    assert page.index(">b1<") < page.index(">s2<") < page.index(">s1<")


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"date_from": "2026-02-01", "date_to": "2026-03-10"}, ["p1", "s2"]),
        ({"type": "sales_invoice"}, ["s1", "s2"]),
        ({"amount_min": "600", "amount_max": "1100"}, ["b1", "s2"]),
        ({"q": "Beta"}, ["s2"]),
        ({"q": "p1"}, ["p1"]),
    ],
)
def test_filters_narrow_the_list(member_client, booked, params, expected):
    assert numbers(member_client.get(PAGE, params)) == expected


def test_the_account_filter_keeps_transactions_with_a_line_on_it(member_client, booked):
    bank = Account.objects.get(external_id="bank", administration=booked.administration)

    assert numbers(member_client.get(PAGE, {"account": bank.pk})) == ["b1"]


def test_sorts_by_amount(member_client, booked):
    page = member_client.get(PAGE, {"sort": "amount"}).content.decode()

    assert page.index(">p1<") < page.index(">s2<") < page.index(">b1<") < page.index(">s1<")


def test_the_export_has_the_filtered_rows_with_their_amounts(member_client, booked):
    rows = exported(member_client.get(EXPORT, {"type": "sales_invoice", "sort": "date"}))

    assert [(r["Number"], r["Amount"], r["Relation"]) for r in rows] == [
        ("s1", "1210.00", "Alpha BV"),
        ("s2", "605.00", "Beta & Zonen"),
    ]


def test_an_amount_bound_of_zero_is_kept_in_the_export_link(member_client, booked):
    page = member_client.get(PAGE, {"amount_max": "0"}).content.decode()

    assert numbers(member_client.get(PAGE, {"amount_max": "0"})) == []
    assert "?amount_max=0" in page  # the export lists what the page lists, not every transaction


def test_another_organisations_transactions_are_never_listed_or_exported(member_client, booked, other_books):
    other_books.invoice("secret", side=RECEIVABLE, day=date(2026, 1, 9), amount="121.00")
    other_account = Account.objects.get(external_id="bank", administration=other_books.administration)

    assert "secret" not in member_client.get(PAGE).content.decode()
    assert "secret" not in [r["Number"] for r in exported(member_client.get(EXPORT))]
    assert member_client.get(PAGE, {"account": other_account.pk}).status_code == 404


def test_the_relation_filter_shows_whose_transactions_these_are(member_client, booked):
    relation = booked.relation("rel-2")

    response = member_client.get(PAGE, {"relation": relation.pk})

    assert numbers(response) == ["s2"]
    assert "Only transactions of Beta &amp; Zonen" in response.content.decode()
    assert "Only transactions of" not in member_client.get(PAGE).content.decode()


def test_a_provider_without_cost_centres_gets_no_filter_and_is_named(member_client, booked):
    booked.administration.provider = "no-such-provider"
    booked.administration.save(update_fields=["provider"])

    page = member_client.get(PAGE).content.decode()

    assert 'data-axes="none"' in page and "no-such-provider has no cost centres" in page
    assert 'name="cost_center"' not in page


@pytest.mark.parametrize(
    ("description", "number", "shown"),
    [
        ("Factuur F-2025-00012", "F-2025-00012", "Factuur"),
        ("Ontvangst Alpha BV factuur 50158", "50158", "Ontvangst Alpha BV factuur"),
        ("50158", "50158", ""),
        ("Factuur F-12", "F-1", "Factuur F-12"),
        ("Huur januari", "", "Huur januari"),
    ],
)
def test_a_description_does_not_repeat_the_invoice_number_shown_beside_it(description, number, shown):
    assert without_number(description, number) == shown


def test_the_list_shows_the_invoice_number_once(member_client, books):
    books.invoice("s9", side=RECEIVABLE, day=date(2026, 1, 5), amount="121.00")
    Transaction.objects.filter(external_id="s9").update(description="Factuur F-77", invoice_number="F-77")

    page = member_client.get(PAGE).content.decode()

    assert page.count("F-77") == 1
