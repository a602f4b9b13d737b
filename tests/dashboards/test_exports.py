"""The exports: exactly the rows the page's filters select, as CSV and XLSX, streamed, and only our own."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse

from . import expected
from .factories import PAYABLE, RECEIVABLE, item, random_items
from .xlsx import read_rows

pytestmark = pytest.mark.django_db

RELATIONS = ["rel-1", "rel-2", "rel-3", None]
EXCEL_EPOCH = date(1899, 12, 30)


def export(client, table: str, file_format: str, **params):
    return client.get(reverse("dashboards:outstanding_export", args=[table, file_format]), params)


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def xlsx_rows(response) -> list[dict]:
    assert response.status_code == 200
    assert isinstance(response, FileResponse)
    header, *rows = read_rows(b"".join(response.streaming_content))
    return [dict(zip(header, row + [None] * (len(header) - len(row)), strict=True)) for row in rows]


@pytest.fixture
def receivables(books, today):
    items = random_items(seed=21, count=70, today=today, relations=RELATIONS, without_due=2)
    books.open_items(RECEIVABLE, items)
    books.open_items(PAYABLE, random_items(seed=22, count=9, today=today, relations=RELATIONS, prefix="p"))
    return items


class TestRelationExport:
    def test_csv_has_every_relation_with_its_figures(self, member_client, receivables, today):
        rows = csv_rows(export(member_client, "relations", "csv"))

        wanted = expected.by_relation(receivables, as_of=today)
        names = {"rel-1": "Alpha BV", "rel-2": "Beta & Zonen", "rel-3": "Gamma NV", None: "(no relation)"}
        got = {r["Relation"]: (Decimal(r["Total"]), Decimal(r["Overdue"]), int(r["Items"])) for r in rows}
        assert got == {names[k]: (v["total"], v["overdue"], v["items"]) for k, v in wanted.items()}
        for row in rows:
            buckets = [Decimal(row[label]) for label in ("Not yet due", "1–30 days", "31–60 days", "61–90 days")]
            assert sum(buckets, Decimal(row["Over 90 days"])) == Decimal(row["Total"])

    def test_csv_follows_the_search_sort_side_and_day(self, member_client, books, receivables, today):
        then = today - timedelta(days=3)
        books.snapshot(then)

        searched = csv_rows(export(member_client, "relations", "csv", q="a", sort="name"))
        payables = csv_rows(export(member_client, "relations", "csv", side="payable"))
        earlier = csv_rows(export(member_client, "relations", "csv", as_of=then.isoformat()))

        assert [r["Relation"] for r in searched] == ["Alpha BV", "Beta & Zonen", "Gamma NV"]
        assert sum(Decimal(r["Total"]) for r in payables) == sum(
            i.outstanding for i in random_items(seed=22, count=9, today=today, relations=RELATIONS, prefix="p")
        )
        assert sum(Decimal(r["Total"]) for r in earlier) == sum(i.outstanding for i in receivables)

    def test_xlsx_has_the_same_rows_as_the_csv(self, member_client, receivables):
        as_csv = csv_rows(export(member_client, "relations", "csv"))
        as_xlsx = xlsx_rows(export(member_client, "relations", "xlsx"))

        assert [r["Relation"] for r in as_xlsx] == [r["Relation"] for r in as_csv]
        assert [Decimal(str(r["Total"])).quantize(Decimal("0.01")) for r in as_xlsx] == [
            Decimal(r["Total"]) for r in as_csv
        ]
        assert [int(r["Items"]) for r in as_xlsx] == [int(r["Items"]) for r in as_csv]


class TestItemExport:
    def test_csv_has_exactly_the_filtered_items(self, member_client, books, receivables, today):
        relation = books.relation("rel-2")

        everything = csv_rows(export(member_client, "items", "csv"))
        one = csv_rows(export(member_client, "items", "csv", relation=relation.pk))
        overdue = csv_rows(export(member_client, "items", "csv", overdue="true"))
        no_due = csv_rows(export(member_client, "items", "csv", no_due_date="1"))

        def numbers(items):
            return sorted(i.invoice_number for i in items)

        assert sorted(r["Invoice number"] for r in everything) == numbers(receivables)
        assert sorted(r["Invoice number"] for r in one) == numbers(
            i for i in receivables if i.relation_external_id == "rel-2"
        )
        assert sorted(r["Invoice number"] for r in overdue) == numbers(
            i for i in receivables if (i.due_date or i.invoice_date) < today
        )
        assert sorted(r["Invoice number"] for r in no_due) == numbers(i for i in receivables if i.due_date is None)

    def test_the_relation_search_selects_the_items_of_the_relations_shown(self, member_client, receivables):
        rows = csv_rows(export(member_client, "items", "csv", rq="beta"))

        assert {r["Relation"] for r in rows} == {"Beta & Zonen"}
        assert len(rows) == sum(1 for i in receivables if i.relation_external_id == "rel-2")

    def test_each_item_row_has_its_dates_amounts_and_days_overdue(self, member_client, books, today):
        books.open_items(
            RECEIVABLE,
            [item("1", invoiced=today - timedelta(days=40), due=today - timedelta(days=10), total="121.00", paid="21")],
        )

        [row] = csv_rows(export(member_client, "items", "csv"))

        assert row["Invoice date"] == (today - timedelta(days=40)).isoformat()
        assert row["Due date"] == (today - timedelta(days=10)).isoformat()
        assert (row["Days overdue"], row["Bucket"]) == ("10", "1–30 days")
        assert (row["Total"], row["Paid"], row["Outstanding"]) == ("121.00", "21.00", "100.00")

    def test_xlsx_writes_dates_as_dates_and_amounts_as_numbers(self, member_client, books, today):
        books.open_items(RECEIVABLE, [item("1", invoiced=today - timedelta(days=5), due=None, total="99.95")])

        [row] = xlsx_rows(export(member_client, "items", "xlsx"))

        assert EXCEL_EPOCH + timedelta(days=int(row["Invoice date"])) == today - timedelta(days=5)
        assert row["Due date"] is None
        assert row["Outstanding"] == pytest.approx(99.95)
        assert row["Relation"] == "Alpha BV"

    def test_a_thousand_items_stream_in_full(self, member_client, books, today):
        books.open_items(
            RECEIVABLE, random_items(seed=30, count=1000, today=today, relations=["rel-1", "rel-2"], prefix="m")
        )

        assert len(csv_rows(export(member_client, "items", "csv"))) == 1000
        assert len(xlsx_rows(export(member_client, "items", "xlsx"))) == 1000


class TestSafety:
    def test_names_that_look_like_formulas_are_not_formulas(self, member_client, books, today):
        books.relations('=HYPERLINK("http://evil.example","click")', prefix="evil")
        books.open_items(RECEIVABLE, [item("1", relation="evil-1", invoiced=today, due=today, invoice_number="+31")])

        [as_csv] = csv_rows(export(member_client, "items", "csv"))
        [as_xlsx] = xlsx_rows(export(member_client, "items", "xlsx"))

        assert as_csv["Relation"].startswith("'=HYPERLINK")
        assert as_csv["Invoice number"] == "'+31"
        assert as_xlsx["Relation"] == '=HYPERLINK("http://evil.example","click")'  # a string cell, not a formula

    def test_files_are_named_after_the_side_table_and_day(self, member_client, receivables, today):
        response = export(member_client, "relations", "xlsx", side="payable")

        assert response["Content-Disposition"] == (
            f'attachment; filename="outstanding-payables-relations-{today.isoformat()}.xlsx"'
        )

    def test_an_unknown_table_or_format_is_not_found(self, member_client, receivables):
        assert export(member_client, "users", "csv").status_code == 404
        assert export(member_client, "items", "pdf").status_code == 404

    def test_another_organisations_rows_are_never_exported(self, member_client, receivables, other_books, today):
        other_books.open_items(RECEIVABLE, [item("x", invoiced=today, due=today, invoice_number="SECRET-1")])

        for table in ("relations", "items"):
            rows = csv_rows(export(member_client, table, "csv"))
            assert not any("Secret" in r["Relation"] or "Other" in r["Administration"] for r in rows)
            assert export(member_client, table, "csv", administration=other_books.administration.pk).status_code == 404
        stranger = other_books.relation("rel-1")
        assert export(member_client, "items", "xlsx", relation=stranger.pk).status_code == 404

    def test_exports_need_a_member(self, client, outsider, receivables):
        assert export(client, "items", "csv").status_code == 302
        client.force_login(outsider)
        assert export(client, "items", "csv").status_code == 403
