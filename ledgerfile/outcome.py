"""What a check of an upload found, as it is kept with the upload (``LedgerUpload.summary``): the figures and the
first journal lines the preview shows, so that the preview reads neither the file nor the check again.

- :class:`CheckSummary`: :meth:`CheckSummary.of` a :class:`~ledgerfile.book.Summary`, :meth:`CheckSummary.as_data`
  for the JSON field, :meth:`CheckSummary.from_data` back.
- :class:`PreviewLine`: one of the journal's first lines, with its account's name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from .book import Summary

SIDE_LABELS = {"receivable": _("Receivables"), "payable": _("Payables")}


@dataclass(frozen=True, slots=True)
class PreviewLine:
    date: dt.date
    entry: str
    account_code: str
    account_name: str
    description: str
    debit: Decimal | None
    credit: Decimal | None


@dataclass(frozen=True, slots=True)
class OpenItemTotal:
    side: str  # "receivable" or "payable"
    count: int
    amount: Decimal

    @property
    def label(self) -> str:
        return str(SIDE_LABELS.get(self.side, self.side))


@dataclass(frozen=True)
class CheckSummary:
    journal: str  # the file's name (and sheet)
    journal_format: str  # as people read it: "CSV, comma-separated, UTF-8"
    open_items: str
    lines: int
    entries: int
    accounts: int
    first_date: dt.date | None
    last_date: dt.date | None
    debit_total: Decimal
    credit_total: Decimal
    open_item_totals: tuple[OpenItemTotal, ...]  # receivable first
    first_lines: tuple[PreviewLine, ...]

    @classmethod
    def of(cls, summary: Summary) -> CheckSummary:
        return cls(
            journal=summary.journal,
            journal_format=str(summary.journal_format),
            open_items=summary.open_items,
            lines=summary.lines,
            entries=summary.entries,
            accounts=len(summary.accounts),
            first_date=summary.first_date,
            last_date=summary.last_date,
            debit_total=summary.debit_total,
            credit_total=summary.credit_total,
            open_item_totals=tuple(
                OpenItemTotal(side, count, amount)
                for side, (count, amount) in sorted(summary.open_item_totals.items(), reverse=True)
            ),
            first_lines=tuple(
                PreviewLine(
                    date=line.date,
                    entry=line.entry,
                    account_code=line.account,
                    account_name=summary.accounts[line.account].name if line.account in summary.accounts else "",
                    description=line.description,
                    debit=line.amount if line.amount > 0 else None,
                    credit=-line.amount if line.amount < 0 else None,
                )
                for line in summary.first_lines
            ),
        )

    @property
    def balanced(self) -> bool:
        return self.debit_total == self.credit_total

    def as_data(self) -> dict[str, Any]:
        return {
            "journal": self.journal,
            "journal_format": self.journal_format,
            "open_items": self.open_items,
            "lines": self.lines,
            "entries": self.entries,
            "accounts": self.accounts,
            "first_date": _date_text(self.first_date),
            "last_date": _date_text(self.last_date),
            "debit_total": str(self.debit_total),
            "credit_total": str(self.credit_total),
            "open_item_totals": [[t.side, t.count, str(t.amount)] for t in self.open_item_totals],
            "first_lines": [
                [
                    line.date.isoformat(),
                    line.entry,
                    line.account_code,
                    line.account_name,
                    line.description,
                    _amount_text(line.debit),
                    _amount_text(line.credit),
                ]
                for line in self.first_lines
            ],
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> CheckSummary:
        return cls(
            journal=data["journal"],
            journal_format=data["journal_format"],
            open_items=data["open_items"],
            lines=data["lines"],
            entries=data["entries"],
            accounts=data["accounts"],
            first_date=_date(data["first_date"]),
            last_date=_date(data["last_date"]),
            debit_total=Decimal(data["debit_total"]),
            credit_total=Decimal(data["credit_total"]),
            open_item_totals=tuple(
                OpenItemTotal(side, count, Decimal(amount)) for side, count, amount in data["open_item_totals"]
            ),
            first_lines=tuple(
                PreviewLine(
                    date=dt.date.fromisoformat(date),
                    entry=entry,
                    account_code=code,
                    account_name=name,
                    description=description,
                    debit=_amount(debit),
                    credit=_amount(credit),
                )
                for date, entry, code, name, description, debit, credit in data["first_lines"]
            ),
        )


def _date_text(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _amount_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _amount(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)
