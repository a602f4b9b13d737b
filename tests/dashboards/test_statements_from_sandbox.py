"""The P&L and the balance sheet after a real sandbox import equal the sandbox's truth summed by the default
mapping; the balance sheet balances; every line's accounts add up to the line, and every account's lines to the
account's figure."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
import time_machine

from dashboards.mapping import (
    BALANCE_LINES,
    PNL_LINES,
    RESULT_FOR_THE_YEAR,
    RETAINED_EARNINGS,
    Statement,
    default_reporting_line,
)
from dashboards.selectors.statements import StatementScope, account_ledger, statement_report
from eboekhouden.mapping import account_role
from integrations.sync.engine import sync_run_execute
from ledger.models import Account, AccountKind

pytestmark = pytest.mark.django_db(transaction=True)

IMPORTED_AT = dt.datetime(2026, 1, 12, 9, 0, tzinfo=dt.UTC)
ZERO = Decimal("0.00")


@pytest.fixture
def imported(sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration):
    with time_machine.travel(IMPORTED_AT):
        sync_run_execute(connection_id=sandbox_connection.pk, trigger="manual")
    info = eboekhouden_sandbox_administration
    return sandbox_connection, eboekhouden_sandbox.truth(info.guid), eboekhouden_sandbox.balances(info.guid)


def truth_by_line(truth, ledgers) -> list[tuple[dt.date, str, bool, Decimal]]:
    """Every truth line as (date, reporting line, is P&L, amount), placed by the sandbox's own code and category."""
    placed = []
    for mutation in truth:
        day = dt.date.fromisoformat(mutation["date"])
        for line in mutation["lines"]:
            ledger = ledgers[line["ledgerId"]]
            is_pnl = ledger["category"] == "VW"
            kind = AccountKind.PROFIT_AND_LOSS if is_pnl else AccountKind.BALANCE_SHEET
            reporting = default_reporting_line(role=account_role(ledger["category"]), code=ledger["code"], kind=kind)
            placed.append((day, reporting or "unmapped", is_pnl, Decimal(str(line["amount"]))))
    return placed


def ledgers_of(balances) -> dict[int, dict]:
    return {b["ledgerId"]: b for b in balances}


@pytest.mark.parametrize("year,month", [(2025, 12), (2025, 6), (2024, 12), (2026, 1)])
def test_every_pnl_figure_equals_the_truth_summed_by_the_mapping(imported, year, month):
    connection, truth, balances = imported
    placed = truth_by_line(truth, ledgers_of(balances))
    scope = StatementScope(
        organization=connection.administration.organization,
        year=year,
        month=month,
        administration=connection.administration,
    )

    report = statement_report(scope=scope, statement=Statement.PROFIT_AND_LOSS)

    for info in PNL_LINES:
        expected_months = [ZERO] * month
        prior_months = [ZERO] * month
        for day, line, is_pnl, amount in placed:
            if not is_pnl or line != info.line or day.month > month:
                continue
            if day.year == year:
                expected_months[day.month - 1] += amount * info.sign
            elif day.year == year - 1:
                prior_months[day.month - 1] += amount * info.sign
        rows = [r for r in report.rows if r.kind == "line" and r.line == info.line]
        if not rows:
            assert info.line == "unmapped" and not any(expected_months)
            continue
        assert rows[0].figures.months == expected_months, info.line
        assert rows[0].figures.total == sum(expected_months, ZERO)
        assert rows[0].figures.prior_months == prior_months, info.line
    expected_result = -sum(
        (amount for day, _, is_pnl, amount in placed if is_pnl and day.year == year and day.month <= month), ZERO
    )
    assert report.rows[-1].label == "Net result"
    assert report.rows[-1].figures.total == expected_result
    assert any(r.figures.total or r.figures.prior_total for r in report.rows if r.kind == "line")


@pytest.mark.parametrize("year,month", [(2025, 12), (2025, 3), (2026, 1)])
def test_every_balance_sheet_figure_equals_the_truth_and_the_sheet_balances(imported, year, month):
    connection, truth, balances = imported
    placed = truth_by_line(truth, ledgers_of(balances))
    scope = StatementScope(
        organization=connection.administration.organization,
        year=year,
        month=month,
        administration=connection.administration,
    )
    end = scope.end
    start = scope.start

    report = statement_report(scope=scope, statement=Statement.BALANCE_SHEET)

    expected = defaultdict(lambda: ZERO)
    for day, line, is_pnl, amount in placed:
        if day > end:
            continue
        if is_pnl:
            expected[RESULT_FOR_THE_YEAR if day >= start else RETAINED_EARNINGS] += amount
        else:
            expected[line] += amount
    for info in BALANCE_LINES:
        rows = [r for r in report.rows if r.kind == "line" and r.line == info.line]
        if rows:
            assert rows[0].figures.total == expected[info.line] * info.sign, info.line
        else:
            assert not expected[info.line]
    totals = [r for r in report.rows if r.kind == "total"]
    assert totals[0].figures.total == totals[1].figures.total
    assert totals[0].figures.total > 0
    assert report.difference.total == ZERO
    assert all(m == ZERO for m in report.difference.months)


@pytest.mark.parametrize("statement", list(Statement))
def test_drill_downs_add_up_to_their_parents(imported, statement):
    connection, _, _ = imported
    scope = StatementScope(
        organization=connection.administration.organization,
        year=2025,
        month=12,
        administration=connection.administration,
    )
    report = statement_report(scope=scope, statement=statement)
    accounts = {a.pk: a for a in Account.objects.filter(administration=connection.administration)}

    for row in (r for r in report.rows if r.kind == "line" and r.accounts):
        assert sum((a.figures.total for a in row.accounts), ZERO) == row.figures.total
        for month in (1, 7, 12):
            assert sum((a.figures.months[month - 1] for a in row.accounts), ZERO) == row.figures.months[month - 1]
        for account_row in row.accounts:
            for month in (None, 5):
                ledger = account_ledger(scope=scope, account=accounts[account_row.account.pk], month=month)
                lines = sum((line.amount for line in ledger.lines), ZERO) + (ledger.brought_forward or ZERO)
                figure = account_row.figures.total if month is None else account_row.figures.months[month - 1]
                assert lines == ledger.total
                assert ledger.total * row.info.sign == figure, (account_row.account.code, month)
