"""The Overview's key figures by month, read off the same statements as the P&L and balance sheet pages.

Revenue, gross margin and operating result are the P&L's rows; cash and bank and receivables the balance sheet's
lines; payables the accounts whose role is payable (creditors) among the current liabilities. So the Overview never
disagrees with the statements, and its figures drill down through them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from ledger.models import AccountRole

from ..mapping import ReportingLine, Statement
from .statements import Figures, StatementReport, StatementScope, statement_reports


@dataclass(frozen=True, slots=True)
class OverviewFigure:
    key: str
    label: str  # in the active language
    figures: Figures
    is_balance: bool  # a balance at month end (cash, receivables, payables) rather than a month's movement
    statement: Statement
    line: str | None  # the statement line it drills down to, when it is one


def _row(report: StatementReport, *, line: str | None = None, key: str | None = None) -> Figures:
    for row in report.rows:
        if (line is not None and row.kind == "line" and row.line == line) or (key is not None and row.key == key):
            return row.figures
    return Figures.zero(report.scope.month)


def _payables(report: StatementReport) -> Figures:
    figures = Figures.zero(report.scope.month)
    for row in report.rows:
        if row.kind == "line" and row.line == ReportingLine.CURRENT_LIABILITIES:
            for account in row.accounts:
                if account.account.role == AccountRole.PAYABLE:
                    figures.add(account.figures)
    return figures


def overview_figures(*, scope: StatementScope) -> list[OverviewFigure]:
    """The six key figures of the scope, each by month with the same months of the prior year (two queries)."""
    p, b = Statement.PROFIT_AND_LOSS, Statement.BALANCE_SHEET
    reports = statement_reports(scope=scope, statements=[p, b])
    pnl, balance = reports[p], reports[b]
    return [
        OverviewFigure("revenue", _("Revenue"), _row(pnl, line=ReportingLine.REVENUE), False, p, ReportingLine.REVENUE),
        OverviewFigure("gross_margin", _("Gross margin"), _row(pnl, key="gross-margin"), False, p, None),
        OverviewFigure("operating_result", _("Operating result"), _row(pnl, key="operating-result"), False, p, None),
        OverviewFigure("cash", _("Cash and bank"), _row(balance, line=ReportingLine.CASH), True, b, ReportingLine.CASH),
        OverviewFigure(
            "receivables",
            _("Receivables"),
            _row(balance, line=ReportingLine.RECEIVABLES),
            True,
            b,
            ReportingLine.RECEIVABLES,
        ),
        OverviewFigure("payables", _("Payables"), _payables(balance), True, b, ReportingLine.CURRENT_LIABILITIES),
    ]
