"""The read-only JSON API over the open items: filters, aging, pagination, and tenant isolation."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from dashboards.models import OutstandingSettings

from . import expected
from .factories import PAYABLE, RECEIVABLE, item, random_items

pytestmark = pytest.mark.django_db

ITEMS = reverse("api:outstanding_items")
AGING = reverse("api:outstanding_aging")
RELATIONS = ["rel-1", "rel-2", None]


@pytest.fixture
def receivables(books, today):
    items = random_items(seed=41, count=40, today=today, relations=RELATIONS, without_due=1)
    books.open_items(RECEIVABLE, items)
    return items


@pytest.fixture
def payables(books, today):
    items = random_items(seed=42, count=7, today=today, relations=RELATIONS, prefix="p")
    books.open_items(PAYABLE, items)
    return items


def every_page(client, url: str, **params) -> list[dict]:
    results, response = [], client.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        results += response.json()["results"]
        if not response.json()["next"]:
            return results
        response = client.get(response.json()["next"])


class TestItems:
    def test_lists_both_sides_with_amounts_as_strings(self, member_client, receivables, payables):
        rows = every_page(member_client, ITEMS)

        assert len(rows) == len(receivables) + len(payables)
        first = rows[0]
        assert set(first) == {
            "id",
            "external_id",
            "administration",
            "side",
            "relation",
            "invoice_number",
            "invoice_date",
            "due_date",
            "days_overdue",
            "is_credit",
            "total",
            "paid",
            "outstanding",
        }
        credits = [r for r in rows if Decimal(r["outstanding"]) < 0]
        assert credits and all(r["is_credit"] and r["days_overdue"] == 0 for r in credits)
        assert isinstance(first["outstanding"], str) and Decimal(first["outstanding"]) == Decimal(
            first["outstanding"]
        ).quantize(Decimal("0.01"))

    def test_pages_with_a_cursor_without_repeating_a_row(self, member_client, receivables):
        rows = every_page(member_client, ITEMS, side="receivable", page_size=7)

        assert len({r["id"] for r in rows}) == len(receivables)

    def test_filters_by_side_relation_and_overdue(self, member_client, books, receivables, payables, today):
        relation = books.relation("rel-2")

        payable = every_page(member_client, ITEMS, side="payable")
        mine = every_page(member_client, ITEMS, side="receivable", relation=relation.pk)
        overdue = every_page(member_client, ITEMS, side="receivable", overdue="true")

        assert {r["external_id"] for r in payable} == {i.external_id for i in payables}
        assert {r["external_id"] for r in mine} == {
            i.external_id for i in receivables if i.relation_external_id == "rel-2"
        }
        assert mine[0]["relation"] == {"id": relation.pk, "code": "REL0002", "name": "Beta & Zonen"}
        assert {r["external_id"] for r in overdue} == {i.external_id for i in receivables if expected.overdue(i, today)}
        assert all(r["days_overdue"] > 0 for r in overdue)

    def test_as_of_a_past_day_reads_its_snapshot(self, member_client, books, receivables, today):
        then = today - timedelta(days=2)
        books.snapshot(then)
        books.open_items(RECEIVABLE, [item("new", invoiced=today, due=today)])

        rows = every_page(member_client, ITEMS, side="receivable", as_of=then.isoformat())

        assert {r["external_id"] for r in rows} == {i.external_id for i in receivables}

    def test_a_day_without_a_snapshot_is_not_found_and_says_so(self, member_client, receivables, today):
        response = member_client.get(ITEMS, {"as_of": (today - timedelta(days=1)).isoformat()})

        assert response.status_code == 404
        assert response.json()["detail"].startswith("No snapshot for")

    def test_bad_parameters_are_a_clear_400(self, member_client, receivables, today):
        response = member_client.get(ITEMS, {"side": "sideways", "as_of": (today + timedelta(days=1)).isoformat()})

        assert response.status_code == 400
        assert set(response.json()) == {"side", "as_of"}

    @pytest.mark.parametrize("url", [ITEMS, AGING])
    def test_a_day_before_2000_is_a_400_that_says_so(self, member_client, receivables, url):
        # 0001-01-01 minus the widest aging bucket is no date.
        response = member_client.get(url, {"as_of": "0001-01-01"})

        assert response.status_code == 400
        assert response.json() == {"as_of": ["Open items are known from 2000-01-01 on."]}


class TestAging:
    def test_bucket_totals_equal_the_items_added_up(self, member_client, receivables, today):
        data = member_client.get(AGING).json()

        figures = expected.aging(receivables, as_of=today)
        assert data["source"] == "live" and data["side"] == "receivable" and data["administration"] is None
        assert Decimal(data["total"]) == figures["total"]
        assert Decimal(data["overdue"]) == figures["overdue"]
        assert [Decimal(b["amount"]) for b in data["buckets"]] == figures["amounts"]
        assert [b["count"] for b in data["buckets"]] == figures["counts"]
        assert (Decimal(data["credit"]), data["credit_count"]) == (figures["credit"], figures["credit_count"])
        assert figures["credit_count"] > 0  # the random items hold credit notes: they are in no bucket
        assert sum((Decimal(b["amount"]) for b in data["buckets"]), Decimal(data["credit"])) == Decimal(data["total"])
        assert [b["key"] for b in data["buckets"]] == ["not_due", "1_30", "31_60", "61_90", "over_90"]
        assert data["buckets"][0]["from_days"] is None and data["buckets"][-1]["to_days"] is None
        assert data["without_due_date"] == 1

    def test_follows_the_saved_settings_and_a_basis_parameter(self, member_client, organization, receivables, today):
        OutstandingSettings.objects.create(organization=organization, boundaries=[20, 40])

        data = member_client.get(AGING, {"basis": "invoice"}).json()

        figures = expected.aging(receivables, as_of=today, boundaries=[20, 40], basis="invoice")
        assert data["boundaries"] == [20, 40] and data["basis"] == "invoice"
        assert [Decimal(b["amount"]) for b in data["buckets"]] == figures["amounts"]

    def test_a_past_day_from_its_snapshot(self, member_client, books, receivables, today):
        then = today - timedelta(days=6)
        books.snapshot(then)

        data = member_client.get(AGING, {"as_of": then.isoformat(), "administration": books.administration.pk}).json()

        assert data["source"] == "snapshot"
        assert [Decimal(b["amount"]) for b in data["buckets"]] == expected.aging(receivables, as_of=then)["amounts"]


class TestIsolation:
    def test_another_organisations_items_never_appear(self, member_client, receivables, other_books, today):
        other_books.open_items(RECEIVABLE, [item("x", invoiced=today, due=today, total="999999.00")])

        rows = every_page(member_client, ITEMS)
        data = member_client.get(AGING).json()

        assert "x" not in {r["external_id"] for r in rows}
        assert Decimal(data["total"]) == expected.aging(receivables, as_of=today)["total"]

    def test_another_organisations_ids_are_not_found(self, member_client, receivables, other_books):
        administration = other_books.administration.pk
        relation = other_books.relation("rel-1").pk

        assert member_client.get(ITEMS, {"administration": administration}).status_code == 404
        assert member_client.get(AGING, {"administration": administration}).status_code == 404
        assert member_client.get(ITEMS, {"relation": relation}).status_code == 404

    def test_signed_in_without_an_organisation_is_forbidden(self, outsider):
        client = Client()
        client.force_login(outsider)

        assert client.get(ITEMS).status_code == 403
        assert client.get(AGING).status_code == 403

    def test_anonymous_is_refused_and_told_to_bring_a_token(self, client):
        response = client.get(ITEMS)

        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Bearer"

    def test_the_api_is_read_only(self, member_client, receivables):
        assert member_client.post(ITEMS, {}).status_code in (403, 405)
        assert member_client.delete(AGING).status_code in (403, 405)


def test_the_openapi_schema_describes_both_endpoints():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)

    assert "/api/v1/outstanding-items/" in schema["paths"]
    aging = schema["paths"]["/api/v1/outstanding-items/aging/"]["get"]
    assert {p["name"] for p in aging["parameters"]} >= {"administration", "side", "as_of", "basis"}
