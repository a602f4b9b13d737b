"""The default reporting structure: which reporting line of the P&L or the balance sheet each account falls under.

One pure function, :func:`default_reporting_line`, decides from an account's role (what its provider says it is for,
in the ledger's neutral words) and its code, following the Dutch decimal chart most small businesses use (0 fixed
assets and long-term capital, 1 cash, receivables, VAT and short-term debts, 4 operating costs, 7 cost of sales,
8 revenue, 9 financial result and taxes).
Admins override single accounts with :class:`dashboards.models.AccountMapping`; only those overrides are stored, so a
change to these defaults reaches every account nobody moved by hand.

Sign conventions live here too. Ledger lines are debit positive; the statements show revenue, income, equity and
liabilities as positive numbers, so each line has a ``sign`` that turns a debit-positive sum into what is shown.
An account the rules cannot place (a P&L account numbered 0–3999, a balance-sheet account numbered 3xxx, a code that
is not a number) is *unmapped*: it is listed on the mapping page and the Data checks, and shown on its statement
under "Not mapped" so that the totals still add up.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ledger.models import AccountKind, AccountRole


class Statement(models.TextChoices):
    PROFIT_AND_LOSS = "pnl", _("Profit and loss")
    BALANCE_SHEET = "balance-sheet", _("Balance sheet")


class ReportingLine(models.TextChoices):
    REVENUE = "revenue", _("Revenue")
    COST_OF_SALES = "cost_of_sales", _("Cost of sales")
    PERSONNEL = "personnel", _("Personnel")
    HOUSING = "housing", _("Housing")
    OTHER_OPERATING = "other_operating", _("Other operating costs")
    DEPRECIATION = "depreciation", _("Depreciation")
    FINANCIAL = "financial", _("Financial result")
    TAXES = "taxes", _("Taxes")
    FIXED_ASSETS = "fixed_assets", _("Fixed assets")
    RECEIVABLES = "receivables", pgettext_lazy("balance sheet line", "Receivables")
    CASH = "cash", _("Cash and bank")
    EQUITY = "equity", _("Equity")
    LONG_TERM = "long_term", _("Long-term liabilities")
    CURRENT_LIABILITIES = "current_liabilities", _("Current liabilities")
    VAT = "vat", _("VAT")


# Not choices an account can be mapped to: the statements add them.
UNMAPPED = "unmapped"
RESULT_FOR_THE_YEAR = "result_for_the_year"
RETAINED_EARNINGS = "retained_earnings"


@dataclass(frozen=True, slots=True)
class LineInfo:
    line: str
    label: str | Promise  # translated when shown
    statement: Statement
    # +1: shown as the debit-positive sum (assets, costs); -1: shown negated (revenue, income, equity, liabilities).
    sign: int
    side: str  # "assets" / "liabilities" on the balance sheet; "income" / "costs" on the P&L


PNL_LINES: tuple[LineInfo, ...] = (
    LineInfo(ReportingLine.REVENUE, _("Revenue"), Statement.PROFIT_AND_LOSS, -1, "income"),
    LineInfo(ReportingLine.COST_OF_SALES, _("Cost of sales"), Statement.PROFIT_AND_LOSS, 1, "costs"),
    LineInfo(ReportingLine.PERSONNEL, _("Personnel"), Statement.PROFIT_AND_LOSS, 1, "costs"),
    LineInfo(ReportingLine.HOUSING, _("Housing"), Statement.PROFIT_AND_LOSS, 1, "costs"),
    LineInfo(ReportingLine.OTHER_OPERATING, _("Other operating costs"), Statement.PROFIT_AND_LOSS, 1, "costs"),
    LineInfo(ReportingLine.DEPRECIATION, _("Depreciation"), Statement.PROFIT_AND_LOSS, 1, "costs"),
    # Shown as a cost: a P&L account nobody placed still lowers (or raises) the result.
    LineInfo(UNMAPPED, _("Not mapped"), Statement.PROFIT_AND_LOSS, 1, "costs"),
    LineInfo(ReportingLine.FINANCIAL, _("Financial result"), Statement.PROFIT_AND_LOSS, -1, "income"),
    LineInfo(ReportingLine.TAXES, _("Taxes"), Statement.PROFIT_AND_LOSS, 1, "costs"),
)
BALANCE_LINES: tuple[LineInfo, ...] = (
    LineInfo(ReportingLine.FIXED_ASSETS, _("Fixed assets"), Statement.BALANCE_SHEET, 1, "assets"),
    LineInfo(
        ReportingLine.RECEIVABLES,
        pgettext_lazy("balance sheet line", "Receivables"),
        Statement.BALANCE_SHEET,
        1,
        "assets",
    ),
    LineInfo(ReportingLine.CASH, _("Cash and bank"), Statement.BALANCE_SHEET, 1, "assets"),
    LineInfo(UNMAPPED, _("Not mapped"), Statement.BALANCE_SHEET, 1, "assets"),
    LineInfo(ReportingLine.EQUITY, _("Equity"), Statement.BALANCE_SHEET, -1, "liabilities"),
    LineInfo(RETAINED_EARNINGS, _("Result of earlier years"), Statement.BALANCE_SHEET, -1, "liabilities"),
    LineInfo(RESULT_FOR_THE_YEAR, _("Result for the year"), Statement.BALANCE_SHEET, -1, "liabilities"),
    LineInfo(ReportingLine.LONG_TERM, _("Long-term liabilities"), Statement.BALANCE_SHEET, -1, "liabilities"),
    LineInfo(ReportingLine.CURRENT_LIABILITIES, _("Current liabilities"), Statement.BALANCE_SHEET, -1, "liabilities"),
    # Net: VAT to pay minus VAT to reclaim, so a negative figure is a VAT receivable.
    LineInfo(ReportingLine.VAT, _("VAT"), Statement.BALANCE_SHEET, -1, "liabilities"),
)
LINES: dict[tuple[Statement, str], LineInfo] = {(i.statement, i.line): i for i in PNL_LINES + BALANCE_LINES}
PNL_MAPPABLE = frozenset(i.line for i in PNL_LINES if i.line != UNMAPPED)
BALANCE_MAPPABLE = frozenset(i.line for i in BALANCE_LINES if i.line in ReportingLine.values)

# A role that names its line outright; the other roles narrow the choice to a side and let the code decide within it.
ROLE_LINES: dict[str, ReportingLine] = {
    AccountRole.CASH: ReportingLine.CASH,
    AccountRole.RECEIVABLE: ReportingLine.RECEIVABLES,
    AccountRole.PAYABLE: ReportingLine.CURRENT_LIABILITIES,
    AccountRole.VAT: ReportingLine.VAT,
    AccountRole.EQUITY: ReportingLine.EQUITY,
    AccountRole.REVENUE: ReportingLine.REVENUE,
}
# (the lines a role may fall under by its code, the line it falls under when its code says nothing that fits)
ROLE_SIDES: dict[str, tuple[frozenset[ReportingLine], ReportingLine]] = {
    AccountRole.ASSET: (frozenset({ReportingLine.FIXED_ASSETS, ReportingLine.RECEIVABLES}), ReportingLine.FIXED_ASSETS),
    AccountRole.LIABILITY: (
        frozenset({ReportingLine.LONG_TERM, ReportingLine.CURRENT_LIABILITIES}),
        ReportingLine.CURRENT_LIABILITIES,
    ),
    AccountRole.COST: (
        frozenset(
            {
                ReportingLine.COST_OF_SALES,
                ReportingLine.PERSONNEL,
                ReportingLine.HOUSING,
                ReportingLine.OTHER_OPERATING,
                ReportingLine.DEPRECIATION,
                ReportingLine.TAXES,
            }
        ),
        ReportingLine.OTHER_OPERATING,
    ),
}

# (first code, last code, line), inclusive, on the code's leading number.
PNL_RANGES: tuple[tuple[int, int, ReportingLine], ...] = (
    (4000, 4199, ReportingLine.PERSONNEL),
    (4200, 4299, ReportingLine.HOUSING),
    (4700, 4799, ReportingLine.DEPRECIATION),
    (4000, 6999, ReportingLine.OTHER_OPERATING),
    (7000, 7999, ReportingLine.COST_OF_SALES),
    (8000, 8899, ReportingLine.REVENUE),
    (8900, 9499, ReportingLine.FINANCIAL),
    (9500, 9999, ReportingLine.TAXES),
)
BALANCE_RANGES: tuple[tuple[int, int, ReportingLine], ...] = (
    (0, 499, ReportingLine.FIXED_ASSETS),
    (500, 599, ReportingLine.EQUITY),
    (600, 999, ReportingLine.LONG_TERM),
    (1000, 1199, ReportingLine.CASH),
    (1200, 1499, ReportingLine.RECEIVABLES),
    (1500, 1599, ReportingLine.VAT),
    (1600, 1999, ReportingLine.CURRENT_LIABILITIES),
    # 2xxx holds the owner's drawings ("Privé") and suspense accounts: both belong to the owner's capital.
    (2000, 2999, ReportingLine.EQUITY),
)


def statement_of(kind: str) -> Statement:
    return Statement.PROFIT_AND_LOSS if kind == AccountKind.PROFIT_AND_LOSS else Statement.BALANCE_SHEET


def mappable_lines(statement: Statement) -> frozenset[str]:
    return PNL_MAPPABLE if statement == Statement.PROFIT_AND_LOSS else BALANCE_MAPPABLE


def _code_number(code: str) -> int | None:
    digits = ""
    for char in code.strip():
        if not char.isdigit():
            break
        digits += char
    return int(digits) if digits else None


def default_reporting_line(*, role: str, code: str, kind: str) -> str | None:
    """The line an account falls under by default, or None when the rules cannot place it."""
    statement = statement_of(kind)
    # A role that does not fit the account's statement (a "revenue" balance-sheet account) is not trusted: the code
    # decides, as for an account without a role.
    if role in ROLE_LINES and ROLE_LINES[role] in mappable_lines(statement):
        return ROLE_LINES[role]
    by_code = _line_by_code(code, kind)
    if role in ROLE_SIDES:
        allowed, fallback = ROLE_SIDES[role]
        if fallback in mappable_lines(statement):
            return by_code if by_code in allowed else fallback
    return by_code


def _line_by_code(code: str, kind: str) -> ReportingLine | None:
    ranges = PNL_RANGES if kind == AccountKind.PROFIT_AND_LOSS else BALANCE_RANGES
    number = _code_number(code)
    if number is None:
        return None
    for first, last, line in ranges:
        if first <= number <= last:
            return line
    return None


def presented(amount: Decimal, *, statement: Statement, line: str) -> Decimal:
    """A debit-positive sum as the statement shows it on ``line``: the one place signs are turned."""
    return amount * LINES[(statement, line)].sign
