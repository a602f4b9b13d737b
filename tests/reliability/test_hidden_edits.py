"""Edits the mutation list cannot show: a description, a relation or a payment term changed at the source leaves
every field of the REST list as it was. A full sync reads every detail again; ordinary syncs re-read a rotating
share of the history, so every mutation's detail is read again within ``MONITR_SYNC_REREAD_DAYS``; over SOAP the
list carries whole mutations, so the next sync sees the edit. The open items' due dates and relations follow."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from eboekhouden.provider import Transport
from integrations.models import Connection, SyncCursor
from ledger.models import OutstandingItem, OutstandingSide, Transaction, TransactionType
from tests.connections import DETAIL, RECENTLY, connect, sync
from tests.eboekhouden.exact import assert_exact

pytestmark = pytest.mark.django_db(transaction=True)


def _old_open_invoice(sandbox, guid: str) -> dict:
    """A sales invoice of early 2024, far behind the look-back window, still unpaid."""
    model = next(m for m in sandbox.truth(guid) if m["type"] == 2 and m.get("relationId"))
    rows = [{k: v for k, v in row.items() if k != "vatAmount"} for row in model["rows"]]
    return sandbox.add_mutation(
        guid,
        {
            "type": 2,
            "date": "2024-03-11",
            "ledgerId": model["ledgerId"],
            "relationId": model["relationId"],
            "invoiceNumber": "OLD-2024-0311",
            "termOfPayment": 14,
            "inExVat": model["inExVat"],
            "description": "Consultancy March",
            "rows": rows,
        },
    )


def _hidden_edit(sandbox, guid: str, invoice: dict) -> tuple[int, int]:
    """Edit the invoice where the list cannot see it: its description, relation and payment term. Returns the new
    relation and term."""
    relation = next(
        m["relationId"] for m in sandbox.truth(guid) if m.get("relationId") not in (None, invoice["relationId"])
    )
    sandbox.edit_mutation(
        guid, invoice["id"], {"description": "Renamed at the source", "relationId": relation, "termOfPayment": 45}
    )
    assert invoice["id"] in {item["mutationId"] for item in sandbox.outstanding(guid, "D")}
    return relation, 45


def _assert_follows_the_edit(connection: Connection, invoice: dict, relation: int, term: int) -> None:
    stored = Transaction.objects.select_related("relation").get(
        administration=connection.administration, external_id=str(invoice["id"])
    )
    assert stored.description == "Renamed at the source"
    assert stored.relation.external_id == str(relation)
    assert stored.payment_term_days == term
    item = OutstandingItem.objects.select_related("relation").get(
        administration=connection.administration,
        side=OutstandingSide.RECEIVABLE,
        invoice_number=invoice["invoiceNumber"],  # SOAP's open items name no mutation
    )
    assert item.due_date == dt.date.fromisoformat(invoice["date"]) + dt.timedelta(days=term)
    assert item.relation.external_id == str(relation)


def _assert_not_yet(connection: Connection, invoice: dict) -> None:
    stored = Transaction.objects.get(administration=connection.administration, external_id=str(invoice["id"]))
    assert stored.description != "Renamed at the source"


def test_a_full_sync_reads_every_detail_again_and_imports_edits_the_list_cannot_show(
    sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    sandbox, guid = eboekhouden_sandbox, eboekhouden_sandbox_administration.guid
    with time_machine.travel(RECENTLY):
        invoice = _old_open_invoice(sandbox, guid)
        sync(sandbox_connection)
        relation, term = _hidden_edit(sandbox, guid, invoice)
        ordinary = sync(sandbox_connection)
        _assert_not_yet(sandbox_connection, invoice)  # moments later, no share of the history is due yet
        assert DETAIL not in ordinary.api_calls

        full = sync(sandbox_connection, full=True)

    _assert_follows_the_edit(sandbox_connection, invoice, relation, term)
    assert full.api_calls[DETAIL] == eboekhouden_sandbox_administration.mutations + 1
    assert full.counts["mutations"]["changed"] == 1, full.counts  # every detail read, only the edited one rewritten
    assert_exact(sandbox_connection, sandbox, guid)


def test_ordinary_syncs_read_every_detail_again_within_the_set_days_a_share_each_run(
    sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration, settings
):
    sandbox, guid = eboekhouden_sandbox, eboekhouden_sandbox_administration.guid
    settings.MONITR_SYNC_REREAD_DAYS = 2
    invoice = _old_open_invoice(sandbox, guid)
    with time_machine.travel(RECENTLY, tick=False):
        sync(sandbox_connection)
    in_rotation = (
        Transaction.objects.filter(administration=sandbox_connection.administration)
        .exclude(transaction_type=TransactionType.OPENING_BALANCE)
        .count()
    )
    relation, term = _hidden_edit(sandbox, guid, invoice)
    details, seen_at = [], None
    for half_days in range(1, 5):  # twice a day for the two days
        with time_machine.travel(RECENTLY + dt.timedelta(hours=12 * half_days), tick=False):
            run = sync(sandbox_connection)
        details.append(run.api_calls.get(DETAIL, 0))
        stored = Transaction.objects.get(
            administration=sandbox_connection.administration, external_id=str(invoice["id"])
        )
        if seen_at is None and stored.description == "Renamed at the source":
            seen_at = half_days

    assert seen_at is not None, "the edit arrived within MONITR_SYNC_REREAD_DAYS"
    _assert_follows_the_edit(sandbox_connection, invoice, relation, term)
    # A quarter of the history per run (12 hours of 2 days), and the whole of it, once, over the two days.
    assert all(abs(calls - in_rotation / 4) <= 1 for calls in details), (details, in_rotation)
    assert sum(details) == in_rotation
    assert_exact(sandbox_connection, sandbox, guid)


def test_the_rotation_catches_up_after_a_pause_with_one_round_and_no_more(
    sandbox_connection, eboekhouden_sandbox_administration, settings
):
    settings.MONITR_SYNC_REREAD_DAYS = 2
    with time_machine.travel(RECENTLY):
        sync(sandbox_connection)
    with time_machine.travel(RECENTLY + dt.timedelta(days=9)):  # a week and more without a sync
        caught_up = sync(sandbox_connection)
    with time_machine.travel(RECENTLY + dt.timedelta(days=9, hours=1)):
        next_hour = sync(sandbox_connection)

    in_rotation = (
        Transaction.objects.filter(administration=sandbox_connection.administration)
        .exclude(transaction_type=TransactionType.OPENING_BALANCE)
        .count()
    )
    assert caught_up.api_calls[DETAIL] == in_rotation
    assert abs(next_hour.api_calls.get(DETAIL, 0) - in_rotation / 48) <= 1
    cursor = SyncCursor.objects.get(connection=sandbox_connection, stream="mutations").value
    assert cursor["reread"]["by"] == "mutation"


def test_over_soap_the_months_come_round_and_edits_of_any_field_arrive(
    organization, sandbox_settings, eboekhouden_sandbox, eboekhouden_sandbox_administration, settings
):
    sandbox, guid = eboekhouden_sandbox, eboekhouden_sandbox_administration.guid
    settings.MONITR_SYNC_REREAD_DAYS = 2
    connection = connect(organization, eboekhouden_sandbox_administration, transport=Transport.SOAP)
    invoice = _old_open_invoice(sandbox, guid)
    with time_machine.travel(RECENTLY, tick=False):
        sync(connection)
    relation, term = _hidden_edit(sandbox, guid, invoice)
    with time_machine.travel(RECENTLY + dt.timedelta(days=2), tick=False):
        run = sync(connection)

    _assert_follows_the_edit(connection, invoice, relation, term)
    assert run.counts["mutations"]["changed"] == 1, run.counts
    assert "GetMutaties" in run.api_calls
