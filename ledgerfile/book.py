"""A ledger upload read and checked whole, and then read once more as the ledger's records.

Public interface:

- :func:`check` (journal, optional open items, optional column mapping): a :class:`Checked` with the
  :class:`~ledgerfile.report.Report` and, when the files could be read, a :class:`Summary` (formats, decimal style,
  counts, date range, totals, accounts): what the preview page shows and what decides whether to import.
- :class:`LedgerFile` (a context manager): the same check on entering, then, when the report is clean, the records
  for the ledger's write services: :meth:`~LedgerFile.account_records`, :meth:`~LedgerFile.relation_records`,
  :meth:`~LedgerFile.cost_centre_records`, :meth:`~LedgerFile.transaction_records` (streamed, one entry at a time)
  and :meth:`~LedgerFile.open_items` (the open-items rows, sides and amounts checked).

Everything is checked before anything is written, and a file with any problem is refused whole. What the checks
find, each with its row and column: unbalanced entries (with the difference), dates and amounts that cannot be read,
debit and credit both filled on one row, rows without an entry number, date or account, an account code with two
names or two types, an account whose kind cannot be told (no type, and a code that starts with no digit), an
unknown account type, an entry booked on more than one date, a due date before its entry's date, amounts that mix a
decimal comma and a decimal point, open items with an unknown side or amount (or listed twice), and everything
:mod:`ledgerfile.reading` refuses (size, empty, binary, undecodable, an XLSX formula without a saved value).

Memory: rows are streamed; what is kept while checking is per entry (its running total, date and rows), per account
and per relation, never per row. An entry's lines are held only until its last row has been read: a file whose
entries are each on consecutive rows (a journal) streams with one entry in memory; a file that spreads entries over
the file (a general ledger sorted by account) is regrouped through a temporary SQLite file on disk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_noop

from ledger import limits
from ledger.records import (
    AccountKind,
    AccountRecord,
    AccountRole,
    CostCenterRecord,
    LineRecord,
    RelationRecord,
    TransactionRecord,
)
from monitr.web.stored_text import stored_pattern

from . import mapping
from .columns import resolve_columns, split_columns
from .reading import UNSAVED_FORMULA, FileFormat, Source, Table, UnreadableRow, as_source, cell_reference, open_workbook
from .report import Report
from .values import DecimalStyle, DecimalStyleVote, ValueProblem, cell_text, parse_amount, parse_date, style_evidence

# What a report says, in English as the report is stored; the pages show it translated (monitr.web.stored_text).
P = stored_pattern
UNSAVED = P(
    gettext_noop(
        "Cell %(cell)s holds a formula without a saved value. Open the file in Excel or LibreOffice and save it "
        "again, so that the values are stored with the formulas."
    )
)
DATE_MISSING = gettext_noop("The date is missing.")
DECIMAL_COMMA = gettext_noop("decimal comma")
DECIMAL_POINT = gettext_noop("decimal point")
MIXED_SEPARATORS = P(
    gettext_noop(
        "%(text)s is written with a %(minority)s, while %(count)s other amounts of the file have a %(majority)s "
        "(row %(row)s: %(example)s), so Monitr cannot tell what the file means. Use one decimal separator throughout "
        "the file."
    ),
    translated=("minority", "majority"),
    numbers=("count",),
)
MORE_MIXED = P(
    gettext_noop("%(count)s more amounts are written with a %(minority)s too."),
    translated=("minority",),
    numbers=("count",),
)
NO_ACCOUNT_TYPE = P(
    gettext_noop(
        "Account %(code)s has no account type, and its code does not start with a digit, so Monitr cannot tell "
        "whether it is a balance-sheet or a profit and loss account. Give it an account type (%(types)s)."
    ),
    translated=("types",),
)
LISTED_TWICE = P(
    gettext_noop("This open item is listed twice: row %(row)s has the same side, relation and invoice number.")
)
NO_ROWS = gettext_noop("The file has column headers but no rows to import.")
TWO_DATES = P(
    gettext_noop(
        "Entry %(entry)s is dated %(date)s in row %(row)s and %(other)s here: an entry has one date. Give this row's "
        "entry its own number, or correct the date."
    )
)
DEBIT_EXCEEDS = P(
    gettext_noop("Entry %(entry)s does not balance: debit exceeds credit by %(difference)s."), numbers=("difference",)
)
CREDIT_EXCEEDS = P(
    gettext_noop("Entry %(entry)s does not balance: credit exceeds debit by %(difference)s."), numbers=("difference",)
)
TWO_NAMES = P(
    gettext_noop("Account %(code)s is named %(name)s in an earlier row and %(other)s here: one code has one name.")
)
UNKNOWN_TYPE = P(gettext_noop("%(type)s is not an account type Monitr knows: use %(types)s."), translated=("types",))
TWO_TYPES = P(
    gettext_noop("Account %(code)s has the type %(type)s in an earlier row and %(other)s here: one code has one type.")
)
BOTH_SIDES = P(
    gettext_noop(
        "Both debit (%(debit)s) and credit (%(credit)s) are filled: a row is one or the other. Put them on two rows."
    ),
    numbers=("debit", "credit"),
)
ENTRY_MISSING = gettext_noop("The entry number is missing.")
ENTRY_TOO_LONG = P(gettext_noop("The entry number is longer than %(length)s characters."), numbers=("length",))
ACCOUNT_MISSING = gettext_noop("The account code is missing.")
ACCOUNT_TOO_LONG = P(gettext_noop("The account code is longer than %(length)s characters."), numbers=("length",))
DUE_BEFORE_DATE = P(gettext_noop("The due date %(due)s is before the date."))
TERM_TOO_LONG = P(
    gettext_noop("The due date is %(term)s days after the date; Monitr accepts terms of up to %(limit)s days."),
    numbers=("term", "limit"),
)
NOT_A_SIDE = P(gettext_noop("%(side)s is not a side: write receivable or payable (debiteur or crediteur)."))
SIDE_MISSING = gettext_noop("The side is missing: write receivable or payable (debiteur or crediteur).")
OPEN_AMOUNT_MISSING = gettext_noop("The open amount is missing.")
DUE_BEFORE_INVOICE = gettext_noop("The due date is before the invoice date.")
# The steps of a check, as the check page names them.
READING = gettext_noop("Reading the file")
CHECKING_ROWS = gettext_noop("Checking every row")
CHECKING_ENTRIES = gettext_noop("Checking the entries spread over the file")
CHECKING_OPEN_ITEMS = gettext_noop("Checking the open items")

ZERO = Decimal("0.00")
# How many of the journal's first lines a summary keeps (Summary.first_lines).
FIRST_LINES = 12
AMOUNT_FIELDS = ("debit", "credit", "amount")
# Longest account code the ledger keeps whole (Account.code).
CODE_LENGTH = 50


@dataclass(frozen=True, slots=True)
class JournalLine:
    """One row of the journal, read and checked."""

    row: int
    entry: str
    date: dt.date
    account: str
    amount: Decimal
    account_name: str = ""
    account_type: str = ""
    description: str = ""
    relation: str = ""
    invoice_number: str = ""
    due_date: dt.date | None = None
    cost_centre: str = ""


@dataclass(frozen=True, slots=True)
class OpenItemLine:
    """One row of the open items, read and checked."""

    row: int
    side: str  # "receivable" or "payable"
    relation: str
    invoice_number: str
    invoice_date: dt.date
    due_date: dt.date | None
    amount_open: Decimal
    total: Decimal | None

    @property
    def external_id(self) -> str:
        """The item's id: its side, relation and invoice number (a supplier's invoice numbers are its own, so two
        suppliers may use the same one); the row when it has no invoice number."""
        key = f"{self.relation}|{self.invoice_number}" if self.invoice_number else f"row {self.row}"
        return mapping.text_id(f"{self.side}|{key}")


@dataclass
class AccountInfo:
    code: str
    first_row: int
    name: str = ""
    type_name: str = ""
    role: AccountRole = AccountRole.UNSPECIFIED
    kind: AccountKind | None = None

    def record(self) -> AccountRecord:
        return AccountRecord(
            external_id=self.code,
            code=self.code,
            name=self.name or self.code,
            kind=self.kind or mapping.kind_by_code(self.code) or AccountKind.BALANCE_SHEET,
            role=self.role,
            category=self.type_name,
        )


@dataclass
class Summary:
    """What a checked upload holds, for the preview page and the command's output."""

    journal: str
    journal_format: FileFormat
    decimal_style: DecimalStyle | None
    open_items: str = ""
    open_items_format: FileFormat | None = None
    lines: int = 0
    entries: int = 0
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    debit_total: Decimal = ZERO
    credit_total: Decimal = ZERO
    accounts: dict[str, AccountInfo] = field(default_factory=dict)
    relations: dict[str, str] = field(default_factory=dict)  # external id: name
    cost_centres: dict[str, str] = field(default_factory=dict)
    # Per side: (items, open amount).
    open_item_totals: dict[str, tuple[int, Decimal]] = field(default_factory=dict)
    # Whether each entry's rows are consecutive: then the import streams it; else it regroups through SQLite.
    consecutive: bool = True
    # {(account code, first day of month): sum of its lines, debit positive}: what the import is checked against.
    account_months: dict[tuple[str, dt.date], Decimal] = field(default_factory=dict)
    # The journal's first FIRST_LINES lines as the file has them (lines of zero left out): what a preview shows,
    # kept while the check reads them, so that showing them reads the file no more.
    first_lines: list[JournalLine] = field(default_factory=list)


@dataclass
class Checked:
    report: Report
    summary: Summary | None

    @property
    def ok(self) -> bool:
        return self.report.ok


class _Entry:
    __slots__ = ("date", "first_row", "total")

    def __init__(self, date: dt.date, row: int) -> None:
        self.date, self.first_row, self.total = date, row, ZERO


class _Rows:
    """Reads the rows of one table as the fields the column mapping found, reporting each cell it cannot read."""

    def __init__(self, table: Table, columns: dict[str, int], report: Report) -> None:
        self.table, self.columns, self.report = table, columns, report
        self.headers = table.headers
        self.style: DecimalStyle | None = None  # the decimal style amounts are read with, once it is decided

    def header(self, key: str) -> str:
        index = self.columns[key]
        return self.headers[index] if index < len(self.headers) and self.headers[index] else key

    def problem(self, row: int, key: str | None, message: str) -> None:
        self.report.add(message, file=self.table.label, row=row, column=self.header(key) if key else "")

    def cell(self, row: int, cells: Sequence[Any], key: str) -> Any:
        """The raw cell of a field (None when the file has no such column or the row is short)."""
        index = self.columns.get(key)
        if index is None or index >= len(cells):
            return None
        value = cells[index]
        if value is UNSAVED_FORMULA:
            self.problem(
                row,
                key,
                UNSAVED % {"cell": cell_reference(row, index)},
            )
            raise _Skip
        return value

    def text(self, row: int, cells: Sequence[Any], key: str) -> str:
        return cell_text(self.cell(row, cells, key))

    def date(self, row: int, cells: Sequence[Any], key: str, *, required: bool = False) -> dt.date | None:
        try:
            value = parse_date(self.cell(row, cells, key))
        except ValueProblem as problem:
            self.problem(row, key, str(problem))
            raise _Skip from None
        if value is None and required:
            self.problem(row, key, DATE_MISSING)
            raise _Skip
        return value

    def amount(self, row: int, cells: Sequence[Any], key: str, vote: DecimalStyleVote) -> Decimal | None:
        value = self.cell(row, cells, key)
        try:
            return parse_amount(value, self.style)
        except ValueProblem as problem:
            if vote.mixed and isinstance(value, str) and style_evidence(value) == vote.minority:
                raise _Skip from None  # reported already, with the mix of decimal separators
            self.problem(row, key, str(problem))
            raise _Skip from None

    def each(self) -> Iterator[tuple[int, Sequence[Any]]]:
        try:
            yield from self.table.rows()
        except UnreadableRow as error:
            self.report.add(error.message, file=self.table.label, row=error.row)


class _Skip(Exception):
    """The row has a problem, reported already: it is left out of the totals."""


def _vote(rows: _Rows, keys: Sequence[str]) -> DecimalStyleVote:
    """Read every amount cell of the table once, and report the rows when the file mixes decimal commas and points."""
    vote = DecimalStyleVote()
    indexes = [(key, rows.columns[key]) for key in keys if key in rows.columns]
    for number, cells in rows.each():
        for key, index in indexes:
            if index < len(cells) and isinstance(cells[index], str):
                vote.add(cells[index], row=number, column=rows.header(key))
    rows.style = vote.reading_style
    if vote.mixed:
        minority = vote.minority
        majority = vote.reading_style
        assert majority is not None, "a mixed file is read in its majority's style"
        word = {DecimalStyle.COMMA: DECIMAL_COMMA, DecimalStyle.POINT: DECIMAL_POINT}
        example_row, _, example = vote.examples[majority][0]
        for row, column, text in vote.examples[minority]:
            rows.report.add(
                MIXED_SEPARATORS
                % {
                    "text": text,
                    "minority": word[minority],
                    "count": vote.counts[majority],
                    "majority": word[majority],
                    "row": example_row,
                    "example": example,
                },
                file=rows.table.label,
                row=row,
                column=column,
            )
        more = vote.counts[minority] - len(vote.examples[minority])
        if more > 0:
            rows.report.add(MORE_MIXED % {"count": more, "minority": word[minority]}, file=rows.table.label)
    return vote


# Told how far a check is: what it is doing, and the share of the whole check done (0 to 1).
Progress = Callable[[str, float], None]


class _Watch:
    """How far a check is, from the bytes it has read. Each step reads its file whole a number of times; within a
    step the share done is the bytes read over those expected, and each step has its band of the whole, by how long
    it takes (reading the rows as entries takes longer than finding the encoding and the decimal style). The share
    never goes back and stays below 1, so a step that reads more than expected (an XLSX is read twice side by side)
    holds it rather than running on."""

    # Each step: (where its band starts, where it ends, how many times it reads its file).
    STEPS = {
        READING: (0.0, 0.15, 2),  # the encoding, then the decimal style
        CHECKING_ROWS: (0.15, 0.6, 1),
        CHECKING_ENTRIES: (0.6, 0.95, 1),
        CHECKING_OPEN_ITEMS: (0.95, 0.99, 2),
    }

    def __init__(self, progress: Progress | None, size: int) -> None:
        self.progress = progress
        self.share = 0.0
        self.begin(READING, size)

    def source(self, source: Source | None) -> Source | None:
        if source is None or self.progress is None:
            return source
        return source.counted(self.count)

    def begin(self, step: str, size: int) -> None:
        """A step of the check, which reads a file of ``size`` bytes."""
        self.step = step
        self.start, self.stop, passes = self.STEPS[step]
        self.expected = max(1, passes * size)
        self.read = 0
        self.count(0)

    def count(self, size: int) -> None:
        self.read += size
        share = min(0.99, max(self.share, self.start + (self.stop - self.start) * min(1, self.read / self.expected)))
        if self.progress is not None and (share > self.share or size == 0):
            self.share = share
            self.progress(self.step, share)

    def end(self) -> None:
        """The check is done: reading the records afterwards tells no one."""
        self.progress = None


class LedgerFile:
    """An upload opened for reading: checked on entering the ``with`` block (see :attr:`report`, :attr:`summary`),
    then read again as records as often as asked while the block runs. ``progress``, when given, is told how far the
    check is as it reads (see :class:`_Watch`)."""

    def __init__(
        self,
        journal: Source | Any,
        open_items: Source | Any | None = None,
        columns: Mapping[str, str] | None = None,
        *,
        limit: int | None = None,
        progress: Progress | None = None,
    ) -> None:
        journal_source = as_source(journal)
        open_items_source = as_source(open_items) if open_items is not None else None
        self._watch = _Watch(progress, journal_source.size + (open_items_source.size if open_items_source else 0))
        self.journal_source: Source = self._watch.source(journal_source)  # type: ignore[assignment]
        self.open_items_source = self._watch.source(open_items_source)
        self.journal_columns, self.open_item_columns = split_columns(columns)
        self.limit = limit
        self.report = Report()
        self.summary: Summary | None = None
        self._stack = ExitStack()
        self._journal: _Rows | None = None
        self._open_items: _Rows | None = None
        self._journal_vote = DecimalStyleVote()
        self._open_items_vote = DecimalStyleVote()
        # Entries with a row that has a problem (reported): their balance is not checked.
        self._incomplete: set[str] = set()

    # --- opening and checking ---------------------------------------------------------------------------------

    def __enter__(self) -> LedgerFile:
        try:
            self._open()
            if self._journal is not None:
                self._check()
        except BaseException:
            self._stack.close()
            raise
        finally:
            self._watch.end()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()

    def _open(self) -> None:
        journal_book = self._stack.enter_context(open_workbook(self.journal_source, self.report, limit=self.limit))
        open_items_table = None
        if self.open_items_source is not None:
            book = self._stack.enter_context(open_workbook(self.open_items_source, self.report, limit=self.limit))
            if book is not None:
                open_items_table = book.tables[0]
        if journal_book is None:
            return
        journal_table = journal_book.tables[0]
        if self.open_items_source is None and len(journal_book.tables) > 1:
            open_items_table = journal_book.tables[1]  # an XLSX workbook's second sheet
        columns = resolve_columns(
            journal_table.headers, self.journal_columns, kind="journal", report=self.report, file=journal_table.label
        )
        if columns is not None:
            self._journal = _Rows(journal_table, columns, self.report)
        if open_items_table is not None:
            columns = resolve_columns(
                open_items_table.headers,
                self.open_item_columns,
                kind="open_items",
                report=self.report,
                file=open_items_table.label,
            )
            if columns is not None:
                self._open_items = _Rows(open_items_table, columns, self.report)

    def _open_items_size(self) -> int:
        """The bytes the open items are read from: their own file, or the journal's workbook (a second sheet)."""
        return (self.open_items_source or self.journal_source).size

    def _check(self) -> None:
        rows = self._journal
        assert rows is not None
        self._journal_vote = _vote(rows, AMOUNT_FIELDS)
        self._watch.begin(CHECKING_ROWS, self.journal_source.size)
        summary = Summary(
            journal=rows.table.label, journal_format=rows.table.format, decimal_style=self._journal_vote.style
        )
        # Entries are added up one at a time while their rows are consecutive; only their numbers are kept. What an
        # entry that is closed looks like is held back in ``closed_report`` until the file is known to keep each
        # entry together; a file that does not is checked again entry by entry, regrouped on disk.
        seen: set[str] = set()
        current: tuple[str, _Entry] | None = None
        closed_report = Report()
        conflicts: set[tuple[str, str, str]] = set()
        for line in self._journal_lines(self.report):
            summary.lines += 1
            if line.amount and len(summary.first_lines) < FIRST_LINES:
                summary.first_lines.append(line)
            if current is None or line.entry != current[0]:
                if current is not None and summary.consecutive:
                    self._entry_problems(closed_report, *current)
                if line.entry in seen:
                    summary.consecutive = False
                seen.add(line.entry)
                current = (line.entry, _Entry(line.date, line.row))
            entry = current[1]
            if summary.consecutive and line.date != entry.date:
                self._date_problem(closed_report, line, entry)
            entry.total += line.amount
            if line.amount > 0:
                summary.debit_total += line.amount
            else:
                summary.credit_total -= line.amount
            self._account(summary, line, conflicts)
            if line.relation:
                summary.relations.setdefault(mapping.text_id(line.relation), line.relation)
            if line.cost_centre:
                summary.cost_centres.setdefault(mapping.text_id(line.cost_centre), line.cost_centre)
            month = (line.account, line.date.replace(day=1))
            summary.account_months[month] = summary.account_months.get(month, ZERO) + line.amount
            summary.first_date = min(summary.first_date or line.date, line.date)
            summary.last_date = max(summary.last_date or line.date, line.date)
        summary.entries = len(seen)
        del seen
        if summary.consecutive:
            if current is not None:
                self._entry_problems(closed_report, *current)
            self.report.extend(closed_report)
        else:
            self._watch.begin(CHECKING_ENTRIES, self.journal_source.size)
            for group in _regrouped(self._journal_lines(Report())):
                first = _Entry(group[0].date, group[0].row)
                for line in group:
                    if line.date != first.date:
                        self._date_problem(self.report, line, first)
                    first.total += line.amount
                self._entry_problems(self.report, group[0].entry, first)
        for info in summary.accounts.values():
            if info.kind is None and mapping.kind_by_code(info.code) is None:
                self.report.add(
                    NO_ACCOUNT_TYPE % {"code": info.code, "types": mapping.TYPES_HELP},
                    file=rows.table.label,
                    row=info.first_row,
                    column=rows.header("account_code"),
                )
        if self._open_items is not None:
            summary.open_items = self._open_items.table.label
            summary.open_items_format = self._open_items.table.format
            self._watch.begin(CHECKING_OPEN_ITEMS, self._open_items_size())
            self._open_items_vote = _vote(self._open_items, ("amount_open", "total"))
            listed: dict[str, int] = {}
            for item in self._open_item_lines(self.report):
                if item.external_id in listed:
                    self._open_items.problem(
                        item.row,
                        "invoice_number",
                        LISTED_TWICE % {"row": listed[item.external_id]},
                    )
                    continue
                listed[item.external_id] = item.row
                count, total = summary.open_item_totals.get(item.side, (0, ZERO))
                summary.open_item_totals[item.side] = (count + 1, total + item.amount_open)
                if item.relation:
                    summary.relations.setdefault(mapping.text_id(item.relation), item.relation)
        if summary.lines == 0 and self.report.ok:
            self.report.add(NO_ROWS, file=rows.table.label)
        self.summary = summary

    def _date_problem(self, report: Report, line: JournalLine, entry: _Entry) -> None:
        assert self._journal is not None
        report.add(
            TWO_DATES
            % {
                "entry": line.entry,
                "date": entry.date.isoformat(),
                "row": entry.first_row,
                "other": line.date.isoformat(),
            },
            file=self._journal.table.label,
            row=line.row,
            column=self._journal.header("date"),
        )

    def _entry_problems(self, report: Report, number: str, entry: _Entry) -> None:
        # An entry with a row that could not be read is not added up: its total would blame the wrong rows.
        if entry.total and number not in self._incomplete:
            assert self._journal is not None
            unbalanced = DEBIT_EXCEEDS if entry.total > 0 else CREDIT_EXCEEDS
            report.add(
                unbalanced % {"entry": number, "difference": f"{abs(entry.total):,.2f}"},
                file=self._journal.table.label,
                row=entry.first_row,
                column=self._journal.header("entry"),
            )

    def _account(self, summary: Summary, line: JournalLine, conflicts: set[tuple[str, str, str]]) -> None:
        info = summary.accounts.get(line.account)
        if info is None:
            info = summary.accounts[line.account] = AccountInfo(line.account, line.row)
        rows = self._journal
        assert rows is not None
        if line.account_name:
            if not info.name:
                info.name = line.account_name
            elif info.name != line.account_name and (line.account, "name", line.account_name) not in conflicts:
                conflicts.add((line.account, "name", line.account_name))
                rows.problem(
                    line.row,
                    "account_name",
                    TWO_NAMES % {"code": line.account, "name": repr(info.name), "other": repr(line.account_name)},
                )
        if line.account_type:
            found = mapping.account_type(line.account_type)
            if found is None:
                if (line.account, "unknown", line.account_type) not in conflicts:
                    conflicts.add((line.account, "unknown", line.account_type))
                    rows.problem(
                        line.row,
                        "account_type",
                        UNKNOWN_TYPE % {"type": repr(line.account_type), "types": mapping.TYPES_HELP},
                    )
                return
            name, role, kind = found
            if info.kind is None:
                info.type_name, info.role, info.kind = name, role, kind
            elif (info.role, info.kind) != (role, kind) and (line.account, "type", name) not in conflicts:
                conflicts.add((line.account, "type", name))
                rows.problem(
                    line.row,
                    "account_type",
                    TWO_TYPES % {"code": line.account, "type": repr(info.type_name), "other": repr(line.account_type)},
                )

    def _journal_lines(self, report: Report) -> Iterator[JournalLine]:
        """The journal's rows that can be read, each problem of the others added to ``report``."""
        rows = self._journal
        assert rows is not None
        rows.report = report
        vote = self._journal_vote
        signed = "amount" in rows.columns
        for number, cells in rows.each():
            entry = ""
            try:
                entry = rows.text(number, cells, "entry")
                date = rows.date(number, cells, "date")
                account = rows.text(number, cells, "account_code")
                if signed:
                    amount = rows.amount(number, cells, "amount", vote) or ZERO
                else:
                    debit = rows.amount(number, cells, "debit", vote) or ZERO
                    credit = rows.amount(number, cells, "credit", vote) or ZERO
                    if debit and credit:
                        rows.problem(
                            number,
                            "credit",
                            BOTH_SIDES % {"debit": f"{debit:,.2f}", "credit": f"{credit:,.2f}"},
                        )
                        raise _Skip
                    amount = debit - credit
                line = JournalLine(
                    row=number,
                    entry=entry,
                    date=date,  # type: ignore[arg-type]  # checked below
                    account=account,
                    amount=amount,
                    account_name=rows.text(number, cells, "account_name"),
                    account_type=rows.text(number, cells, "account_type"),
                    description=rows.text(number, cells, "description"),
                    relation=rows.text(number, cells, "relation"),
                    invoice_number=rows.text(number, cells, "invoice_number"),
                    due_date=rows.date(number, cells, "due_date"),
                    cost_centre=rows.text(number, cells, "cost_centre"),
                )
            except _Skip:
                if entry:
                    self._incomplete.add(entry)
                continue
            if self._line_problems(rows, line):
                yield line
            elif line.entry:
                self._incomplete.add(line.entry)

    @staticmethod
    def _line_problems(rows: _Rows, line: JournalLine) -> bool:
        """Report what makes a read row unusable; True when it is usable."""
        usable = True
        if not line.entry:
            rows.problem(line.row, "entry", ENTRY_MISSING)
            usable = False
        elif len(line.entry) > limits.EXTERNAL_ID_LENGTH:
            rows.problem(line.row, "entry", ENTRY_TOO_LONG % {"length": limits.EXTERNAL_ID_LENGTH})
            usable = False
        if line.date is None:
            rows.problem(line.row, "date", DATE_MISSING)
            usable = False
        if not line.account:
            rows.problem(line.row, "account_code", ACCOUNT_MISSING)
            usable = False
        elif len(line.account) > CODE_LENGTH:
            rows.problem(line.row, "account_code", ACCOUNT_TOO_LONG % {"length": CODE_LENGTH})
            usable = False
        if usable and line.due_date is not None:
            term = (line.due_date - line.date).days
            if term < 0:
                rows.problem(line.row, "due_date", DUE_BEFORE_DATE % {"due": line.due_date.isoformat()})
                usable = False
            elif term > limits.MAX_PAYMENT_TERM_DAYS:
                rows.problem(
                    line.row,
                    "due_date",
                    TERM_TOO_LONG % {"term": f"{term:,}", "limit": f"{limits.MAX_PAYMENT_TERM_DAYS:,}"},
                )
                usable = False
        return usable

    def _open_item_lines(self, report: Report) -> Iterator[OpenItemLine]:
        rows = self._open_items
        assert rows is not None
        rows.report = report
        vote = self._open_items_vote
        for number, cells in rows.each():
            try:
                side_text = rows.text(number, cells, "side")
                side = mapping.open_item_side(side_text)
                if side is None:
                    rows.problem(
                        number,
                        "side",
                        NOT_A_SIDE % {"side": repr(side_text)} if side_text else SIDE_MISSING,
                    )
                    raise _Skip
                amount = rows.amount(number, cells, "amount_open", vote)
                if amount is None:
                    rows.problem(number, "amount_open", OPEN_AMOUNT_MISSING)
                    raise _Skip
                item = OpenItemLine(
                    row=number,
                    side=side,
                    relation=rows.text(number, cells, "relation"),
                    invoice_number=rows.text(number, cells, "invoice_number"),
                    invoice_date=rows.date(number, cells, "invoice_date", required=True),  # type: ignore[arg-type]
                    due_date=rows.date(number, cells, "due_date"),
                    amount_open=amount,
                    total=rows.amount(number, cells, "total", vote),
                )
            except _Skip:
                continue
            if item.due_date is not None and item.due_date < item.invoice_date:
                rows.problem(number, "due_date", DUE_BEFORE_INVOICE)
                continue
            yield item

    # --- the records, after a clean check ----------------------------------------------------------------------

    def _clean(self) -> Summary:
        if not self.report.ok or self.summary is None:
            raise RuntimeError("The ledger file has problems: check the report before reading its records.")
        return self.summary

    def account_records(self) -> list[AccountRecord]:
        return [info.record() for info in self._clean().accounts.values()]

    def relation_records(self) -> list[RelationRecord]:
        return [
            RelationRecord(external_id=external_id, code="", name=name)
            for external_id, name in self._clean().relations.items()
        ]

    def cost_centre_records(self) -> list[CostCenterRecord]:
        return [
            CostCenterRecord(external_id=external_id, name=name)
            for external_id, name in self._clean().cost_centres.items()
        ]

    def entry_ids(self) -> set[str]:
        """The external ids of every entry in the file (its entry numbers)."""
        self._clean()
        return {line.entry for line in self._journal_lines(Report())}

    def transaction_records(self) -> Iterator[TransactionRecord]:
        """Every entry as a transaction with its lines, one entry in memory at a time."""
        summary = self._clean()
        report = Report()
        lines = self._journal_lines(report)
        groups = _consecutive(lines) if summary.consecutive else _regrouped(lines)
        for group in groups:
            yield entry_record(group, summary.accounts)
        if not report.ok:  # the file changed between the check and now: never import half of it
            raise RuntimeError(f"The ledger file no longer reads as it did when it was checked: {report.message}")

    def open_items(self) -> Iterator[OpenItemLine]:
        self._clean()
        if self._open_items is None:
            return iter(())
        return self._open_item_lines(Report())

    @property
    def has_open_items(self) -> bool:
        return self._open_items is not None


def check(
    journal: Source | Any,
    open_items: Source | Any | None = None,
    columns: Mapping[str, str] | None = None,
    *,
    progress: Progress | None = None,
) -> Checked:
    """Read and check an upload whole; nothing is written. ``progress`` is told how far the check is."""
    with LedgerFile(journal, open_items, columns, progress=progress) as ledger:
        return Checked(ledger.report, ledger.summary)


def _consecutive(lines: Iterator[JournalLine]) -> Iterator[list[JournalLine]]:
    group: list[JournalLine] = []
    for line in lines:
        if group and line.entry != group[0].entry:
            yield group
            group = []
        group.append(line)
    if group:
        yield group


# The staged lines' columns, in JournalLine's order of fields: fixed text, no input goes into these statements.
_STAGE_TABLE = (
    "CREATE TABLE line (entry, row, date, account, amount, account_name, account_type, description, relation, "
    "invoice_number, due_date, cost_centre)"
)
_STAGE_INSERT = "INSERT INTO line VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_STAGE_SELECT = (
    "SELECT entry, row, date, account, amount, account_name, account_type, description, relation, invoice_number, "
    "due_date, cost_centre FROM line ORDER BY entry, row"
)


def _regrouped(lines: Iterator[JournalLine]) -> Iterator[list[JournalLine]]:
    """The lines grouped by entry through a temporary SQLite file: the file's entries are spread over its rows, and
    holding every line in memory until its entry's last row would hold the whole file."""
    with tempfile.TemporaryDirectory(prefix="ledgerfile-") as folder:
        database = sqlite3.connect(Path(folder) / "entries.sqlite3")
        try:
            database.execute(_STAGE_TABLE)
            database.executemany(
                _STAGE_INSERT,
                (
                    (
                        line.entry,
                        line.row,
                        line.date.isoformat(),
                        line.account,
                        str(line.amount),
                        line.account_name,
                        line.account_type,
                        line.description,
                        line.relation,
                        line.invoice_number,
                        line.due_date.isoformat() if line.due_date else None,
                        line.cost_centre,
                    )
                    for line in lines
                ),
            )
            rows = database.execute(_STAGE_SELECT)
            staged = (
                JournalLine(
                    entry=r[0],
                    row=r[1],
                    date=dt.date.fromisoformat(r[2]),
                    account=r[3],
                    amount=Decimal(r[4]),
                    account_name=r[5],
                    account_type=r[6],
                    description=r[7],
                    relation=r[8],
                    invoice_number=r[9],
                    due_date=dt.date.fromisoformat(r[10]) if r[10] else None,
                    cost_centre=r[11],
                )
                for r in rows
            )
            yield from _consecutive(staged)
        finally:
            database.close()


def entry_fingerprint(lines: Sequence[JournalLine]) -> str:
    """A digest of everything the file says of an entry."""
    parts = [
        (
            line.date.isoformat(),
            line.account,
            str(line.amount),
            line.description,
            line.relation,
            line.invoice_number,
            line.due_date.isoformat() if line.due_date else "",
            line.cost_centre,
        )
        for line in lines
    ]
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=10).hexdigest()


def entry_record(lines: Sequence[JournalLine], accounts: Mapping[str, AccountInfo]) -> TransactionRecord:
    """One entry (its rows in file order) as a transaction. The entry's description, relation and invoice number are
    its first rows' that have one; its term runs to the first due date its rows give."""
    first = lines[0]
    description = next((line.description for line in lines if line.description), "")
    relation = next((line.relation for line in lines if line.relation), "")
    invoice_number = next((line.invoice_number for line in lines if line.invoice_number), "")
    due_date = next((line.due_date for line in lines if line.due_date), None)
    kind = mapping.entry_type(description=description, lines=((accounts[ln.account].role, ln.amount) for ln in lines))
    header_role = mapping.HEADER_ROLES.get(kind)
    header = next((ln.account for ln in lines if header_role and accounts[ln.account].role == header_role), None)
    return TransactionRecord(
        external_id=first.entry,
        transaction_type=kind,
        date=first.date,
        fingerprint=entry_fingerprint(lines),
        lines=tuple(
            LineRecord(
                account_external_id=line.account,
                amount=line.amount,
                description=line.description,
                invoice_number=line.invoice_number,
                relation_external_id=mapping.text_id(line.relation) if line.relation else None,
                cost_center_external_id=mapping.text_id(line.cost_centre) if line.cost_centre else None,
            )
            for line in lines
            if line.amount  # a line of zero says nothing
        ),
        description=description,
        invoice_number=invoice_number,
        entry_number=first.entry,
        relation_external_id=mapping.text_id(relation) if relation else None,
        account_external_id=header,
        payment_term_days=(due_date - first.date).days if due_date else None,
    )
