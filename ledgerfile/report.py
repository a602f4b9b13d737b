"""What is wrong with a ledger file: a :class:`Report` of :class:`Problem` rows, each naming the file, the row and
the column where it can be fixed.

A report with any problem means the file is refused whole: nothing of it is imported. The listing is sorted (by
file, then row, then column) and capped at :data:`LISTED` problems, so that a file with a million bad rows gives a
readable report in bounded memory; :attr:`Report.total` still counts every problem.

Row numbers are the spreadsheet's: the header is row 1, the first data row is row 2 (a CSV record that spans lines
because of a quoted line break is one row, as a spreadsheet shows it).
"""

from __future__ import annotations

from dataclasses import dataclass

from integrations.errors import GarbledResponse

# How many problems a report lists; the rest are counted only.
LISTED = 100
# How many problems an error message (the connection card, the form's error) lists before "and N more".
IN_MESSAGE = 5


@dataclass(frozen=True, slots=True)
class Problem:
    file: str  # the file's name, or "name.xlsx, sheet Open items"
    row: int | None  # the spreadsheet's row number; None for a problem of the whole file
    column: str  # the header as the file spells it (or the field's key when the file has no such header)
    message: str

    def __str__(self) -> str:
        where = [self.file] if self.file else []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class Report:
    """The problems found in one upload (the journal and the open-items file together)."""

    def __init__(self) -> None:
        self.total = 0
        self._kept: list[Problem] = []
        self._files: dict[str, int] = {}

    def add(self, message: str, *, file: str = "", row: int | None = None, column: str = "") -> None:
        self.total += 1
        self._files.setdefault(file, len(self._files))
        self._kept.append(Problem(file=file, row=row, column=column, message=message))
        if len(self._kept) >= 2 * LISTED:
            self._kept = self._sorted()[:LISTED]

    def extend(self, other: Report) -> None:
        """Add another report's problems (its listing, and the count of those it left out)."""
        for problem in other.problems:
            self.add(problem.message, file=problem.file, row=problem.row, column=problem.column)
        self.total += other.unlisted

    def _sorted(self) -> list[Problem]:
        return sorted(self._kept, key=lambda p: (self._files[p.file], p.row or 0, p.column, p.message))

    @property
    def ok(self) -> bool:
        return self.total == 0

    @property
    def problems(self) -> list[Problem]:
        """The first :data:`LISTED` problems, sorted by file, row and column."""
        return self._sorted()[:LISTED]

    @property
    def unlisted(self) -> int:
        """How many problems the listing leaves out."""
        return self.total - len(self.problems)

    @property
    def headline(self) -> str:
        if self.ok:
            return "The file can be imported."
        return (
            f"The file cannot be imported: {self.total} problem{'s' if self.total != 1 else ''} found. "
            "Nothing was imported."
        )

    @property
    def message(self) -> str:
        """The headline and the first few problems: what a form error or a connection card shows."""
        if self.ok:
            return self.headline
        shown = self.problems[:IN_MESSAGE]
        more = self.total - len(shown)
        lines = [self.headline, *(str(p) for p in shown)]
        if more:
            lines.append(f"… and {more} more.")
        return "\n".join(lines)

    def text(self) -> str:
        """The whole listing, one problem a line, as the command prints it."""
        lines = [self.headline, *(str(p) for p in self.problems)]
        if self.unlisted:
            lines.append(f"… and {self.unlisted} more problems not listed.")
        return "\n".join(lines)


class FileRefused(GarbledResponse):
    """The upload cannot be imported; ``report`` lists why (it does not survive pickling: the message does)."""

    default_message = "The ledger file cannot be imported."

    def __init__(self, user_message: str | None = None, *, report: Report | None = None, **kwargs) -> None:
        kwargs.setdefault("code", "ledger_file_invalid")
        super().__init__(user_message or (report.message if report else None), **kwargs)
        self.report = report

    def _extra(self) -> dict[str, object]:
        return {}
