"""Opening a ledger file as tables of rows: CSV in whatever encoding and separator a spreadsheet saved it with, or
an XLSX workbook.

Public interface (the upload pages use it for the column-mapping step; the checks and the sync read through it):

- :class:`Source`: a file to read, by name and size, re-openable from its start (:meth:`Source.from_path`,
  :meth:`Source.from_bytes`, :meth:`Source.from_upload` for a Django ``UploadedFile``; :func:`as_source` takes any
  of those).
- :func:`open_workbook` (a context manager): the file's :class:`Workbook`, or None after reporting why it cannot be
  read (too large, empty, binary, an old ``.xls``, undecodable). ``workbook.tables`` are the :class:`Table` s in the
  file: one for a CSV; for an XLSX the first two non-empty sheets (the journal, then the open items).
- :class:`Table`: ``label`` (how problems name it), ``headers`` (the first non-empty row), ``format`` and
  :meth:`Table.rows`, a fresh iterator of ``(row number, cells)`` each call, streamed from the file: a table is read
  several times (decide the decimal style, check, import) without ever being held in memory.

Text files: a byte-order mark says UTF-8 or UTF-16; without one the file is UTF-8 if all of it decodes as UTF-8, and
Windows-1252 otherwise (what Excel in Dutch saves as "CSV"). The separator is the one of ``;``, tab and ``,`` the
header line holds most of. A file with NUL bytes or control characters (and no UTF-16 mark) is binary and refused.

XLSX: read-only, with the values Excel saved for formulas. A formula cell without a saved value (a file written by a
program that does not calculate) reads as :data:`UNSAVED_FORMULA`, which the checks refuse naming the cell.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext_noop

from monitr.web.stored_text import stored_pattern

from .report import Report

CHUNK = 1 << 20
HEAD = 64 * 1024
# Decoding makes text of up to four bytes a character: a smaller piece than CHUNK keeps that small.
DECODE_PIECE = 64 * 1024
SEPARATORS = (";", "\t", ",")
SEPARATOR_NAMES = {";": "semicolon", "\t": "tab", ",": "comma"}

# What a report says of a file, in English as the report is stored; the pages show it translated
# (monitr.web.stored_text).
SHEET = stored_pattern(gettext_noop("%(file)s, sheet %(sheet)s"))
XLSX_FORMAT = gettext_noop("Excel workbook (XLSX)")
CSV_FORMATS = {
    ";": stored_pattern(gettext_noop("CSV, semicolon-separated, %(encoding)s")),
    "\t": stored_pattern(gettext_noop("CSV, tab-separated, %(encoding)s")),
    ",": stored_pattern(gettext_noop("CSV, comma-separated, %(encoding)s")),
}
TOO_LARGE = stored_pattern(
    gettext_noop(
        "The file is %(size)s, more than the %(limit)s Monitr reads. Split the ledger into smaller periods, or leave "
        "out columns Monitr does not use."
    )
)
LARGER_THAN_LIMIT = stored_pattern(
    gettext_noop(
        "This file is larger than the %(limit)s Monitr reads. Split the ledger into smaller periods, or leave out "
        "columns Monitr does not use."
    )
)
EMPTY = gettext_noop("The file is empty.")
NO_ROWS = gettext_noop("The file is empty: it has no rows.")
OLD_EXCEL = gettext_noop(
    "This is an old Excel workbook (.xls), which Monitr does not read. Save it as .xlsx or as CSV."
)
BINARY = gettext_noop(
    "This is not a text (CSV) or Excel (XLSX) file: it holds binary data. Export the ledger from the bookkeeping "
    "or spreadsheet as CSV or XLSX."
)
NOT_TEXT = stored_pattern(
    gettext_noop(
        "The file cannot be read as text: byte %(byte)s at position %(position)s is not %(tried)s. Save it again as "
        "CSV UTF-8."
    ),
    numbers=("position",),
)
CSV_BROKEN = stored_pattern(gettext_noop("The CSV cannot be read from here on: %(error)s."))
NO_HEADER_ROW = gettext_noop("The first row is not a row of column headers.")
DAMAGED_XLSX = gettext_noop(
    "This file looks like an Excel workbook but cannot be opened: it is damaged, or not an .xlsx workbook. "
    "Save it again from Excel, or export the ledger as CSV."
)
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "utf-16": "UTF-16", "cp1252": "Windows-1252"}
# Characters no text file of a ledger holds: C0 controls other than tab, line feed, form feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# A header cell longer than this is not a header: the "header" is data from a file that is not a table.
MAX_CELL = 1_000_000


# Sizes are shown in megabytes of 1,024 × 1,024 bytes, written "MB", as Windows shows a file's size: the limit of
# 52,428,800 bytes is "50 MB" on the form and in every message.
MEGABYTE = 1024 * 1024


def max_bytes() -> int:
    return settings.LEDGER_FILE_MAX_BYTES


def megabytes(size: int, *, up: bool = False) -> str:
    """A size in MB, to a tenth from 10 MB and to a hundredth below, without trailing zeros: ``52428800`` →
    ``50 MB``, ``54950000`` → ``52.4 MB``, ``1000000`` → ``0.95 MB``. ``up`` rounds up, for a file over a limit:
    it never reads as the limit itself."""
    decimals = 1 if size >= 10 * MEGABYTE else 2
    units = size * 10**decimals / MEGABYTE
    rounded = (math.ceil(units) if up else round(units)) / 10**decimals
    return f"{rounded:.{decimals}f}".rstrip("0").rstrip(".") + " MB"


def too_large_message(size: int | None = None, *, limit: int | None = None) -> str:
    """Why a file is refused for its size: the same words wherever it is refused (the form, the check)."""
    limit = max_bytes() if limit is None else limit
    if size is None:
        return LARGER_THAN_LIMIT % {"limit": megabytes(limit)}
    return TOO_LARGE % {"size": megabytes(size, up=True), "limit": megabytes(limit)}


class _Unsaved:
    """A formula cell whose value was never saved."""

    def __repr__(self) -> str:
        return "UNSAVED_FORMULA"


UNSAVED_FORMULA: Any = _Unsaved()


@dataclass(frozen=True)
class Source:
    """A file to read: its name, its size in bytes and a way to open it from the start (a binary stream)."""

    name: str
    size: int
    opener: Callable[[], IO[bytes]] = field(repr=False)

    def open(self) -> IO[bytes]:
        return self.opener()

    def counted(self, on_read: Callable[[int], None]) -> Source:
        """The same file, telling ``on_read`` how many bytes each read took from it: how a check measures how far
        it is."""
        return Source(self.name, self.size, lambda: io.BufferedReader(_View(self.opener(), on_read=on_read), CHUNK))

    @classmethod
    def from_path(cls, path: str | Path, *, name: str | None = None) -> Source:
        path = Path(path)
        return cls(name or path.name, path.stat().st_size, lambda: path.open("rb"))

    @classmethod
    def from_bytes(cls, name: str, data: bytes) -> Source:
        return cls(name, len(data), lambda: io.BytesIO(data))

    @classmethod
    def from_upload(cls, upload) -> Source:
        """A Django ``UploadedFile`` (in memory or a temporary file): read from its start each time."""

        def opener() -> IO[bytes]:
            upload.seek(0)
            return io.BufferedReader(_View(upload, closes=False), CHUNK)

        return cls(Path(upload.name or "upload").name, upload.size, opener)


class _View(io.RawIOBase):
    """A raw view of another binary stream, seekable when it is (a zip is read from its end). ``on_read`` is told
    how many bytes each read took; ``closes=False`` leaves the stream open when the view is closed (an uploaded file,
    which Django closes itself and which is read again)."""

    def __init__(self, inner, *, on_read: Callable[[int], None] | None = None, closes: bool = True) -> None:
        self.inner, self.on_read, self.closes = inner, on_read, closes

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self.inner.seekable()

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.inner.seek(offset, whence)

    def tell(self) -> int:
        return self.inner.tell()

    def readinto(self, buffer) -> int:
        data = self.inner.read(len(buffer))
        buffer[: len(data)] = data
        if self.on_read is not None:
            self.on_read(len(data))
        return len(data)

    def close(self) -> None:
        if self.closes and not self.closed:
            self.inner.close()
        super().close()


def as_source(value: Source | str | Path | Any) -> Source:
    """A :class:`Source` for a Source, a path, or a Django ``UploadedFile``."""
    if isinstance(value, Source):
        return value
    if isinstance(value, str | Path):
        return Source.from_path(value)
    if hasattr(value, "chunks") and hasattr(value, "size"):
        return Source.from_upload(value)
    raise TypeError(f"Cannot read a ledger file from {type(value).__name__}.")


@dataclass(frozen=True, slots=True)
class FileFormat:
    kind: str  # "csv" or "xlsx"
    encoding: str = ""
    separator: str = ""

    def __str__(self) -> str:
        if self.kind == "xlsx":
            return XLSX_FORMAT
        return CSV_FORMATS[self.separator] % {"encoding": ENCODING_NAMES[self.encoding]}


Row = tuple[int, Sequence[Any]]


@dataclass
class Table:
    label: str
    headers: list[str]
    header_row: int
    format: FileFormat
    _rows: Callable[[], Iterator[Row]] = field(repr=False)

    def rows(self) -> Iterator[Row]:
        """The data rows after the header, as ``(row number, cells)``; rows with every cell empty are left out."""
        for number, cells in self._rows():
            if number <= self.header_row:
                continue
            if any(cell is not None and str(cell).strip() for cell in cells):
                yield number, cells


@dataclass
class Workbook:
    source: Source
    format: FileFormat
    tables: list[Table]


def problem_file(source: Source) -> str:
    return source.name


@contextmanager
def open_workbook(source: Source, report: Report, *, limit: int | None = None) -> Iterator[Workbook | None]:
    """The file as tables, or None after adding to ``report`` why it cannot be read. The workbook stays readable
    while the ``with`` block runs."""
    limit = max_bytes() if limit is None else limit
    name = source.name
    if source.size > limit:
        report.add(too_large_message(source.size, limit=limit), file=name)
        yield None
        return
    with ExitStack() as stack:
        with source.open() as stream:
            head = stream.read(HEAD)
        if not head.strip(b" \t\r\n\xef\xbb\xbf\xff\xfe"):
            report.add(EMPTY, file=name)
            yield None
            return
        if head.startswith(b"PK\x03\x04"):
            workbook = _open_xlsx(source, report, stack)
        elif head.startswith(b"\xd0\xcf\x11\xe0"):
            report.add(OLD_EXCEL, file=name)
            workbook = None
        else:
            workbook = _open_text(source, head, report)
        if workbook is not None and not workbook.tables:
            report.add(NO_ROWS, file=name)
            workbook = None
        yield workbook


# --- text files ---------------------------------------------------------------------------------------------------


def _binary(name: str, report: Report) -> None:
    report.add(BINARY, file=name)


def _encoding(source: Source, head: bytes, report: Report) -> str | None:
    """The file's encoding, decided from its byte-order mark or by decoding all of it; None after reporting."""
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif b"\x00" in head:
        _binary(source.name, report)
        return None
    else:
        candidates = ["utf-8", "cp1252"]
    failure = None
    for encoding in candidates:
        failure = _decode_failure(source, encoding)
        if failure is None:
            return encoding
    position, byte = failure  # type: ignore[misc]
    tried = " or ".join(ENCODING_NAMES[e] for e in candidates)
    report.add(NOT_TEXT % {"byte": byte, "position": f"{position:,}", "tried": tried}, file=source.name)
    return None


def _decode_failure(source: Source, encoding: str) -> tuple[int, str] | None:
    """Where the file stops decoding as ``encoding`` ((byte offset, the byte in hex)), or None if all of it does.
    Decoded piece by piece: memory holds one piece, never the file."""
    # The BOM is skipped here rather than by the "utf-8-sig" decoder, whose error positions leave it out.
    skip = len(codecs.BOM_UTF8) if encoding == "utf-8-sig" else 0
    decoder = codecs.getincrementaldecoder("utf-8" if skip else encoding)()
    offset = skip
    with source.open() as stream:
        stream.read(skip)
        while chunk := stream.read(DECODE_PIECE):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                return offset + error.start, f"0x{chunk[error.start]:02X}"
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return offset, "at the end"
    return None


def _open_text(source: Source, head: bytes, report: Report) -> Workbook | None:
    encoding = _encoding(source, head, report)
    if encoding is None:
        return None
    text = head.decode(encoding, errors="ignore")
    if len(_CONTROL.findall(text)) > max(2, len(text) // 1000):
        _binary(source.name, report)
        return None
    separator = _separator(text)
    file_format = FileFormat("csv", encoding, separator)

    def rows() -> Iterator[Row]:
        with source.open() as raw:
            stream = io.TextIOWrapper(raw, encoding=encoding, newline="")
            number = 0
            try:
                for number, cells in enumerate(csv.reader(stream, delimiter=separator), start=1):
                    yield number, cells
            except csv.Error as error:
                raise UnreadableRow(number + 1, CSV_BROKEN % {"error": error}) from None
            finally:
                stream.detach()

    table = _table(source.name, file_format, rows, report)
    return Workbook(source, file_format, [table] if table else [])


class UnreadableRow(Exception):
    """A row the CSV reader cannot parse (a quote never closed, a cell beyond the reader's limit)."""

    def __init__(self, row: int, message: str) -> None:
        super().__init__(message)
        self.row = row
        self.message = message


def _separator(text: str) -> str:
    """The separator of the header line: the one of ``;``, tab and ``,`` it holds most of, outside quotes.

    Written here rather than with ``csv.Sniffer``: the sniffer weighs every line of a sample, and the decimal commas
    of a semicolon-separated Dutch file make it choose the comma. A header line holds no amounts."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    unquoted = re.sub(r'"[^"]*"', "", first)
    counts = {separator: unquoted.count(separator) for separator in SEPARATORS}
    best = max(SEPARATORS, key=lambda s: counts[s])
    return best if counts[best] else ","


def _table(label: str, file_format: FileFormat, rows: Callable[[], Iterator[Row]], report: Report) -> Table | None:
    """The table whose header is the first non-empty row; None when every row is empty."""
    try:
        for number, cells in rows():
            if any(cell is not None and str(cell).strip() for cell in cells):
                headers = ["" if cell is None else str(cell).strip() for cell in cells]
                if any(len(h) > MAX_CELL for h in headers):
                    report.add(NO_HEADER_ROW, file=label, row=number)
                    return None
                while headers and not headers[-1]:
                    headers.pop()
                return Table(label, headers, number, file_format, rows)
    except UnreadableRow as error:
        report.add(error.message, file=label, row=error.row)
    return None


# --- XLSX ---------------------------------------------------------------------------------------------------------


def _seekable(source: Source, stack: ExitStack) -> IO[bytes]:
    """The file as a seekable stream (a zip is read from its end): the source's own when it is one, else a copy in
    a temporary file, written piece by piece."""
    stream = stack.enter_context(source.open())
    if stream.seekable():
        return stream
    spooled = stack.enter_context(tempfile.TemporaryFile())  # noqa: SIM115  (the stack closes it)
    shutil.copyfileobj(stream, spooled, CHUNK)
    spooled.seek(0)
    return spooled


def _open_xlsx(source: Source, report: Report, stack: ExitStack) -> Workbook | None:
    from openpyxl import load_workbook

    file_format = FileFormat("xlsx")
    stream = _seekable(source, stack)
    try:
        values = load_workbook(stream, read_only=True, data_only=True)
        # The same workbook once more, with formulas instead of their values: the only way to tell a formula
        # whose value was never saved from an empty cell. Both are read row by row, side by side.
        formulas = load_workbook(stream, read_only=True, data_only=False)
    except Exception:  # openpyxl raises a dozen kinds (zip, XML, KeyError) for a damaged file
        report.add(DAMAGED_XLSX, file=source.name)
        return None
    stack.callback(values.close)
    stack.callback(formulas.close)
    tables = []
    for index, sheet in enumerate(values.worksheets):
        label = SHEET % {"file": source.name, "sheet": sheet.title}
        table = _table(label, file_format, _sheet_rows(sheet, formulas.worksheets[index]), report)
        if table is not None:
            tables.append(table)
        if len(tables) == 2:
            break
    return Workbook(source, file_format, tables)


def _sheet_rows(sheet, formula_sheet) -> Callable[[], Iterator[Row]]:
    def rows() -> Iterator[Row]:
        # Dimensions written by programs other than Excel may be wrong (and would cut rows off): read every row.
        sheet.reset_dimensions()
        formula_sheet.reset_dimensions()
        pairs = zip(sheet.iter_rows(values_only=True), formula_sheet.iter_rows(values_only=True), strict=False)
        for number, (cells, formulas) in enumerate(pairs, start=1):
            if any(cell is None and _is_formula(f) for cell, f in zip(cells, formulas, strict=False)):
                cells = tuple(
                    UNSAVED_FORMULA if cell is None and _is_formula(f) else cell
                    for cell, f in zip(cells, formulas, strict=False)
                )
            yield number, cells

    return rows


def _is_formula(value: object) -> bool:
    if isinstance(value, str):
        return value.startswith("=")
    return value is not None and type(value).__name__ in {"ArrayFormula", "DataTableFormula"}


def cell_reference(row: int, column_index: int) -> str:
    """The spreadsheet's name of a cell, e.g. D5."""
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(column_index + 1)}{row}"
