"""First numbers in seconds: a first sync lands the open items and the source's balances per month before the
mutations, so the Outstanding Items, the P&L and the balance sheet are right while the transactions are still
coming; the mutations stream then takes the statements over month by month, and later syncs ask for no balances
beyond the check's."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
import time_machine

from dashboards.mapping import Statement
from dashboards.selectors.statements import StatementScope, statement_report
from eboekhouden.provider import Transport
from eboekhouden.sync import EboekhoudenSource
from eboekhouden.sync.streams import MutationsStream, OpenItemTermsStream
from eboekhouden.sync.windows import month_end
from integrations.models import SyncRun, SyncRunStatus
from integrations.sync.engine import sync_run_execute
from ledger.models import (
    Account,
    BalanceBasis,
    MonthlyBalance,
    OutstandingItem,
    OutstandingSide,
    Reconciliation,
    ReconciliationCheck,
    Transaction,
)
from tests.connections import DETAIL, RECENTLY, connect, sync

from .exact import assert_exact

pytestmark = pytest.mark.django_db(transaction=True)

ZERO = Decimal("0.00")
BALANCES = {Transport.REST: "GET /v1/ledger/balances", Transport.SOAP: "GetSaldi"}
STREAMS = [
    ("ledgers", "Chart of accounts"),
    ("relations", "Relations"),
    ("cost_centres", "Cost centres"),
    ("outstanding_items", "Open items"),
    ("month_balances", "Balances per month"),
    ("open_item_terms", "Open items' payment terms"),
    ("mutations", "Transactions"),
    ("balances", "Checking balances"),
]
# The sandbox's books end 2025-12-31 and the syncs run on RECENTLY (2026-01-12): the last full year.
YEAR = 2025


@pytest.fixture(params=[Transport.REST, Transport.SOAP])
def connection(request, organization, sandbox_settings, eboekhouden_sandbox_administration):
    return connect(organization, eboekhouden_sandbox_administration, transport=request.param)


def _months_of_history(sandbox, guid: str) -> int:
    """The months from the history's first through RECENTLY's: one balances call each on a first import."""
    first = min(dt.date.fromisoformat(m["date"]) for m in sandbox.truth(guid))
    return (RECENTLY.year - first.year) * 12 + RECENTLY.month - first.month + 1


def _own_term_for_an_open_invoice(sandbox, guid: str) -> dict:
    """Give one open sales invoice a payment term of its own that neither its relation nor the organisation has:
    only the invoice's own term dates its open item right."""
    item = sandbox.outstanding(guid, "D")[0]
    return sandbox.edit_mutation(guid, item["mutationId"], {"termOfPayment": 45})


def _expected_open_items(sandbox, guid: str, side: str) -> Counter:
    """(invoice number, outstanding, total, due date) of the source's open items; the due date is the invoice's
    date plus its own term (every sandbox invoice carries one)."""
    expected: Counter = Counter()
    for item in sandbox.outstanding(guid, side):
        term = sandbox.truth_mutation(guid, item["mutationId"])["termOfPayment"]
        assert term, "the sandbox's invoices carry their own terms"
        due = dt.date.fromisoformat(item["date"]) + dt.timedelta(days=term)
        expected[
            (item["invoiceNumber"], Decimal(str(item["outstandingAmount"])), Decimal(str(item["totalAmount"])), due)
        ] += 1
    return expected


def assert_open_items_right(connection, sandbox, guid: str) -> None:
    for side, stored_side in (("D", OutstandingSide.RECEIVABLE), ("C", OutstandingSide.PAYABLE)):
        stored = Counter(
            OutstandingItem.objects.filter(administration=connection.administration, side=stored_side).values_list(
                "invoice_number", "outstanding", "total", "due_date"
            )
        )
        assert stored == _expected_open_items(sandbox, guid, side), side


def _source_months(sandbox, guid: str, year: int) -> list[dict[str, Decimal]]:
    """Each month's balance per ledger id at the source."""
    months = []
    for month in range(1, 13):
        first = dt.date(year, month, 1)
        balances = sandbox.balances(guid, first, month_end(first))
        months.append({str(b["ledgerId"]): Decimal(str(b["balance"])) for b in balances})
    return months


def assert_pnl_equals_the_source(connection, sandbox, guid: str, year: int = YEAR) -> None:
    """Every account of the P&L of ``year``, month by month, and its net result, equal the source's balances."""
    administration = connection.administration
    scope = StatementScope(organization=administration.organization, year=year, month=12, administration=administration)
    report = statement_report(scope=scope, statement=Statement.PROFIT_AND_LOSS)
    ledger_of = dict(Account.objects.filter(administration=administration).values_list("pk", "external_id"))
    source = _source_months(sandbox, guid, year)
    shown = 0
    for row in report.rows:
        for account in row.accounts if row.kind == "line" else []:
            ledger = ledger_of[account.account.pk]
            months = [figure * row.info.sign for figure in account.figures.months]
            assert months == [month.get(ledger, ZERO) for month in source], account.account.code
            shown += any(months)
    assert shown, "the P&L shows figures"
    year_balances = sandbox.balances(guid, dt.date(year, 1, 1), dt.date(year, 12, 31))
    result = -sum((Decimal(str(b["balance"])) for b in year_balances if b["category"] == "VW"), ZERO)
    assert report.rows[-1].label == "Net result"
    assert report.rows[-1].figures.total == result


def assert_balance_sheet_equals_the_source(connection, sandbox, guid: str, year: int = YEAR) -> None:
    """Every balance-sheet account at each month's end equals the source's balance from the start to then."""
    administration = connection.administration
    scope = StatementScope(organization=administration.organization, year=year, month=12, administration=administration)
    report = statement_report(scope=scope, statement=Statement.BALANCE_SHEET)
    ledger_of = dict(Account.objects.filter(administration=administration).values_list("pk", "external_id"))
    to_date = [
        {str(b["ledgerId"]): Decimal(str(b["balance"])) for b in sandbox.balances(guid, None, month_end(first))}
        for first in (dt.date(year, month, 1) for month in range(1, 13))
    ]
    for row in report.rows:
        for account in row.accounts if row.kind == "line" else []:
            ledger = ledger_of[account.account.pk]
            months = [figure * row.info.sign for figure in account.figures.months]
            assert months == [balances.get(ledger, ZERO) for balances in to_date], account.account.code
    assert report.difference is not None and not any(report.difference.months), "the balance sheet balances"


def _stopped(connection) -> SyncRun:
    """A first sync whose worker dies (a patched stream raises); the failed run."""
    outcome = sync_run_execute(connection_id=connection.pk, trigger="manual")
    assert outcome.status == SyncRunStatus.FAILED
    return SyncRun.objects.get(pk=outcome.run_id)


def test_a_first_sync_stopped_before_the_mutations_already_shows_the_open_items_and_the_statements_right(
    connection, eboekhouden_sandbox, eboekhouden_sandbox_administration, monkeypatch
):
    sandbox, guid = eboekhouden_sandbox, eboekhouden_sandbox_administration.guid
    _own_term_for_an_open_invoice(sandbox, guid)

    def killed(self, ctx):
        raise RuntimeError("the worker was killed")

    with time_machine.travel(RECENTLY):
        monkeypatch.setattr(MutationsStream, "run", killed)
        stopped = _stopped(connection)
        monkeypatch.undo()

        administration = connection.administration
        administration.refresh_from_db()
        assert set(stopped.counts) == {name for name, _ in STREAMS[:6]}
        assert not Transaction.objects.filter(administration=administration).exists()
        # The transactions are still coming: the statements read the source's balances for every month.
        first = min(dt.date.fromisoformat(m["date"]) for m in sandbox.truth(guid))
        assert not administration.lines_complete
        assert administration.lines_complete_through < first
        assert stopped.counts["month_balances"]["new"] == _months_of_history(sandbox, guid)
        assert_open_items_right(connection, sandbox, guid)
        assert_pnl_equals_the_source(connection, sandbox, guid)
        assert_balance_sheet_equals_the_source(connection, sandbox, guid)

        run = sync(connection)

    administration.refresh_from_db()
    assert administration.lines_complete
    assert_exact(connection, sandbox, guid)
    assert_open_items_right(connection, sandbox, guid)
    assert_pnl_equals_the_source(connection, sandbox, guid)
    assert_balance_sheet_equals_the_source(connection, sandbox, guid)
    # The stopped import's months were not complete: the next run read them again before the mutations.
    assert run.counts["month_balances"]["new"] == _months_of_history(sandbox, guid)
    if connection.transport == Transport.REST:
        assert run.api_calls[DETAIL] == eboekhouden_sandbox_administration.mutations  # none fetched twice


def test_the_open_items_and_the_statements_are_in_before_a_single_detail_call(
    sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration, monkeypatch
):
    """Stopped as the invoices' own terms are about to be read: the open items (every amount, relation and count) and
    the statements are already the source's, and no mutation's detail was asked for (the sandbox's invoices take
    their relation's term, so the due dates are right too)."""
    sandbox, guid = eboekhouden_sandbox, eboekhouden_sandbox_administration.guid

    def killed(self, ctx):
        raise RuntimeError("the worker was killed")

    with time_machine.travel(RECENTLY):
        monkeypatch.setattr(OpenItemTermsStream, "run", killed)
        stopped = _stopped(sandbox_connection)
        monkeypatch.undo()

        assert set(stopped.counts) == {name for name, _ in STREAMS[:5]}
        assert DETAIL not in stopped.api_calls
        assert_open_items_right(sandbox_connection, sandbox, guid)
        assert_pnl_equals_the_source(sandbox_connection, sandbox, guid)


def test_a_first_import_stopped_half_way_reads_the_balances_of_the_months_it_did_not_reach(
    sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration, monkeypatch
):
    sandbox, guid = eboekhouden_sandbox, eboekhouden_sandbox_administration.guid
    original = MutationsStream.sync_window
    windows = []

    def killed_after_three_windows(self, ctx, first, last, **kwargs):
        if len(windows) == 3:
            raise RuntimeError("the worker was killed")
        windows.append((first, last))
        return original(self, ctx, first, last, **kwargs)

    with time_machine.travel(RECENTLY):
        monkeypatch.setattr(MutationsStream, "sync_window", killed_after_three_windows)
        _stopped(sandbox_connection)
        monkeypatch.undo()
        administration = sandbox_connection.administration
        administration.refresh_from_db()
        assert administration.lines_complete_through == windows[-1][1]  # three windows' lines are in
        assert_pnl_equals_the_source(sandbox_connection, sandbox, guid)
        assert_balance_sheet_equals_the_source(sandbox_connection, sandbox, guid)

        run = sync(sandbox_connection)

    (first, _), (_, last) = windows[0], windows[-1]
    covered = (last.year - first.year) * 12 + last.month - first.month + 1  # a window may span several months
    assert run.counts["month_balances"]["new"] == _months_of_history(sandbox, guid) - covered > 0
    administration.refresh_from_db()
    assert administration.lines_complete
    assert_exact(sandbox_connection, sandbox, guid)
    assert_pnl_equals_the_source(sandbox_connection, sandbox, guid)


def test_the_streams_run_in_the_order_that_shows_the_first_numbers_first(
    sandbox_connection, eboekhouden_sandbox_administration
):
    started = []
    with time_machine.travel(RECENTLY):
        sync(sandbox_connection, stream_observer=lambda name, label: started.append((name, label)))

    assert started == STREAMS
    source = EboekhoudenSource(None, gateway=object())
    assert [(stream.name, stream.label) for stream in source.streams] == STREAMS


def test_a_later_sync_asks_for_no_balances_but_the_checks(
    connection, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    sandbox, guid = eboekhouden_sandbox, eboekhouden_sandbox_administration.guid
    balances = BALANCES[connection.transport]
    years = len({dt.date.fromisoformat(m["date"]).year for m in sandbox.truth(guid)})
    with time_machine.travel(RECENTLY):
        first = sync(connection)
        later = sync(connection)

    # The first: a call per month of the history, and the check's one per year.
    assert first.api_calls[balances] == _months_of_history(sandbox, guid) + years
    assert later.api_calls[balances] == years  # the check's, as before: none per month
    assert later.counts["month_balances"] == {
        "label": "Balances per month",
        "records": "month_balances",
        "new": 0,
        "changed": 0,
        "deleted": 0,
        "unchanged": 0,
    }
    if connection.transport == Transport.REST:
        assert first.api_calls[DETAIL] == eboekhouden_sandbox_administration.mutations  # none fetched twice
        assert DETAIL not in later.api_calls


def test_the_check_finds_a_month_changed_behind_monitrs_back_repairs_it_and_keeps_its_balances(
    connection, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    sandbox, guid = eboekhouden_sandbox, eboekhouden_sandbox_administration.guid
    with time_machine.travel(RECENTLY):
        sync(connection)
        old = [m for m in sandbox.truth(guid, dt.date(2024, 1, 1), dt.date(2024, 12, 31)) if m["id"]]
        changed = old[3]
        sandbox.delete_mutation(guid, changed["id"])  # far behind the look-back window
        month = dt.date.fromisoformat(changed["date"]).replace(day=1)

        run = sync(connection)

    administration = connection.administration
    assert run.counts["balances"]["deleted"] == 1, run.counts["balances"]  # the month was found and repaired
    assert_exact(connection, sandbox, guid)
    months = Reconciliation.objects.filter(administration=administration, kind=ReconciliationCheck.LEDGER_MONTH)
    assert not months.exclude(difference=0).exists()
    source = {
        str(b["ledgerId"]): Decimal(str(b["balance"]))
        for b in sandbox.balances(guid, month, month_end(month))
        if Decimal(str(b["balance"]))
    }

    def stored(basis: BalanceBasis) -> dict[str, Decimal]:
        rows = MonthlyBalance.objects.filter(administration=administration, basis=basis, month=month)
        totals: dict[str, Decimal] = {}
        for ledger, amount in rows.values_list("account__external_id", "amount"):
            totals[ledger] = totals.get(ledger, ZERO) + amount
        return {ledger: amount for ledger, amount in totals.items() if amount}

    assert stored(BalanceBasis.SOURCE) == source  # the check's month balances, kept
    assert stored(BalanceBasis.LINES) == source  # the repaired lines
