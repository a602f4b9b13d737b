"""The exports: exactly the rows the page's filters select, as CSV and XLSX, streamed, and only our own."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from dashboards.exports import Column, Sheet, guard_formula, respond
from ledger.records import LineRecord, TransactionRecord, TransactionType
from ledger.services import transactions_upsert

from . import expected
from .factories import PAYABLE, RECEIVABLE, Books, item, random_items
from .xlsx import read_rows, read_sheet

pytestmark = pytest.mark.django_db

RELATIONS = ["rel-1", "rel-2", "rel-3", None]


def in_language(client, url: str, language: str, params=None):
    """``url`` asked for in ``language``: active while the view runs, and the browser's language too."""
    with translation.override(language):
        return client.get(url, params or {}, HTTP_ACCEPT_LANGUAGE=language)


def export(client, table: str, file_format: str, language: str = "en", **params):
    return in_language(client, reverse("dashboards:outstanding_export", args=[table, file_format]), language, params)


def csv_rows(response, delimiter: str = ",") -> list[dict[str, str]]:
    """The rows of a CSV export, read as Excel in that language would: with its separator."""
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=delimiter))


def xlsx_rows(response) -> list[dict]:
    assert response.status_code == 200
    assert isinstance(response, FileResponse)
    header, *rows = read_rows(b"".join(response.streaming_content))
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.fixture
def receivables(books, today):
    items = random_items(seed=21, count=70, today=today, relations=RELATIONS, without_due=2)
    books.open_items(RECEIVABLE, items)
    books.open_items(PAYABLE, random_items(seed=22, count=9, today=today, relations=RELATIONS, prefix="p"))
    return items


def heading(english: str, language: str) -> str:
    """A column's title as a file in ``language`` has it."""
    with translation.override(language):
        return gettext(english)


class TestRelationExport:
    def test_csv_has_every_relation_with_its_figures(self, member_client, receivables, today):
        rows = csv_rows(export(member_client, "relations", "csv"))

        wanted = expected.by_relation(receivables, as_of=today)
        names = {"rel-1": "Alpha BV", "rel-2": "Beta & Zonen", "rel-3": "Gamma NV", None: "(no relation)"}
        got = {r["Relation"]: (Decimal(r["Total"]), Decimal(r["Overdue"]), int(r["Items"])) for r in rows}
        assert got == {names[k]: (v["total"], v["overdue"], v["items"]) for k, v in wanted.items()}
        for row in rows:
            buckets = [Decimal(row[label]) for label in ("Not yet due", "1–30 days", "31–60 days", "61–90 days")]
            assert sum(buckets, Decimal(row["Over 90 days"])) + Decimal(row["Credit"]) == Decimal(row["Total"])

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
            i for i in receivables if expected.overdue(i, today)
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

        assert row["Invoice date"].date() == today - timedelta(days=5)
        assert row["Due date"] is None
        assert row["Outstanding"] == pytest.approx(99.95)
        assert row["Relation"] == "Alpha BV"

    def test_a_thousand_items_stream_in_full(self, member_client, books, today):
        books.open_items(
            RECEIVABLE, random_items(seed=30, count=1000, today=today, relations=["rel-1", "rel-2"], prefix="m")
        )

        assert len(csv_rows(export(member_client, "items", "csv"))) == 1000
        assert len(xlsx_rows(export(member_client, "items", "xlsx"))) == 1000


class TestLocale:
    """Each CSV as the user's Excel reads it, and each XLSX with real numbers and dates."""

    @pytest.fixture
    def one_item(self, books, today):
        books.open_items(
            RECEIVABLE,
            [
                item(
                    "1",
                    invoiced=date(2026, 3, 4),
                    due=date(2026, 4, 3),
                    total="1234.50",
                    paid="0.25",
                    invoice_number="F-1",
                )
            ],
        )
        books.invoice("t1", side=RECEIVABLE, day=date(2026, 3, 4), amount="1234.50")

    def csv_text(self, response) -> str:
        assert response.status_code == 200
        return b"".join(response.streaming_content).decode("utf-8")

    def transactions(self, client, file_format: str, language: str):
        url = reverse("dashboards:transactions_export", args=[file_format])
        return in_language(client, url, language, {"date_from": "2026-01-01"})

    @pytest.mark.parametrize("table", ["relations", "items"])
    @pytest.mark.parametrize(
        ("language", "delimiter", "amount", "day"),
        [("nl", ";", "1234,25", "04-03-2026"), ("en", ",", "1234.25", "2026-03-04")],
    )
    def test_csv_is_written_as_excel_in_the_language_reads_it(
        self, member_client, one_item, table, language, delimiter, amount, day
    ):
        """Dutch: semicolons, decimal commas, day-month-year; English: commas, decimal points, ISO dates."""
        text = self.csv_text(export(member_client, table, "csv", language=language))

        assert text.startswith("\ufeff")
        [row] = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=delimiter)
        with translation.override(language):  # the headers are in the file's language too
            amount_column = _("Total") if table == "relations" else _("Outstanding")
            day_column = _("Invoice date") if table == "items" else _("Oldest invoice date")
        assert row[amount_column] == amount
        assert row[day_column] == day

    def test_a_dutch_excel_splits_the_dutch_csv_into_its_columns(self, member_client, one_item):
        text = self.csv_text(export(member_client, "items", "csv", language="nl")).removeprefix("\ufeff")

        header, row = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
        assert len(header) == len(row) == 11
        assert "," not in "".join(header)  # no cell would run into its neighbour in a comma-reading program

    def test_the_transactions_export_follows_the_language(self, member_client, one_item):
        dutch = self.csv_text(self.transactions(member_client, "csv", "nl")).removeprefix("\ufeff")
        english = self.csv_text(self.transactions(member_client, "csv", "en")).removeprefix("\ufeff")

        [nl] = [r for r in csv.DictReader(io.StringIO(dutch, newline=""), delimiter=";") if r["Nummer"] == "t1"]
        [en] = [r for r in csv.DictReader(io.StringIO(english, newline=""), delimiter=",") if r["Number"] == "t1"]
        assert (nl["Datum"], nl["Bedrag"]) == ("04-03-2026", "1234,50")
        assert (en["Date"], en["Amount"]) == ("2026-03-04", "1234.50")

    def test_the_transactions_export_is_also_a_workbook(self, member_client, one_item):
        rows = xlsx_rows(self.transactions(member_client, "xlsx", "nl"))

        [row] = [r for r in rows if r["Nummer"] == "t1"]
        assert row["Datum"] == datetime(2026, 3, 4)
        assert row["Bedrag"] == pytest.approx(1234.50)
        assert isinstance(row["Regels"], int)

    @pytest.mark.parametrize(("language", "date_format"), [("nl", "dd-mm-yyyy"), ("en", "yyyy-mm-dd")])
    def test_xlsx_cells_are_numbers_and_dates_with_formats(self, member_client, one_item, language, date_format):
        response = export(member_client, "items", "xlsx", language=language)
        sheet = read_sheet(b"".join(response.streaming_content))

        header = [cell.value for cell in sheet[1]]
        cells = dict(zip(header, sheet[2], strict=True))
        with translation.override(language):  # the headers are in the file's language too
            outstanding, invoice_date, days, number = (
                _(t) for t in ("Outstanding", "Invoice date", "Days overdue", "Invoice number")
            )
        assert cells[outstanding].data_type == "n" and cells[outstanding].value == pytest.approx(1234.25)
        assert cells[outstanding].number_format == "#,##0.00"
        assert cells[invoice_date].is_date and cells[invoice_date].value == datetime(2026, 3, 4)
        assert cells[invoice_date].number_format == date_format
        assert cells[days].data_type == "n"
        assert cells[number].data_type == "s"

    def test_xlsx_has_a_frozen_header_row_and_column_widths(self, member_client, one_item):
        response = export(member_client, "relations", "xlsx", language="nl")
        sheet = read_sheet(b"".join(response.streaming_content))

        assert sheet.freeze_panes == "A2"
        assert sheet.column_dimensions["C"].width > sheet.column_dimensions["B"].width  # the relation is wide
        assert all(cell.font.b for cell in sheet[1])

    def test_headers_and_rows_are_written_in_the_language_of_the_request(self):
        """The titles are translated while the file is written, also when a CSV streams after the view returned."""
        language_now = lazy(translation.get_language, str)
        sheet = Sheet(title=language_now(), columns=[Column(language_now())], rows=iter([(Decimal("1.50"),)]))
        with translation.override("nl"):
            csv_response = respond(sheet=sheet, file_format="csv", filename="x")
        with translation.override("en"):
            text = b"".join(csv_response.streaming_content).decode("utf-8")

        assert text == "\ufeffnl\r\n1,50\r\n"


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


# Text from the bookkeeping that a spreadsheet could run: at the start, after blanks or invisible characters, in
# full-width and small forms, and after a comma, semicolon, tab or line break where a spreadsheet may start a cell.
FORMULAS = [
    '=HYPERLINK("http://evil.example","click")',
    "+31 20 123 4567",
    "-2+3",
    "@SUM(A1:A2)",
    " =1+1",
    "\u3000=1+1",
    "\u200b=1+1",
    "\ufeff+1",
    "\uff1d1+1",
    "\uff0b1",
    "\uff0d1+1",
    "\uff20SUM(A1)",
    "\ufe661+1",
    "\u2212 1+1",
    '"=1+1',
    "Jansen;=cmd|' /C calc'!A0",
    "Jansen,=1+1",
    "Jansen; -1+1",
    "Jansen\n=1+1",
    "Jansen\r\n@SUM(A1)",
    "Jansen\t+1",
    "\t=1",
    "\r=1",
]
FORMULA_CHARS = "=+-@\u2212"
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def formula_segments(text: str, delimiter: str) -> list[str]:
    """The parts of a CSV file that a spreadsheet splitting on ``delimiter`` (and on tabs and line breaks inside a
    cell) would start a cell with, that start a formula and are not one of Monitr's numbers."""
    found = []
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        for cell in row:
            for segment in re.split(r"[,;\t\r\n]", cell):
                visible = segment.lstrip("".join(c for c in segment if c.isspace() or c == '"' or _invisible(c)))
                first = unicodedata.normalize("NFKC", visible[:1])[:1]
                if first and first in FORMULA_CHARS and not NUMBER.fullmatch(visible.strip()):
                    found.append(segment)
    return found


def _invisible(char: str) -> bool:
    return unicodedata.category(char) == "Cf"


class TestFormulaGuard:
    @pytest.fixture
    def hostile(self, organization, books, today):
        """Relations, invoice numbers, descriptions and an administration named after every formula; a credit note,
        so that Monitr writes negative amounts of its own."""
        books.relations(*FORMULAS, prefix="evil")
        books.open_items(
            RECEIVABLE,
            [
                item(f"e{n}", relation=f"evil-{n}", invoiced=today, due=today, invoice_number=text)
                for n, text in enumerate(FORMULAS, start=1)
            ]
            + [item("credit", relation="rel-1", invoiced=today, due=today, total="-50.00")],
        )
        transactions_upsert(
            administration=books.administration,
            transactions=[
                TransactionRecord(
                    external_id=f"t{n}",
                    transaction_type=TransactionType.JOURNAL,
                    date=today,
                    fingerprint=f"fp-t{n}",
                    description=text,
                    invoice_number=text,
                    relation_external_id=f"evil-{n}",
                    lines=(
                        LineRecord(account_external_id="bank", amount=Decimal("-10.00")),
                        LineRecord(account_external_id="costs", amount=Decimal("10.00")),
                    ),
                )
                for n, text in enumerate(FORMULAS, start=1)
            ],
        )
        other = Books.create(organization, name="=1+1;@SUM(A1)")
        other.relations("Plain BV")
        other.open_items(RECEIVABLE, [item("o1", invoiced=today, due=today)])

    def csv_exports(self, client, today) -> list[str]:
        urls = [reverse("dashboards:outstanding_export", args=[table, "csv"]) for table in ("relations", "items")] + [
            f"{reverse('dashboards:transactions_export', args=['csv'])}?date_from={today.isoformat()}"
        ]
        texts = []
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            texts.append(b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff"))
        return texts

    @pytest.mark.parametrize("delimiter", [",", ";"])
    def test_no_csv_cell_starts_a_formula_however_the_row_is_split(self, member_client, hostile, today, delimiter):
        for text in self.csv_exports(member_client, today):
            assert formula_segments(text, delimiter) == []

    def test_the_csv_keeps_the_text_and_the_numbers(self, member_client, hostile, today):
        relations, items, transactions = (
            list(csv.DictReader(io.StringIO(text))) for text in self.csv_exports(member_client, today)
        )

        assert {guard_formula(text) for text in FORMULAS} <= {row["Relation"] for row in relations}
        assert {guard_formula(text) for text in FORMULAS} <= {row["Invoice number"] for row in items}
        assert {guard_formula(text) for text in FORMULAS} <= {row["Description"] for row in transactions}
        assert "'=1+1;'@SUM(A1)" in {row["Administration"] for row in relations}
        assert {"-50.00"} == {row["Total"] for row in items if row["Relation"] == "Alpha BV"}  # a number, bare

    @pytest.mark.parametrize("table", ["relations", "items"])
    def test_xlsx_cells_hold_the_text_as_strings(self, member_client, hostile, table):
        response = export(member_client, table, "xlsx")
        content = b"".join(response.streaming_content)
        header, *cells = read_rows(content)
        rows = [dict(zip(header, row, strict=False)) for row in cells]

        column = "Relation" if table == "relations" else "Invoice number"
        assert set(FORMULAS) <= {row[column] for row in rows}  # exactly as stored: no apostrophe, no formula
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


@pytest.mark.parametrize(
    ("text", "guarded"),
    [
        ("=1+1", "'=1+1"),
        ("Jansen;=1+1", "'Jansen;'=1+1"),
        ("Jansen, -10% korting", "'Jansen,' -10% korting"),
        ("\uff1d1", "'\uff1d1"),
        ("Jansen\r\n@SUM(A1)", "'Jansen\r\n'@SUM(A1)"),
        ("\t1+1", "'\t1+1"),
        ("A-1; B+2, C@3", "A-1; B+2, C@3"),
        ("Beta & Zonen", "Beta & Zonen"),
    ],
)
def test_the_guard_prefixes_the_text_and_each_part_that_starts_a_formula(text, guarded):
    assert guard_formula(text) == guarded
