"""Source edits during a sync: while an import runs, the bookkeeping changes under it (mutations edited, deleted
and added behind and ahead of the import, an invoice paid). The run may or may not see each change; the next
sync converges to the truth, and nothing is duplicated or lost."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from eboekhouden.provider import Transport
from integrations.models import SyncRun, SyncRunStatus
from integrations.sync.engine import sync_run_execute
from tests.connections import RECENTLY, connect
from tests.eboekhouden.exact import assert_exact_and_whole

pytestmark = pytest.mark.django_db(transaction=True)


def _rows_plus(mutation: dict, extra: str) -> list[dict]:
    rows = [{k: v for k, v in row.items() if k != "vatAmount"} for row in mutation["rows"]]
    rows[0]["amount"] = str(Decimal(str(rows[0]["amount"])) + Decimal(extra))
    return rows


class SourceEditor:
    """Changes the sandbox's books at set points of a running import (the engine's progress observer)."""

    def __init__(self, sandbox, guid: str) -> None:
        self.sandbox, self.guid = sandbox, guid
        truth = [m for m in sandbox.truth(guid) if m["id"]]
        self.plain = [m for m in truth if m["type"] in (5, 6, 7)]
        self.invoices = [m for m in truth if m["type"] in (1, 2)]
        self.done: list[str] = []

    def observer(self, stream: str, done: int, total: int) -> None:
        if stream == "mutations" and total and done * 2 >= total and "middle" not in self.done:
            self.done.append("middle")
            self.edit_everywhere(salt="1.11")
        if stream == "balances" and "check" not in self.done:
            self.done.append("check")  # the check that is starting may see these
            self.edit_everywhere(salt="2.22")
        if stream == "balances" and total and done == total and "late" not in self.done:
            self.done.append("late")  # the open items were read already: only the next sync sees this payment
            self.edit_everywhere(salt="3.33")

    def edit_everywhere(self, salt: str) -> None:
        first, middle, last = self.plain[0], self.plain[len(self.plain) // 2], self.plain[-1]
        for mutation in (first, middle, last):  # behind, around and ahead of the import
            self.sandbox.edit_mutation(self.guid, mutation["id"], {"rows": _rows_plus(mutation, salt)})
        for doomed in (self.plain.pop(1), self.plain.pop(-2)):
            self.sandbox.delete_mutation(self.guid, doomed["id"])
        self.sandbox.add_mutation(
            self.guid,
            {
                "type": 7,
                "date": first["date"],
                "ledgerId": first["rows"][0]["ledgerId"],
                "description": "Correction entered during the import",
                "rows": [{"ledgerId": last["rows"][0]["ledgerId"], "amount": salt}],
            },
        )
        open_items = self.sandbox.outstanding(self.guid, "D")
        assert open_items, "the books have an open invoice to pay"
        self.sandbox.pay_invoice(self.guid, open_items[0]["invoiceNumber"], cred_deb="D")


def check_edits_during_sync(organization, sandbox, info, transport: str) -> None:
    connection = connect(organization, info, transport=transport)
    editor = SourceEditor(sandbox, info.guid)
    with time_machine.travel(RECENTLY):
        first = sync_run_execute(connection_id=connection.pk, trigger="manual", observer=editor.observer)
        assert editor.done == ["middle", "check", "late"]
        assert first.status == SyncRunStatus.SUCCEEDED, first.message

        second = sync_run_execute(connection_id=connection.pk, trigger="manual")
        assert second.status == SyncRunStatus.SUCCEEDED, second.message
        assert_exact_and_whole(connection, sandbox, info.guid)
        repaired = SyncRun.objects.get(pk=second.run_id).counts
        # The last payment came after the first run had read the open items: the second brought them up to date.
        changes = {"new", "changed", "deleted"}
        assert sum(v for stream in repaired.values() for k, v in stream.items() if k in changes), repaired
        assert repaired["outstanding_items"]["changed"] + repaired["outstanding_items"]["deleted"], repaired

        third = sync_run_execute(connection_id=connection.pk, trigger="manual")
    counts = SyncRun.objects.get(pk=third.run_id).counts
    assert counts["mutations"]["new"] == counts["mutations"]["changed"] == counts["mutations"]["deleted"] == 0
    assert counts["balances"] == {"label": "Checking balances", "new": 0, "changed": 0, "deleted": 0, "unchanged": 0}
    assert_exact_and_whole(connection, sandbox, info.guid)


def test_edits_at_the_source_during_a_sync_converge_on_the_next_sync(
    organization, sandbox_settings, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    check_edits_during_sync(organization, eboekhouden_sandbox, eboekhouden_sandbox_administration, Transport.REST)


@pytest.mark.slow
def test_edits_at_the_source_during_a_sync_over_soap_converge_on_the_next_sync(
    organization, sandbox_settings, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    check_edits_during_sync(organization, eboekhouden_sandbox, eboekhouden_sandbox_administration, Transport.SOAP)
