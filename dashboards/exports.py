"""Exports of the Outstanding Items dashboard: the relation table and the item list, as CSV or XLSX.

Both contain exactly the rows the page would show with the same filters (all pages of them), read from the same
selectors, and hold little in memory however many rows there are:

- CSV is streamed (``StreamingHttpResponse``) while the database cursor is read in chunks. It starts with a UTF-8
  byte order mark, so that Excel reads accented names correctly; amounts are plain ``1234.50`` (a dot, no
  grouping) and dates ISO, so that other programs read them exactly.
- XLSX is written by XlsxWriter in ``constant_memory`` mode (row by row, flushed to disk) into a temporary file,
  which ``FileResponse`` then streams and deletes. Amounts are numbers with a two-decimal format, dates are dates.

Text that a spreadsheet would take for a formula (a relation named ``=HYPERLINK(...)``) is never evaluated: the
XLSX writes every text cell as a string, and the CSV guards text cells by :func:`guard_formula`. Amounts, counts and
dates that Monitr writes itself are values, never guarded, so a negative amount stays a number.
"""

from __future__ import annotations

import csv
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext_lazy

from ledger.money import cents

from .aging import age_in_days
from .selectors.scope import OutstandingScope

TABLES = ("relations", "items")
# The column and the bucket of credit notes and unapplied payments, which are in no aging bucket.
CREDIT = gettext_lazy("Credit")
FORMATS = ("csv", "xlsx")
CHUNK = 2_000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What makes a spreadsheet read a cell as a formula: these four as the first character that is not blank; U+2212
# (the minus sign) as a minus. Their full-width and small forms (＝ ＋ － ＠, ﹦ ...) become them under NFKC.
_FORMULA_CHARS = frozenset("=+-@\u2212")
# Where a spreadsheet may start a new cell inside a value: at the file's comma, at the semicolon that Excel uses
# instead in Dutch and most European settings (so a comma file opened there is split on it), at a tab, and at a
# line break. Quoting does not hold there: a ";"-reading Excel sees a quoted comma field glued to its neighbours.
_CELL_BREAK = re.compile(r"([,;\t\r\n])")


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    kind: str = "text"  # text, money, date or int
    width: int = 14


@dataclass(frozen=True, slots=True)
class Sheet:
    title: str
    columns: list[Column]
    rows: Iterable[tuple[Any, ...]]


def _chunked(rows: QuerySet) -> Iterator[Any]:
    return rows.iterator(chunk_size=CHUNK)


def relation_sheet(*, scope: OutstandingScope, rows: QuerySet) -> Sheet:
    """The per-relation rows of :func:`~dashboards.selectors.outstanding.outstanding_by_relation`."""
    buckets = scope.buckets
    columns = [
        Column("Administration", width=28),
        Column("Relation code"),
        Column("Relation", width=36),
        Column("Total", "money"),
        Column("Overdue", "money"),
        *(Column(bucket.label, "money") for bucket in buckets),
        Column(str(CREDIT), "money"),
        Column("Oldest invoice date", "date"),
        Column("Most days overdue", "int"),
        Column("Items", "int"),
    ]

    def produce() -> Iterator[tuple[Any, ...]]:
        for row in _chunked(rows):
            yield (
                row["administration_name"],
                row["relation_code"] or "",
                row["relation_name"] or "(no relation)",
                cents(row["total"]),
                cents(row["overdue"]),
                *(cents(row[f"bucket_{i}"]) for i in range(len(buckets))),
                cents(row["credit"]),
                row["oldest_invoice"],
                # Empty for a relation with only credits open: nothing of it is overdue.
                max(0, age_in_days(as_of=scope.as_of, reference=row["oldest_due"])) if row["oldest_due"] else None,
                row["items"],
            )

    return Sheet(title="Relations", columns=columns, rows=produce())


def item_sheet(*, scope: OutstandingScope, rows: QuerySet) -> Sheet:
    """The items of :func:`~dashboards.selectors.outstanding.outstanding_items_list`."""
    columns = [
        Column("Administration", width=28),
        Column("Relation code"),
        Column("Relation", width=36),
        Column("Invoice number", width=18),
        Column("Invoice date", "date"),
        Column("Due date", "date"),
        Column("Days overdue", "int"),
        Column("Bucket", width=16),
        Column("Total", "money"),
        Column("Paid", "money"),
        Column("Outstanding", "money"),
    ]

    def produce() -> Iterator[tuple[Any, ...]]:
        for item in _chunked(rows):
            age = age_in_days(as_of=scope.as_of, reference=item.reference)
            # A credit (a negative item) is in no bucket and never overdue: its days overdue are left empty.
            credit = item.outstanding < 0
            bucket = str(CREDIT) if credit else next(b for b in scope.buckets if b.holds(age)).label
            yield (
                item.administration.name,
                item.relation.code if item.relation else "",
                item.relation.name if item.relation else "(no relation)",
                item.invoice_number,
                item.invoice_date,
                item.due_date,
                None if credit else max(0, age_in_days(as_of=scope.as_of, reference=item.effective_due)),
                bucket,
                item.total,
                item.paid,
                item.outstanding,
            )

    return Sheet(title="Items", columns=columns, rows=produce())


def respond(*, sheet: Sheet, file_format: str, filename: str) -> StreamingHttpResponse:
    return (
        _csv_response(sheet, f"{filename}.csv") if file_format == "csv" else _xlsx_response(sheet, f"{filename}.xlsx")
    )


class _Echo:
    """A file-like object whose write gives back what it was given, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def _starts_formula(segment: str) -> bool:
    """Whether ``segment``, as the start of a cell, would be a formula: its first character that is neither blank,
    an invisible format character (a zero-width space, a direction mark) nor a quote, NFKC-normalised, starts one."""
    for char in segment:
        if char.isspace() or char == '"' or unicodedata.category(char) == "Cf":
            continue
        return unicodedata.normalize("NFKC", char)[:1] in _FORMULA_CHARS
    return False


def guard_formula(text: str) -> str:
    """``text`` as a CSV cell that no spreadsheet evaluates, however it splits the row.

    When the text, or any part of it after a comma, semicolon, tab or line break, would start a formula, the text
    gets a leading apostrophe (a cell that starts with one is text to a spreadsheet), and so does each such part
    after its break, so that a cell a spreadsheet starts there is text too. A text starting with a tab or carriage
    return is prefixed as well, as OWASP advises. Anything else is kept exactly.

    Hand-written: the libraries that escape CSV cells look at the first character of the whole value only."""
    parts = _CELL_BREAK.split(text)  # text, break, text, break, ..., text
    segments = parts[::2]
    if not any(_starts_formula(segment) for segment in segments) and not text.startswith(("\t", "\r")):
        return text
    guarded = [
        f"'{part}" if index and index % 2 == 0 and _starts_formula(part) else part for index, part in enumerate(parts)
    ]
    return "'" + "".join(guarded)


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal | int | date):
        return str(value) if not isinstance(value, date) else value.isoformat()
    return guard_formula(str(value))


def _csv_response(sheet: Sheet, filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow([c.title for c in sheet.columns])
        for row in sheet.rows:
            yield writer.writerow([_csv_text(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _xlsx_response(sheet: Sheet, filename: str) -> FileResponse:
    # Deleted when FileResponse closes it, after the last byte is sent.
    target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by the response
    workbook = xlsxwriter.Workbook(
        target, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    formats = {
        "money": workbook.add_format({"num_format": "#,##0.00"}),
        "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "header": workbook.add_format({"bold": True, "bottom": 1}),
    }
    worksheet = workbook.add_worksheet(sheet.title)
    for index, column in enumerate(sheet.columns):
        worksheet.set_column(index, index, column.width)
    worksheet.freeze_panes(1, 0)
    for index, column in enumerate(sheet.columns):
        worksheet.write_string(0, index, column.title, formats["header"])
    writers = _cell_writers(worksheet, formats)
    for row_number, row in enumerate(sheet.rows, start=1):
        for index, (column, value) in enumerate(zip(sheet.columns, row, strict=True)):
            if value is None or value == "":
                continue
            writers[column.kind](row_number, index, value)
    workbook.close()
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


def _cell_writers(worksheet: Any, formats: dict[str, Any]) -> dict[str, Callable[[int, int, Any], Any]]:
    return {
        "text": lambda r, c, v: worksheet.write_string(r, c, str(v)),
        # XLSX keeps numbers as doubles: exact for amounts of up to 15 significant digits.
        "money": lambda r, c, v: worksheet.write_number(r, c, float(v), formats["money"]),
        "date": lambda r, c, v: worksheet.write_datetime(r, c, v, formats["date"]),
        "int": lambda r, c, v: worksheet.write_number(r, c, int(v)),
    }


def transaction_sheet(*, rows: QuerySet) -> Sheet:
    """The transactions explorer's rows (:func:`~dashboards.selectors.transactions.transactions_list`), one a row."""
    columns = [
        Column("Date", "date", 12),
        Column("Administration", width=24),
        Column("Number", width=14),
        Column("Type", width=22),
        Column("Relation", width=28),
        Column("Description", width=40),
        Column("Invoice number", width=18),
        Column("Amount", "money"),
        Column("Lines", "int", 8),
        Column("Imbalance", "money"),
    ]
    return Sheet(
        title="Transactions",
        columns=columns,
        rows=(
            (
                t.date,
                t.administration.name,
                t.external_id,
                t.get_transaction_type_display(),
                t.relation.name if t.relation else "",
                t.description,
                t.invoice_number,
                cents(t.amount),
                t.line_count,
                t.imbalance,
            )
            for t in _chunked(rows)
        ),
    )
