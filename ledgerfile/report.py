"""What is wrong with a ledger file: a :class:`Report` of :class:`Problem` rows, each naming the file, the row and
the column where it can be fixed.

A report with any problem means the file is refused whole: nothing of it is imported. The listing is sorted (by
file, then row, then column) and capped at :data:`LISTED` problems, so that a file with a million bad rows gives a
readable report in bounded memory; :attr:`Report.total` still counts every problem.

Row numbers are the spreadsheet's: the header is row 1, the first data row is row 2 (a CSV record that spans lines
because of a quoted line break is one row, as a spreadsheet shows it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext, gettext_noop, ngettext

from integrations.errors import GarbledResponse
from monitr.web.numbers import format_count
from monitr.web.stored_text import stored, stored_pattern, stored_plural

# How many problems a report lists; the rest are counted only.
LISTED = 100
# How many problems an error message (the connection card, the form's error) lists before "and N more".
IN_MESSAGE = 5

# A problem as one line of a message, in English as a message is stored; shown translated (monitr.web.stored_text).
FILE_ROW_COLUMN = stored_pattern(gettext_noop("%(file)s, row %(row)s, column %(column)s: %(message)s"))
FILE_ROW = stored_pattern(gettext_noop("%(file)s, row %(row)s: %(message)s"))
FILE_COLUMN = stored_pattern(gettext_noop("%(file)s, column %(column)s: %(message)s"))
FILE_ONLY = stored_pattern(gettext_noop("%(file)s: %(message)s"))
ROW_COLUMN = stored_pattern(gettext_noop("row %(row)s, column %(column)s: %(message)s"))
ROW_ONLY = stored_pattern(gettext_noop("row %(row)s: %(message)s"))
COLUMN_ONLY = stored_pattern(gettext_noop("column %(column)s: %(message)s"))
MORE = stored_pattern(gettext_noop("… and %(count)s more."), numbers=("count",))
MORE_UNLISTED = stored_pattern(gettext_noop("… and %(count)s more problems not listed."), numbers=("count",))
stored_plural(
    "The file cannot be imported: %(count)s problem found. Nothing was imported.",
    "The file cannot be imported: %(count)s problems found. Nothing was imported.",
    "count",
)


@dataclass(frozen=True, slots=True)
class Problem:
    file: str  # the file's name, or "name.xlsx, sheet Open items"
    row: int | None  # the spreadsheet's row number; None for a problem of the whole file
    column: str  # the header as the file spells it (or the field's key when the file has no such header)
    message: str

    def __str__(self) -> str:
        """The problem in one line, in English as a message stores it (its message as it was given)."""
        template = {
            (True, True, True): FILE_ROW_COLUMN,
            (True, True, False): FILE_ROW,
            (True, False, True): FILE_COLUMN,
            (True, False, False): FILE_ONLY,
            (False, True, True): ROW_COLUMN,
            (False, True, False): ROW_ONLY,
            (False, False, True): COLUMN_ONLY,
        }.get((bool(self.file), self.row is not None, bool(self.column)))
        if template is None:
            return self.message
        return template % {"file": self.file, "row": self.row, "column": self.column, "message": self.message}


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

    def as_data(self) -> dict[str, Any]:
        """The report as JSON keeps it (with an upload): its listing and its count."""
        return {"total": self.total, "problems": [[p.file, p.row, p.column, p.message] for p in self.problems]}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Report:
        report = cls()
        for file, row, column, message in data.get("problems", ()):
            report.add(message, file=file, row=row, column=column)
        report.total = max(report.total, int(data.get("total", 0)))
        return report

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
        """What the report comes to, in the active language."""
        if self.ok:
            return gettext("The file can be imported.")
        return ngettext(
            "The file cannot be imported: %(count)s problem found. Nothing was imported.",
            "The file cannot be imported: %(count)s problems found. Nothing was imported.",
            self.total,
        ) % {"count": format_count(self.total)}

    @property
    def message(self) -> str:
        """The headline and the first few problems, one a line: what a form error or a connection card shows. In
        English, as the connection stores it; each line is shown translated (monitr.web.stored_text)."""
        if self.ok:
            return stored(self.headline)
        shown = self.problems[:IN_MESSAGE]
        more = self.total - len(shown)
        lines = [stored(self.headline), *(str(p) for p in shown)]
        if more:
            lines.append(MORE % {"count": more})
        return "\n".join(lines)

    def text(self) -> str:
        """The whole listing, one problem a line, as the command prints it (in English)."""
        lines = [stored(self.headline), *(str(p) for p in self.problems)]
        if self.unlisted:
            lines.append(MORE_UNLISTED % {"count": self.unlisted})
        return "\n".join(lines)


class FileRefused(GarbledResponse):
    """The upload cannot be imported; ``report`` lists why (it does not survive pickling: the message does)."""

    default_message = gettext_noop("The ledger file cannot be imported.")

    def __init__(self, user_message: str | None = None, *, report: Report | None = None, **kwargs) -> None:
        kwargs.setdefault("code", "ledger_file_invalid")
        super().__init__(user_message or (report.message if report else None), **kwargs)
        self.report = report

    def _extra(self) -> dict[str, object]:
        return {}
