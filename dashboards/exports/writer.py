"""Writing an export: one :class:`Sheet` (titled columns and rows of values) as a CSV or an XLSX file, in the
language and number style of whoever asked for it. Every export of the dashboards goes through :func:`respond`.

- CSV is streamed (``StreamingHttpResponse``) while the rows are produced, so a file of any size holds little in
  memory. It is written as the user's Excel reads it (:class:`SpreadsheetLocale`): in Dutch ``;`` between cells, a
  decimal comma and ``31-12-2026``; in English ``,``, a decimal point and ``2026-12-31``. It always starts with a
  UTF-8 byte order mark, without which Excel reads the file in the machine's old code page and garbles accents.
- XLSX is written by XlsxWriter in ``constant_memory`` mode (row by row, flushed to disk) into a temporary file,
  which ``FileResponse`` then streams and deletes. Amounts are numbers with a two-decimal format, counts whole
  numbers, dates real dates in the user's date order; the header row is frozen and the columns have widths.

Column titles are translated when the file is written, in the language active for the request, which the CSV's
generator keeps while the response streams.

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
from django.http import FileResponse, StreamingHttpResponse
from django.utils import translation
from django.utils.formats import get_format
from django.utils.functional import Promise

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ISO_DATE = "%Y-%m-%d"
# What makes a spreadsheet read a cell as a formula: these four as the first character that is not blank; U+2212
# (the minus sign) as a minus. Their full-width and small forms (＝ ＋ － ＠, ﹦ ...) become them under NFKC.
_FORMULA_CHARS = frozenset("=+-@\u2212")
# Where a spreadsheet may start a new cell inside a value: at the file's comma, at the semicolon that Excel uses
# instead in Dutch and most European settings (so a comma file opened there is split on it), at a tab, and at a
# line break. Quoting does not hold there: a ";"-reading Excel sees a quoted comma field glued to its neighbours.
_CELL_BREAK = re.compile(r"([,;\t\r\n])")
# strftime's parts of a date as Excel's number format spells them.
_EXCEL_DATE_PARTS = {"%d": "dd", "%m": "mm", "%Y": "yyyy", "%y": "yy"}
# Excel's sheet names: at most 31 characters, none of these.
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True, slots=True)
class Column:
    title: str | Promise  # a lazy translation, written in the language of the request
    kind: str = "text"  # text, money, date, int or days (one decimal)
    width: int = 14


@dataclass(frozen=True, slots=True)
class Sheet:
    title: str | Promise
    columns: list[Column]
    rows: Iterable[tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class SpreadsheetLocale:
    """How the active language's Excel reads a CSV file: the cell separator, the decimal separator, the date.

    Taken from Django's formats for the language: its decimal separator, and its first date input format (the
    order its people type and read dates in). Excel's list separator follows the decimal separator: where the
    decimal is a comma (Dutch and most of Europe), cells are separated by a semicolon. English is read with
    Excels of every region (a British 04/03/2026 is 3 April to an American one): its dates are ISO, which each of
    them reads as the same day."""

    delimiter: str
    decimal: str
    date_format: str  # for strftime

    @classmethod
    def active(cls) -> SpreadsheetLocale:
        decimal = str(get_format("DECIMAL_SEPARATOR"))
        english = (translation.get_language() or "").split("-")[0] == "en"
        return cls(
            delimiter=";" if decimal == "," else ",",
            decimal=decimal,
            date_format=ISO_DATE if english else str(get_format("DATE_INPUT_FORMATS")[0]),
        )

    @property
    def excel_date(self) -> str:
        """The date format as an Excel number format: ``%d-%m-%Y`` → ``dd-mm-yyyy``."""
        return re.sub("|".join(_EXCEL_DATE_PARTS), lambda m: _EXCEL_DATE_PARTS[m[0]], self.date_format)

    def text(self, value: Any) -> str:
        """One CSV cell: amounts with this decimal separator and no grouping (what Excel reads as a number),
        dates in this order, text guarded against formulas."""
        if value is None:
            return ""
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, Decimal | float):
            return format(value, "f").replace(".", self.decimal)
        if isinstance(value, int):
            return str(value)
        if isinstance(value, date):
            return value.strftime(self.date_format)
        return guard_formula(str(value))


def respond(*, sheet: Sheet, file_format: str, filename: str) -> StreamingHttpResponse | FileResponse:
    """``sheet`` as ``filename.csv`` or ``filename.xlsx``, in the language active now."""
    if file_format == "csv":
        return _csv_response(sheet, f"{filename}.csv")
    return _xlsx_response(sheet, f"{filename}.xlsx")


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


def _csv_response(sheet: Sheet, filename: str) -> StreamingHttpResponse:
    language = translation.get_language()
    locale = SpreadsheetLocale.active()
    writer = csv.writer(_Echo(), delimiter=locale.delimiter)

    def lines() -> Iterator[str]:
        # The rows are produced while the response streams, after the view has returned: in the request's language.
        with translation.override(language):
            yield "\ufeff" + writer.writerow([str(c.title) for c in sheet.columns])
            for row in sheet.rows:
                yield writer.writerow([locale.text(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _sheet_name(title: str) -> str:
    return _SHEET_NAME_FORBIDDEN.sub(" ", title)[:31]


def _xlsx_response(sheet: Sheet, filename: str) -> FileResponse:
    # Deleted when FileResponse closes it, after the last byte is sent.
    target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by the response
    workbook = xlsxwriter.Workbook(
        target, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    formats = {
        # Excel shows the grouping and decimal separators of the reader's own settings.
        "money": workbook.add_format({"num_format": "#,##0.00"}),
        "int": workbook.add_format({"num_format": "0"}),
        "days": workbook.add_format({"num_format": "0.0"}),
        "date": workbook.add_format({"num_format": SpreadsheetLocale.active().excel_date}),
        "header": workbook.add_format({"bold": True, "bottom": 1}),
    }
    worksheet = workbook.add_worksheet(_sheet_name(str(sheet.title)))
    for index, column in enumerate(sheet.columns):
        worksheet.set_column(index, index, column.width)
    worksheet.freeze_panes(1, 0)
    for index, column in enumerate(sheet.columns):
        worksheet.write_string(0, index, str(column.title), formats["header"])
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
        "int": lambda r, c, v: worksheet.write_number(r, c, int(v), formats["int"]),
        "days": lambda r, c, v: worksheet.write_number(r, c, float(v), formats["days"]),
    }
