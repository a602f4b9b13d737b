"""The P&L and the balance sheet: the ledger's monthly balances per account, placed on reporting lines.

The figures come from the monthly balances (``ledger.models.MonthlyBalance``), never from summing lines, so a
statement costs the same at a thousand lines and at ten million; while a first import runs, the months whose lines
are not in yet show the source's own balances. The database adds up in one query (per account and month over two
years, and for a balance sheet everything before in one more row per account); the accounts are then placed on
their lines in Python, which is cheap because a chart has tens of accounts, not millions. The P&L and the balance
sheet of the Overview share that query and the accounts'. Every figure on a statement is the sum of its accounts'
figures, and each account's figure equals the sum of its lines in the period (``account_ledger``), since the write
services keep the monthly balances exact: the drill-downs add up to their parent.

Periods: a :class:`StatementScope` is a year and the last month shown. A P&L figure of a month is that month's
movement, its year-to-date the months up to the last one. A balance-sheet figure of a month is the balance at the
end of that month, from every line ever booked. The prior-year figures are the same months one year earlier.

A month that has not ended is shown up to today, never to its end: when the last month shown holds today (the scope
knows ``today``), its figures stop at today (``StatementScope.through``) and the prior year's stop at the same day a
year earlier, so the year to date on 3 December compares 1 January – 3 December with 1 January – 3 December of the
year before, not with all of last December, and a balance is today's, not the one of 31 December. The part of the
last month after that day is read from the lines in one more query (:func:`_tails`) and taken off the month; the
balances of the months before stay whole.

The balance sheet balances without closing entries: P&L accounts' lines before the year show as "Result of earlier
years" and those of the year so far as "Result for the year", both under equity.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import BooleanField, Case, DateField, F, Q, QuerySet, Sum, Value, When
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ledger.models import (
    Account,
    AccountKind,
    AccountRole,
    Administration,
    BalanceBasis,
    CostCenter,
    MonthlyBalance,
    TransactionLine,
)
from ledger.money import ZERO, cents
from monitr.tenancy.models import Organization

from ..mapping import (
    BALANCE_LINES,
    LINES,
    PNL_LINES,
    RESULT_FOR_THE_YEAR,
    RETAINED_EARNINGS,
    UNMAPPED,
    LineInfo,
    ReportingLine,
    Statement,
    default_reporting_line,
    statement_of,
)


@dataclass(frozen=True, slots=True)
class StatementScope:
    organization: Organization
    year: int
    month: int  # the last month shown, 1–12
    # None: all the organisation's administrations, added up.
    administration: Administration | None = None
    # The day the figures are read on; when the last month shown holds it, the figures stop at it (``through``).
    today: date | None = None
    # Only what was booked on this cost centre (the P&L's filter, where the provider declares cost centres).
    cost_center: CostCenter | None = None

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def is_partial(self) -> bool:
        """The last month shown holds today: it has not ended, and its figures stop at today."""
        return self.today is not None and self.month_start(self.month) <= self.today <= self.end

    @property
    def through(self) -> date:
        """The last day the figures cover: today when the last month shown has not ended, else that month's end."""
        return self.today if self.is_partial and self.today is not None else self.end

    @property
    def prior_through(self) -> date:
        """``through`` a year earlier (29 February: the 28th), the last day of the prior year's figures."""
        day = self.through
        return day.replace(year=day.year - 1, day=min(day.day, calendar.monthrange(day.year - 1, day.month)[1]))

    @property
    def prior_end(self) -> date:
        """The end of the prior year's last month shown: what of it comes after ``prior_through`` is left out."""
        return date(self.year - 1, self.month, calendar.monthrange(self.year - 1, self.month)[1])

    @property
    def end(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def month_start(self, month: int) -> date:
        return date(self.year, month, 1)

    def month_end(self, month: int) -> date:
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def months(self) -> list[date]:
        return [date(self.year, m, 1) for m in range(1, self.month + 1)]


@dataclass(frozen=True, slots=True)
class MappedAccount:
    pk: int
    code: str
    name: str
    role: str
    kind: str
    administration_id: int
    administration_name: str
    statement: Statement
    default_line: str | None
    override: str | None
    # First seen in an import after the chart was last reviewed (see ``Administration.accounts_reviewed_at``).
    is_new: bool = False

    @property
    def role_label(self) -> str | Promise:
        return AccountRole(self.role).label if self.role else ""

    @property
    def line(self) -> str:
        return self.override or self.default_line or UNMAPPED

    @property
    def is_mapped(self) -> bool:
        return self.line != UNMAPPED


@dataclass(slots=True)
class Figures:
    """One row of a statement: a figure per month, the year to date, and the same for the prior year."""

    months: list[Decimal]
    total: Decimal
    prior_months: list[Decimal]
    prior_total: Decimal

    @classmethod
    def zero(cls, count: int) -> Figures:
        return cls([ZERO] * count, ZERO, [ZERO] * count, ZERO)

    def add(self, other: Figures) -> None:
        self.months = [a + b for a, b in zip(self.months, other.months, strict=True)]
        self.prior_months = [a + b for a, b in zip(self.prior_months, other.prior_months, strict=True)]
        self.total += other.total
        self.prior_total += other.prior_total

    def times(self, sign: int) -> Figures:
        return Figures(
            [m * sign for m in self.months],
            self.total * sign,
            [m * sign for m in self.prior_months],
            self.prior_total * sign,
        )

    @property
    def change(self) -> Decimal:
        return self.total - self.prior_total

    @property
    def columns(self) -> list[tuple[int, Decimal]]:
        return list(enumerate(self.months, start=1))


@dataclass(slots=True)
class AccountRow:
    account: MappedAccount
    figures: Figures  # as shown on the statement (signed by the line)


@dataclass(slots=True)
class StatementRow:
    """A reporting line with its accounts, or a subtotal or heading (``info`` None, ``label`` and ``key`` set)."""

    label: str | Promise  # in the reader's language when shown
    figures: Figures
    info: LineInfo | None = None
    accounts: list[AccountRow] = field(default_factory=list)
    kind: str = "line"  # "line", "subtotal", "total", "heading"
    key: str = ""  # a subtotal's or heading's name in every language ("gross-margin"); a line's is ``line``

    @property
    def line(self) -> str | None:
        return None if self.info is None else str(self.info.line)


@dataclass(slots=True)
class StatementReport:
    scope: StatementScope
    statement: Statement
    rows: list[StatementRow]
    unmapped_count: int
    # The balance sheet's assets minus equity and liabilities: zero unless a transaction does not balance.
    difference: Figures | None = None

    def row(self, line: str) -> StatementRow:
        return next(r for r in self.rows if r.kind == "line" and r.line == line)


def mapped_accounts(*, organization: Organization, administration: Administration | None = None) -> list[MappedAccount]:
    """Every account of the scope with its default line and an admin's override, in code order (one query)."""
    rows: QuerySet = Account.objects.for_organization(organization)
    if administration is not None:
        rows = rows.filter(administration=administration)
    rows = rows.annotate(
        is_new=Case(
            When(first_seen_at__gt=F("administration__accounts_reviewed_at"), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )
    values = rows.order_by("code", "administration__name", "pk").values(
        "is_new",
        "pk",
        "code",
        "name",
        "role",
        "kind",
        "administration_id",
        "administration__name",
        "reporting_mapping__line",
    )
    return [
        MappedAccount(
            pk=v["pk"],
            code=v["code"],
            name=v["name"],
            role=v["role"],
            kind=v["kind"],
            administration_id=v["administration_id"],
            administration_name=v["administration__name"],
            statement=statement_of(v["kind"]),
            default_line=default_reporting_line(role=v["role"], code=v["code"], kind=v["kind"]),
            override=v["reporting_mapping__line"] or None,
            is_new=v["is_new"],
        )
        for v in values
    ]


def _lines(scope: StatementScope) -> QuerySet:
    rows = TransactionLine.objects.for_organization(scope.organization)
    if scope.administration is not None:
        rows = rows.filter(administration=scope.administration)
    if scope.cost_center is not None:
        rows = rows.filter(cost_center=scope.cost_center)
    return rows


def _balances(scope: StatementScope) -> QuerySet:
    """The monthly balances a statement of the scope reads: per administration, the lines' rows for the months
    whose lines are all in, the source's rows for the months a first import has not reached yet. By cost centre,
    the lines' rows of that cost centre alone: the source's balances are per account, without cost centres, so
    months whose lines are not in yet read as nothing (the page says they are still coming)."""
    rows = MonthlyBalance.objects.for_organization(scope.organization)
    if scope.administration is not None:
        rows = rows.filter(administration=scope.administration)
    if scope.cost_center is not None:
        return rows.filter(basis=BalanceBasis.LINES, cost_center_key=scope.cost_center.pk)
    through = F("administration__lines_complete_through")
    return rows.filter(
        Q(basis=BalanceBasis.LINES, month__lte=through) | Q(basis=BalanceBasis.SOURCE, month__gt=through)
    )


Movements = dict[int, dict[tuple[int, int], Decimal]]


def _sums(
    scope: StatementScope, *, kind: str | None = None, before: bool = False
) -> tuple[Movements, dict[int, Decimal]]:
    """Per account, its movement per (year, month) from the prior year's January to the last month; of the
    accounts of ``kind`` only when given. With ``before``, also per account the sum of every month before the prior
    year (what a balance opens with), grouped in the same query as one more row per account. Read off the monthly
    balances: a few thousand rows at most, whatever the number of lines."""
    first = date(scope.year - 1, 1, 1)
    rows = _balances(scope).filter(month__lte=scope.end)
    if kind is not None:
        # By the accounts' kind rather than a list of their ids: the same rows, without a parameter per account.
        rows = rows.filter(account__kind=kind)
    period: Case | F = F("month")
    if before:
        # Every month before the prior year falls into one group, whose period is NULL.
        period = Case(When(month__lt=first, then=Value(None)), default=F("month"), output_field=DateField())
    else:
        rows = rows.filter(month__gte=first)
    grouped = rows.annotate(period=period).values_list("account_id", "period").annotate(total=Sum("amount")).order_by()
    movements: Movements = defaultdict(dict)
    opening: dict[int, Decimal] = {}
    for account_id, month, total in grouped:
        if month is None:
            opening[account_id] = cents(total)
        else:
            movements[account_id][(month.year, month.month)] = cents(total)
    return movements, opening


Tails = dict[int, tuple[Decimal, Decimal]]
NO_TAIL = (ZERO, ZERO)


def _tails(scope: StatementScope, *, kind: str | None = None) -> Tails:
    """Per account, what its lines moved in the last month shown after ``through`` (this year) and after
    ``prior_through`` (the year before): the part of that month the figures leave out. Empty unless the last month
    holds today. One grouped query over the lines of those two month ends (the monthly balances cannot split a
    month). While a first import has not stored those lines, they are not taken off: the month shows whole."""
    if not scope.is_partial:
        return {}
    this_year = Q(date__gt=scope.through, date__lte=scope.end)
    rows = _lines(scope).filter(this_year | Q(date__gt=scope.prior_through, date__lte=scope.prior_end))
    if kind is not None:
        rows = rows.filter(account__kind=kind)
    grouped = (
        rows.annotate(
            this_year=Case(When(this_year, then=Value(True)), default=Value(False), output_field=BooleanField())
        )
        .values_list("account_id", "this_year")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    tails: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for account_id, is_this_year, total in grouped:
        tails[account_id][0 if is_this_year else 1] += cents(total)
    return {account_id: (this, prior) for account_id, (this, prior) in tails.items()}


def _account_figures(
    *,
    statement: Statement,
    scope: StatementScope,
    sums: dict[tuple[int, int], Decimal],
    before: Decimal,
    tail: tuple[Decimal, Decimal] = NO_TAIL,
) -> Figures:
    """Debit-positive figures of one account: movements (P&L) or month-end balances (balance sheet); the last month
    without its ``tail`` (this year's, the prior year's), see :func:`_tails`."""
    count = scope.month
    this = [sums.get((scope.year, m), ZERO) for m in range(1, count + 1)]
    prior = [sums.get((scope.year - 1, m), ZERO) for m in range(1, count + 1)]
    # The year opens with the whole prior year, its last month included: only the shown months are cut.
    opening = before + sum((sums.get((scope.year - 1, m), ZERO) for m in range(1, 13)), ZERO)
    this[-1] -= tail[0]
    prior[-1] -= tail[1]
    if statement == Statement.PROFIT_AND_LOSS:
        return Figures(this, sum(this, ZERO), prior, sum(prior, ZERO))
    prior_opening = before
    balances, prior_balances = [], []
    for m in range(count):
        opening += this[m]
        prior_opening += prior[m]
        balances.append(opening)
        prior_balances.append(prior_opening)
    return Figures(balances, balances[-1], prior_balances, prior_balances[-1])


def _results(
    *, scope: StatementScope, accounts: list[MappedAccount], sums, before: dict[int, Decimal], tails: Tails
) -> tuple[Figures, Figures]:
    """Debit-positive result of earlier years and result of the year so far, at each month's end."""
    count = scope.month
    earlier, year = Figures.zero(count), Figures.zero(count)
    for account in accounts:
        if account.statement != Statement.PROFIT_AND_LOSS:
            continue
        own = sums.get(account.pk, {})
        movement = _account_figures(
            statement=Statement.PROFIT_AND_LOSS, scope=scope, sums=own, before=ZERO, tail=tails.get(account.pk, NO_TAIL)
        )
        running, prior_running, this_year, prior_year = ZERO, ZERO, [], []
        for m in range(count):
            running += movement.months[m]
            prior_running += movement.prior_months[m]
            this_year.append(running)
            prior_year.append(prior_running)
        year.add(Figures(this_year, this_year[-1], prior_year, prior_year[-1]))
        prior_before = before.get(account.pk, ZERO)
        opening = prior_before + sum((own.get((scope.year - 1, m), ZERO) for m in range(1, 13)), ZERO)
        earlier.add(Figures([opening] * count, opening, [prior_before] * count, prior_before))
    return earlier, year


def _subtotal(
    key: str, label: str | Promise, rows: list[StatementRow], lines: Collection[str | None], *, sign: int, kind: str
) -> StatementRow:
    figures = Figures.zero(len(rows[0].figures.months))
    for row in rows:
        if row.kind == "line" and row.line in lines:
            figures.add(row.figures.times(row.info.sign * sign))  # type: ignore[union-attr]
    return StatementRow(label=label, figures=figures, kind=kind, key=key)


PNL_SUBTOTALS: tuple[tuple[str, str, str | Promise], ...] = (
    # (after this line, the key and label of the subtotal of everything so far)
    (ReportingLine.COST_OF_SALES, "gross-margin", _("Gross margin")),
    (UNMAPPED, "operating-result", _("Operating result")),
    (ReportingLine.FINANCIAL, "result-before-taxes", _("Result before taxes")),
    (ReportingLine.TAXES, "net-result", _("Net result")),
)


def statement_report(*, scope: StatementScope, statement: Statement | str) -> StatementReport:
    """The P&L or the balance sheet of the scope, through the mapping, with its accounts (two queries)."""
    return statement_reports(scope=scope, statements=[Statement(statement)])[Statement(statement)]


def statement_reports(*, scope: StatementScope, statements: Collection[Statement]) -> dict[Statement, StatementReport]:
    """The P&L and (or) the balance sheet of the scope from the same two queries: the accounts, and their monthly
    balances (every account's, with what came before the prior year, when the balance sheet is asked for)."""
    accounts = mapped_accounts(organization=scope.organization, administration=scope.administration)
    # The balance sheet needs every account's movements (its result lines add up the P&L accounts); the P&L its own.
    balance = Statement.BALANCE_SHEET in statements
    kind = None if balance else AccountKind.PROFIT_AND_LOSS
    sums, before = _sums(scope, kind=kind, before=balance)
    tails = _tails(scope, kind=kind)
    return {
        statement: _report(scope=scope, statement=statement, accounts=accounts, sums=sums, before=before, tails=tails)
        for statement in statements
    }


def _report(
    *,
    scope: StatementScope,
    statement: Statement,
    accounts: list[MappedAccount],
    sums: Movements,
    before: dict[int, Decimal],
    tails: Tails,
) -> StatementReport:
    infos = PNL_LINES if statement == Statement.PROFIT_AND_LOSS else BALANCE_LINES
    rows = {str(i.line): StatementRow(label=i.label, figures=Figures.zero(scope.month), info=i) for i in infos}
    unmapped = 0
    for account in accounts:
        if account.statement != statement:
            continue
        unmapped += not account.is_mapped
        row = rows[account.line]
        raw = _account_figures(
            statement=statement,
            scope=scope,
            sums=sums.get(account.pk, {}),
            before=before.get(account.pk, ZERO),
            tail=tails.get(account.pk, NO_TAIL),
        )
        shown = raw.times(row.info.sign)  # type: ignore[union-attr]
        row.figures.add(shown)
        row.accounts.append(AccountRow(account=account, figures=shown))
    if statement == Statement.BALANCE_SHEET:
        earlier, year = _results(scope=scope, accounts=accounts, sums=sums, before=before, tails=tails)
        rows[RETAINED_EARNINGS].figures = earlier.times(-1)
        rows[RESULT_FOR_THE_YEAR].figures = year.times(-1)
    ordered = [r for r in rows.values() if r.line != UNMAPPED or r.accounts]
    if statement == Statement.PROFIT_AND_LOSS:
        return StatementReport(scope, statement, _pnl_layout(ordered), unmapped)
    return _balance_layout(scope, ordered, unmapped)


def _pnl_layout(lines: list[StatementRow]) -> list[StatementRow]:
    layout: list[StatementRow] = []
    seen: set[str] = set()
    subtotal_after = {line: (key, label) for line, key, label in PNL_SUBTOTALS}
    order = [str(i.line) for i in PNL_LINES]
    for position, key in enumerate(order):
        row = next((r for r in lines if r.line == key), None)
        if row is not None:
            layout.append(row)
            seen.add(key)
        if key in subtotal_after:
            kind = "total" if key == ReportingLine.TAXES else "subtotal"
            # A result is income minus costs: the shown figures with the line's sign, negated back.
            layout.append(_subtotal(*subtotal_after[key], lines, set(order[: position + 1]), sign=-1, kind=kind))
    return layout


def _balance_layout(scope: StatementScope, lines: list[StatementRow], unmapped: int) -> StatementReport:
    assets = [r for r in lines if r.info and r.info.side == "assets"]
    liabilities = [r for r in lines if r.info and r.info.side == "liabilities"]
    total_assets = _subtotal("total-assets", _("Total assets"), lines, {r.line for r in assets}, sign=1, kind="total")
    total_liabilities = _subtotal(
        "total-equity-and-liabilities",
        _("Total equity and liabilities"),
        lines,
        {r.line for r in liabilities},
        sign=-1,
        kind="total",
    )
    difference = Figures.zero(scope.month)
    difference.add(total_assets.figures)
    difference.add(total_liabilities.figures.times(-1))
    layout = [
        StatementRow(label=_("Assets"), figures=Figures.zero(scope.month), kind="heading", key="assets"),
        *assets,
        total_assets,
        StatementRow(
            label=_("Equity and liabilities"),
            figures=Figures.zero(scope.month),
            kind="heading",
            key="equity-and-liabilities",
        ),
        *liabilities,
        total_liabilities,
    ]
    return StatementReport(scope, Statement.BALANCE_SHEET, layout, unmapped, difference=difference)


def line_info(*, statement: Statement | str, line: str) -> LineInfo | None:
    return LINES.get((Statement(statement), line))


@dataclass(frozen=True, slots=True)
class AccountLedger:
    """An account's lines in a period, with what was booked before it when the figure is a balance."""

    start: date
    end: date
    brought_forward: Decimal | None
    lines: QuerySet
    total: Decimal  # debit positive: brought forward plus the lines


def account_ledger(*, scope: StatementScope, account: Account, month: int | None = None) -> AccountLedger:
    """The lines behind an account's figure on a statement: ``month`` alone, or up to the scope's last month."""
    last = month or scope.month
    is_balance = account.kind == AccountKind.BALANCE_SHEET
    start = scope.month_start(month) if month and not is_balance else scope.start
    # The last month shown ends today while it runs, as the statement's figures do.
    end = scope.through if last == scope.month else scope.month_end(last)
    lines = (
        _lines(scope)
        .filter(account=account, date__gte=start, date__lte=end)
        .select_related("transaction", "relation", "transaction__relation")
        .order_by("date", "transaction_id", "line_number")
    )
    total = cents(lines.aggregate(total=Sum("amount"))["total"])
    brought_forward = None
    if is_balance:
        # Every line before the start, read off the lines' own monthly balances (the start is a month's first day,
        # so they are the same sum): a few dozen rows where the lines before it may be millions. While a first
        # import runs these hold the lines imported so far, as the list does.
        before = MonthlyBalance.objects.for_organization(scope.organization).filter(
            basis=BalanceBasis.LINES, account=account, month__lt=start
        )
        if scope.administration is not None:
            before = before.filter(administration=scope.administration)
        if scope.cost_center is not None:
            before = before.filter(cost_center_key=scope.cost_center.pk)
        brought_forward = cents(before.aggregate(total=Sum("amount"))["total"])
        total += brought_forward
    return AccountLedger(start=start, end=end, brought_forward=brought_forward, lines=lines, total=total)
