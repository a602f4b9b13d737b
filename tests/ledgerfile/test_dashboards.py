"""Every dashboard works on an uploaded administration as on any other: the P&L, the balance sheet, the Outstanding
Items figures and the Data checks after importing the sample ledger equal sums computed here from the files
themselves (read with the csv module, placed with the default mapping), with nothing in ``ledger`` or ``dashboards``
knowing where the books came from."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from dashboards.mapping import BALANCE_LINES, PNL_LINES, RESULT_FOR_THE_YEAR, RETAINED_EARNINGS, Statement
from dashboards.mapping import default_reporting_line as placed
from dashboards.selectors.checks import data_checks
from dashboards.selectors.figures import outstanding_turnover
from dashboards.selectors.outstanding import outstanding_aging, outstanding_by_relation
from dashboards.selectors.scope import OutstandingScope
from dashboards.selectors.statements import StatementScope, statement_report
from ledger.models import AccountKind, AccountRole, OutstandingSide, Relation
from ledgerfile.reading import Source

from .conftest import IMPORTED_AT, connect, imported

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "ledgerfile" / "samples"
ZERO = Decimal("0.00")
# The sample's account types in the ledger's words, spelled out here rather than read from ledgerfile.mapping.
ROLES = {
    "asset": AccountRole.ASSET,
    "equity": AccountRole.EQUITY,
    "bank": AccountRole.CASH,
    "receivable": AccountRole.RECEIVABLE,
    "payable": AccountRole.PAYABLE,
    "vat": AccountRole.VAT,
    "cost": AccountRole.COST,
    "revenue": AccountRole.REVENUE,
}
TODAY = IMPORTED_AT.date()


def _rows(name: str) -> list[dict[str, str]]:
    with (SAMPLES / name).open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


@pytest.fixture(scope="module")
def lines() -> list[tuple[dt.date, str, str, bool, Decimal, dict]]:
    """Every journal row as (date, reporting line, account code, is P&L, debit-positive amount, row)."""
    found = []
    for row in _rows("ledger.csv"):
        is_pnl = row["account_type"] in {"cost", "revenue"}
        kind = AccountKind.PROFIT_AND_LOSS if is_pnl else AccountKind.BALANCE_SHEET
        line = placed(role=ROLES[row["account_type"]], code=row["account_code"], kind=kind)
        amount = Decimal(row["debit"] or "0") - Decimal(row["credit"] or "0")
        found.append((dt.date.fromisoformat(row["date"]), line, row["account_code"], is_pnl, amount, row))
    return found


@pytest.fixture
def connection(organization, enqueued):
    connection = connect(
        organization,
        Source.from_path(SAMPLES / "ledger.csv"),
        Source.from_path(SAMPLES / "open-items.csv"),
    )
    imported(connection)
    return connection


@pytest.mark.parametrize("month", [12, 6, 1])
def test_the_profit_and_loss_equals_the_files_sums(connection, lines, month):
    scope = StatementScope(connection.administration.organization, 2025, month, connection.administration)

    report = statement_report(scope=scope, statement=Statement.PROFIT_AND_LOSS)

    assert report.unmapped_count == 0
    for info in PNL_LINES:
        expected = [ZERO] * month
        for day, line, _, is_pnl, amount, _ in lines:
            if is_pnl and line == info.line and day.year == 2025 and day.month <= month:
                expected[day.month - 1] += amount * info.sign
        if info.line == "unmapped":
            assert not any(expected)
            continue
        row = report.row(info.line)
        assert row.figures.months == expected, info.line
        assert row.figures.total == sum(expected, ZERO)
    net = next(r for r in report.rows if r.label == "Net result")
    assert net.figures.total == -sum((a for d, _, _, p, a, _ in lines if p and d.month <= month), ZERO)


@pytest.mark.parametrize("month", [12, 3])
def test_the_balance_sheet_equals_the_files_sums_and_balances(connection, lines, month):
    scope = StatementScope(connection.administration.organization, 2025, month, connection.administration)
    end = scope.end

    report = statement_report(scope=scope, statement=Statement.BALANCE_SHEET)

    for info in BALANCE_LINES:
        if info.line in {RESULT_FOR_THE_YEAR, RETAINED_EARNINGS, "unmapped"}:
            continue
        expected = sum((a for d, line, _, p, a, _ in lines if not p and line == info.line and d <= end), ZERO)
        assert report.row(info.line).figures.total == expected * info.sign, info.line
    result = sum((a for d, _, _, p, a, _ in lines if p and d <= end), ZERO)
    assert report.row(RESULT_FOR_THE_YEAR).figures.total == -result
    assert report.row(RETAINED_EARNINGS).figures.total == ZERO
    assert report.difference.total == ZERO
    cash = report.row("cash")
    assert [a.account.code for a in cash.accounts] == ["1100"]


def _scope(connection, side: OutstandingSide, as_of: dt.date = TODAY) -> OutstandingScope:
    return OutstandingScope(
        organization=connection.administration.organization,
        side=side,
        as_of=as_of,
        today=TODAY,
        administration=connection.administration,
    )


def _bucket(due: dt.date) -> str:
    age = (TODAY - due).days
    if age <= 0:
        return "not_due"
    for key, last in (("1_30", 30), ("31_60", 60), ("61_90", 90)):
        if age <= last:
            return key
    return "over_90"


@pytest.mark.parametrize("side", [OutstandingSide.RECEIVABLE, OutstandingSide.PAYABLE])
def test_the_outstanding_items_equal_the_open_items_file(connection, side):
    items = [row for row in _rows("open-items.csv") if row["side"] == side]
    assert items  # the sample has open items on both sides

    aging = outstanding_aging(scope=_scope(connection, side))

    assert aging.count == len(items)
    assert aging.total == sum(Decimal(i["amount_open"]) for i in items)
    assert aging.overdue == sum(Decimal(i["amount_open"]) for i in items if i["due_date"] < TODAY.isoformat())
    buckets: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for item in items:
        buckets[_bucket(dt.date.fromisoformat(item["due_date"]))] += Decimal(item["amount_open"])
    assert {b.bucket.key: b.amount for b in aging.buckets if b.amount} == dict(buckets)
    per_relation: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for item in items:
        per_relation[item["relation"]] += Decimal(item["amount_open"])
    names = dict(Relation.objects.values_list("pk", "name"))
    rows = outstanding_by_relation(scope=_scope(connection, side))
    assert {names[r["relation_id"]]: r["total"] for r in rows} == dict(per_relation)


@pytest.mark.parametrize(
    "side,account,sign", [(OutstandingSide.RECEIVABLE, "1300", 1), (OutstandingSide.PAYABLE, "1600", -1)]
)
def test_dso_and_dpo_read_the_invoices_of_the_last_90_days(connection, lines, side, account, sign):
    as_of = dt.date(2025, 12, 31)
    start = as_of - dt.timedelta(days=89)
    counter = "8000" if side == OutstandingSide.RECEIVABLE else "1520"
    invoices = {row["entry"] for _, _, code, _, _, row in lines if code == counter}
    expected = sum(
        (a * sign for d, _, code, _, a, row in lines if code == account and row["entry"] in invoices and start <= d),
        ZERO,
    )
    assert expected > 0

    turnover = outstanding_turnover(scope=_scope(connection, side, as_of), open_amount=Decimal("1000.00"))

    assert turnover.invoiced == expected
    assert turnover.days == (Decimal("1000.00") / expected * 90).quantize(Decimal("0.1"))


def test_the_data_checks_find_nothing_wrong(connection):
    checks = data_checks(organization=connection.administration.organization, administration=connection.administration)

    assert checks.problems == 0
    assert checks.ledger_checked_at is not None
    assert {c.subject: (c.expected, c.actual) for c in checks.open_items_checks} == {
        side: (total, total)
        for side in ("receivable", "payable")
        for total in [sum((Decimal(i["amount_open"]) for i in _rows("open-items.csv") if i["side"] == side), ZERO)]
    }
