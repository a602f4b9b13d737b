"""A sync of a sandbox administration imports exactly what the sandbox holds, incrementally and idempotently."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
import time_machine

from eboekhouden.provider import Transport
from integrations.models import ConnectionStatus, SyncCursor, SyncRunStatus
from integrations.sync.engine import sync_run_execute
from ledger.models import Account, OutstandingItem, OutstandingSnapshot, Relation, Transaction, TransactionLine
from tests.connections import DETAIL, RECENTLY, connect, sync

from .exact import assert_exact, assert_nothing_duplicated_or_lost, imported_lines, truth_lines

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_thin_history_is_imported_a_year_a_window_exactly(
    sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    """150 mutations over three years: a window a year (and the current month), not thirty-seven months."""
    guid = eboekhouden_sandbox_administration.guid
    progress: list[tuple[str, int, int]] = []

    with time_machine.travel(RECENTLY, tick=True):
        sync_run_execute(
            connection_id=sandbox_connection.pk,
            trigger="manual",
            observer=lambda stream, done, total: progress.append((stream, done, total)),
        )

    cursor = SyncCursor.objects.get(connection=sandbox_connection, stream="mutations").value
    assert (cursor["through"], cursor["windows_done"]) == ("2025-12-31", 3)  # 2023, 2024, 2025; January after
    assert cursor["listed"] >= eboekhouden_sandbox_administration.mutations  # and the opening balance's items
    assert_exact(sandbox_connection, eboekhouden_sandbox, guid)
    assert_nothing_duplicated_or_lost(sandbox_connection, eboekhouden_sandbox, guid)
    mutations = [(done, total) for stream, done, total in progress if stream == "mutations"]
    assert mutations[-1][0] == mutations[-1][1] > 0  # the bar ends full


def test_a_full_sync_imports_the_administration_exactly(
    sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    guid = eboekhouden_sandbox_administration.guid

    run = sync(sandbox_connection)

    assert_exact(sandbox_connection, eboekhouden_sandbox, guid)
    assert_nothing_duplicated_or_lost(sandbox_connection, eboekhouden_sandbox, guid)
    administration = sandbox_connection.administration
    assert not Transaction.objects.filter(administration=administration).exclude(imbalance=0).exists()
    assert Account.objects.filter(administration=administration).count() > 30
    assert Relation.objects.filter(administration=administration).exists()
    assert OutstandingSnapshot.objects.filter(administration=administration).exists()
    administration.refresh_from_db()
    assert administration.ledger_checked_at is not None  # every ledger and month matched: no row, but a check ran
    assert run.counts["mutations"]["new"] == len(truth_lines(eboekhouden_sandbox, guid))
    assert run.api_calls[DETAIL] == eboekhouden_sandbox_administration.mutations
    sandbox_connection.refresh_from_db()
    assert sandbox_connection.status == ConnectionStatus.SUCCEEDED


def test_the_imported_lines_per_ledger_and_month_equal_the_sandbox_balances(
    sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    from ledger.models import Reconciliation

    sync(sandbox_connection)

    guid = eboekhouden_sandbox_administration.guid
    imported = defaultdict(Decimal)
    for line in TransactionLine.objects.filter(
        administration=sandbox_connection.administration, date__year=2025, date__month=6
    ):
        imported[line.account.external_id] += line.amount
    source = {
        str(b["ledgerId"]): Decimal(str(b["balance"]))
        for b in eboekhouden_sandbox.balances(guid, dt.date(2025, 6, 1), dt.date(2025, 6, 30))
    }
    assert {k: v for k, v in imported.items() if v} == {k: v for k, v in source.items() if v}
    assert (
        not Reconciliation.objects.filter(administration=sandbox_connection.administration)
        .exclude(difference=0)
        .exists()
    )


def test_a_second_sync_without_changes_fetches_no_details_and_rewrites_nothing(sandbox_connection):
    sync(sandbox_connection)
    before = list(TransactionLine.objects.order_by("pk").values_list("pk", "amount"))

    run = sync(sandbox_connection)

    assert DETAIL not in run.api_calls
    assert (
        run.counts["mutations"]["new"] == run.counts["mutations"]["changed"] == run.counts["mutations"]["deleted"] == 0
    )
    assert list(TransactionLine.objects.order_by("pk").values_list("pk", "amount")) == before


def test_an_incremental_sync_follows_edits_deletions_additions_and_payments(
    sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration, settings
):
    sandbox, guid = eboekhouden_sandbox, eboekhouden_sandbox_administration.guid
    settings.MONITR_SYNC_LOOKBACK_DAYS = 150  # the small test books hold few mutations a month
    with time_machine.travel(RECENTLY):
        sync(sandbox_connection)
        recent = [m for m in sandbox.truth(guid, dt.date(2025, 9, 1)) if m["id"] and m["type"] in (1, 2)]
        edited, deleted = recent[0], recent[1]
        other_ledger = next(
            row["ledgerId"] for m in recent for row in m["rows"] if row["ledgerId"] != edited["rows"][0]["ledgerId"]
        )
        rows = [dict(r, amount=str(Decimal(str(r["amount"])) + Decimal("10.00"))) for r in edited["rows"]]
        sandbox.edit_mutation(guid, edited["id"], {"rows": rows})
        sandbox.delete_mutation(guid, deleted["id"])
        added = sandbox.add_mutation(
            guid,
            {
                "type": 7,
                "date": (dt.date.fromisoformat(edited["date"]) - dt.timedelta(days=5)).isoformat(),
                "ledgerId": edited["rows"][0]["ledgerId"],
                "description": "Back-dated correction",
                "rows": [{"ledgerId": other_ledger, "amount": "12.34"}],
            },
        )
        open_item = sandbox.outstanding(guid, "D")[0]
        sandbox.pay_invoice(guid, open_item["invoiceNumber"], cred_deb="D")

        run = sync(sandbox_connection)

    assert_exact(sandbox_connection, sandbox, guid)
    assert run.counts["mutations"]["deleted"] == 1, run.counts
    assert run.counts["mutations"]["new"] == 2  # the added correction and the payment
    assert run.counts["mutations"]["changed"] == 1
    assert run.api_calls[DETAIL] == 3  # only what changed, never the whole history
    assert Transaction.objects.filter(external_id=str(added["id"])).exists()
    assert run.counts["balances"] == {
        "label": "Checking balances",
        "new": 0,
        "changed": 0,
        "deleted": 0,
        "unchanged": 0,
    }


def test_a_year_entered_at_the_source_before_the_imported_history_comes_in_with_the_next_sync(
    sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    """It lies before every window a sync reads and every year the check compares: the check asks whether the
    source holds anything earlier (one call), and reads what it finds."""
    sandbox, guid = eboekhouden_sandbox, eboekhouden_sandbox_administration.guid
    with time_machine.travel(RECENTLY):
        sync(sandbox_connection)
        history = [m for m in sandbox.truth(guid) if m["id"]]
        first_year = min(dt.date.fromisoformat(m["date"]) for m in history).year
        template = next(m for m in history if len({row["ledgerId"] for row in m["rows"]}) > 1)
        added = [
            sandbox.add_mutation(
                guid,
                {
                    "type": 7,
                    "date": day.isoformat(),
                    "ledgerId": template["rows"][0]["ledgerId"],
                    "description": "Entered later",
                    "rows": [{"ledgerId": template["rows"][1]["ledgerId"], "amount": "25.00"}],
                },
            )
            for day in (dt.date(first_year - 3, 3, 10), dt.date(first_year - 1, 12, 31))
        ]

        run = sync(sandbox_connection)
        again = sync(sandbox_connection)

    assert_exact(sandbox_connection, sandbox, guid)
    assert_nothing_duplicated_or_lost(sandbox_connection, sandbox, guid)
    for mutation in added:
        assert Transaction.objects.filter(
            administration=sandbox_connection.administration, external_id=str(mutation["id"])
        ).exists()
    assert run.counts["balances"]["new"] == 2, run.counts["balances"]
    assert again.counts["balances"]["new"] == 0 and again.api_calls.get(DETAIL, 0) == 0


def test_books_imported_from_a_chosen_day_keep_leaving_the_years_before_it_out(
    sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    guid = eboekhouden_sandbox_administration.guid
    first_year = min(dt.date.fromisoformat(m["date"]) for m in eboekhouden_sandbox.truth(guid) if m["id"]).year
    since = dt.date(first_year + 1, 1, 1)
    with time_machine.travel(RECENTLY):
        sync_run_execute(connection_id=sandbox_connection.pk, trigger="command", since=since)
        run = sync(sandbox_connection)

    assert run.status == SyncRunStatus.SUCCEEDED
    stored = Transaction.objects.filter(administration=sandbox_connection.administration)
    assert stored.exists() and not stored.filter(date__lt=since).exists()


def test_a_change_older_than_the_look_back_is_found_by_the_balance_check(
    sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    sandbox, guid = eboekhouden_sandbox, eboekhouden_sandbox_administration.guid
    with time_machine.travel(RECENTLY):
        sync(sandbox_connection)
        old = [m for m in sandbox.truth(guid, dt.date(2024, 1, 1), dt.date(2024, 12, 31)) if m["id"]]
        sandbox.delete_mutation(guid, old[3]["id"])
        moved = old[5]
        other_ledger = old[6]["rows"][0]["ledgerId"]
        sandbox.edit_mutation(
            guid, moved["id"], {"rows": [dict(moved["rows"][0], ledgerId=other_ledger), *moved["rows"][1:]]}
        )

        run = sync(sandbox_connection)

    assert_exact(sandbox_connection, sandbox, guid)
    assert run.counts["mutations"]["deleted"] == 0  # outside the look-back window ...
    assert run.counts["balances"]["deleted"] == 1, run.counts["balances"]  # ... the monthly check found and repaired it


def test_the_check_counts_its_progress_in_years_while_it_repairs_a_month(
    sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    sandbox, guid = eboekhouden_sandbox, eboekhouden_sandbox_administration.guid
    with time_machine.travel(RECENTLY):
        sync(sandbox_connection)
        old = [m for m in sandbox.truth(guid, dt.date(2024, 1, 1), dt.date(2024, 12, 31)) if m["id"]]
        sandbox.delete_mutation(guid, old[3]["id"])
        steps: list[tuple[int, int]] = []

        run = sync(
            sandbox_connection,
            observer=lambda stream, done, total: steps.append((done, total)) if stream == "balances" else None,
        )

    assert run.counts["balances"]["deleted"] == 1  # a month was repaired ...
    assert {total for _, total in steps} == {3}, steps  # ... and the bar stayed on the books' three years
    assert [done for done, _ in steps] == sorted(done for done, _ in steps)
    assert steps[-1] == (3, 3)


def test_an_old_change_the_mutation_list_shows_is_repaired_with_the_details_of_the_changed_mutations_only(
    sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    sandbox, guid = eboekhouden_sandbox, eboekhouden_sandbox_administration.guid
    with time_machine.travel(RECENTLY):
        sync(sandbox_connection)
        old = [m for m in sandbox.truth(guid, dt.date(2024, 1, 1), dt.date(2024, 12, 31)) if m["id"]]
        edited, deleted = old[2], old[40]
        rows = [{k: v for k, v in r.items() if k != "vatAmount"} for r in edited["rows"]]
        rows[0]["amount"] = str(Decimal(str(rows[0]["amount"])) + Decimal("10.00"))
        sandbox.edit_mutation(guid, edited["id"], {"rows": rows})
        sandbox.delete_mutation(guid, deleted["id"])

        run = sync(sandbox_connection)

    assert_exact(sandbox_connection, sandbox, guid)
    assert run.api_calls[DETAIL] == 1  # the edited mutation's, not its whole month's
    assert run.counts["balances"]["changed"] == 1
    assert run.counts["balances"]["deleted"] == 1


def test_a_run_interrupted_after_some_batches_ends_exact_when_started_again(
    sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration, monkeypatch
):
    from eboekhouden.sync import streams

    original = streams.MutationsStream.sync_window
    calls = {"n": 0}

    def crash_after_three_windows(self, ctx, first, last, **kwargs):
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("worker died")
        return original(self, ctx, first, last, **kwargs)

    monkeypatch.setattr(streams.MutationsStream, "sync_window", crash_after_three_windows)
    outcome = sync_run_execute(connection_id=sandbox_connection.pk, trigger="manual")
    assert outcome.status == SyncRunStatus.FAILED
    monkeypatch.setattr(streams.MutationsStream, "sync_window", original)

    sync(sandbox_connection)

    assert_exact(sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration.guid)


def test_an_expired_key_needs_a_reconnect(sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration):
    eboekhouden_sandbox.expire_token(eboekhouden_sandbox_administration.guid)

    outcome = sync_run_execute(connection_id=sandbox_connection.pk, trigger="manual")

    sandbox_connection.refresh_from_db()
    assert outcome.status == SyncRunStatus.FAILED
    assert sandbox_connection.status == ConnectionStatus.RECONNECT_NEEDED
    assert "expired" in sandbox_connection.status_message


def test_a_sync_over_soap_gives_the_same_tables_as_over_rest(
    db, organization, other_organization, sandbox_settings, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    info = eboekhouden_sandbox_administration
    rest = connect(organization, info)
    soap = connect(other_organization, info, transport=Transport.SOAP)

    sync(rest)
    sync(soap)

    assert imported_lines(soap) == imported_lines(rest)
    for model, fields in (
        (Account, ("external_id", "code", "category", "kind")),
        (OutstandingItem, ("side", "invoice_number", "invoice_date", "total", "paid", "outstanding")),
    ):

        def table(connection, model=model, fields=fields):
            return set(model.objects.filter(administration=connection.administration).values_list(*fields))

        assert table(soap) == table(rest)
