"""Poison records: one value in the source that Monitr cannot store (a payment term of three million days, a negative
term, an open invoice dated in the year 9999, an amount of seventeen digits) must not stop the sync. The run
succeeds with everything else stored; the record is listed with its reason on the Data checks page and in the run's
history; and once the source fixes it, the next sync stores it and the entry disappears."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import pytest
import time_machine
from django.urls import reverse

from eboekhouden.provider import Transport
from integrations.models import SyncRun, SyncRunStatus
from integrations.sync.engine import sync_run_execute
from ledger.models import OutstandingItem, SetAsideKind, SetAsideRecord
from tests.connections import RECENTLY, connect
from tests.eboekhouden.exact import assert_exact_and_whole, imported_lines, outstanding_truth, truth_key, truth_lines

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass(frozen=True)
class Poison:
    name: str
    kind: SetAsideKind
    reason: str  # words the reason must hold


POISONS = {
    "huge term": Poison("huge term", SetAsideKind.TRANSACTION, "3,000,000 days is outside the terms"),
    "negative term": Poison("negative term", SetAsideKind.TRANSACTION, "-14 days is outside the terms"),
    "far date": Poison("far date", SetAsideKind.OPEN_ITEM, "invoice date (9999-12-30) is outside the dates"),
    "huge amount": Poison("huge amount", SetAsideKind.TRANSACTION, "12345678901234567"),
}


class Books:
    """Injects one poison value into the sandbox's books, and takes it out again."""

    def __init__(self, sandbox, guid: str) -> None:
        self.sandbox, self.guid = sandbox, guid
        truth = [m for m in sandbox.truth(guid) if m["id"]]
        open_ids = {item["mutationId"] for item in sandbox.outstanding(guid, "D")}
        # An open sales invoice from before the look-back, so only the balance check (or the retry of set-aside
        # months) reads it again.
        self.invoice = next(m for m in truth if m["type"] == 2 and m["id"] in open_ids and m["date"] < "2025-09-01")
        self.plain = next(m for m in truth if m["type"] == 7 and m["date"] < "2025-09-01")

    def inject(self, poison: Poison) -> tuple[str, str]:
        """Poisons a record; returns (set-aside kind's external id, the truth key of the mutation concerned)."""
        invoice, plain = self.invoice, self.plain
        if poison.name == "huge term":
            self.sandbox.edit_mutation(self.guid, invoice["id"], {"termOfPayment": 3_000_000})
        elif poison.name == "negative term":
            self.sandbox.edit_mutation(self.guid, invoice["id"], {"termOfPayment": -14})
        elif poison.name == "far date":
            self.sandbox.edit_mutation(self.guid, invoice["id"], {"date": "9999-12-30"})
            return f"D-{invoice['id']}", truth_key(invoice)
        else:
            row = plain["rows"][0]
            self.sandbox.edit_mutation(
                self.guid, plain["id"], {"rows": [{"ledgerId": row["ledgerId"], "amount": "12345678901234567"}]}
            )
            return str(plain["id"]), truth_key(plain)
        return str(invoice["id"]), truth_key(invoice)

    def fix(self, poison: Poison) -> None:
        invoice, plain = self.invoice, self.plain
        if poison.name in ("huge term", "negative term"):
            self.sandbox.edit_mutation(self.guid, invoice["id"], {"termOfPayment": 30})
        elif poison.name == "far date":
            self.sandbox.edit_mutation(self.guid, invoice["id"], {"date": invoice["date"]})
        else:
            rows = [{k: v for k, v in row.items() if k != "vatAmount"} for row in plain["rows"]]
            self.sandbox.edit_mutation(self.guid, plain["id"], {"rows": rows})


def _open_items(connection, side: str) -> Counter:
    return Counter(
        OutstandingItem.objects.filter(administration=connection.administration, side=side).values_list(
            "source_external_id", "invoice_number", "outstanding", "total"
        )
    )


def check_poison(organization, client, sandbox, info, poison: Poison, transport: str) -> None:
    connection = connect(organization, info, transport=transport)
    books = Books(sandbox, info.guid)
    external_id, mutation_key = books.inject(poison)
    with time_machine.travel(RECENTLY):
        first = sync_run_execute(connection_id=connection.pk, trigger="manual")
    assert first.status == SyncRunStatus.SUCCEEDED, first.message

    # Everything but the poison record is stored.
    expected_lines = {key: lines for key, lines in truth_lines(sandbox, info.guid).items() if key != mutation_key}
    assert imported_lines(connection) == expected_lines
    with_mutation_id = transport == Transport.REST
    expected_open = outstanding_truth(sandbox, info.guid, "D", with_mutation_id=with_mutation_id)
    if poison.kind == SetAsideKind.OPEN_ITEM:
        expected_open = Counter({k: n for k, n in expected_open.items() if k[1] != books.invoice["invoiceNumber"]})
    assert _open_items(connection, "receivable") == expected_open

    # Set aside with its reason, counted in the run and listed in its history.
    entry = SetAsideRecord.objects.get(administration=connection.administration, kind=poison.kind)
    if transport == Transport.REST or poison.kind == SetAsideKind.TRANSACTION:
        assert entry.external_id == external_id
    assert poison.reason in entry.reason, entry.reason
    counts = SyncRun.objects.get(pk=first.run_id).counts
    stream = "outstanding_items" if poison.kind == SetAsideKind.OPEN_ITEM else "mutations"
    assert counts[stream]["set_aside"] == 1, counts
    # The record is listed once in the run, however often the run read it again (the balance check re-reads the
    # month that now misses it).
    listed = [r for c in counts.values() for r in c.get("set_aside_records", []) if r["record"] == entry.label]
    assert len(listed) == 1, counts
    assert any(poison.reason in r["reason"] for r in counts[stream]["set_aside_records"]), counts
    checks = client.get(reverse("dashboards:data_checks")).content.decode()
    assert entry.label in checks and poison.reason in checks
    history = client.get(reverse("integrations:history", args=[connection.pk])).content.decode()
    assert "1 set aside" in history and poison.reason in history

    # The source fixes the record: the next sync stores it, and the entry is gone.
    books.fix(poison)
    with time_machine.travel(RECENTLY + dt.timedelta(days=1)):
        second = sync_run_execute(connection_id=connection.pk, trigger="manual")
    assert second.status == SyncRunStatus.SUCCEEDED, second.message
    assert_exact_and_whole(connection, sandbox, info.guid)
    assert not SetAsideRecord.objects.filter(administration=connection.administration).exists()
    assert poison.reason not in client.get(reverse("dashboards:data_checks")).content.decode()


@pytest.mark.parametrize("poison", POISONS.values(), ids=POISONS.keys())
def test_a_poison_record_is_set_aside_and_stored_once_the_source_fixes_it(
    organization, admin_client, sandbox_settings, eboekhouden_sandbox, eboekhouden_sandbox_administration, poison
):
    check_poison(
        organization, admin_client, eboekhouden_sandbox, eboekhouden_sandbox_administration, poison, Transport.REST
    )


@pytest.mark.slow
@pytest.mark.parametrize("poison", POISONS.values(), ids=POISONS.keys())
def test_a_poison_record_over_soap_is_set_aside_and_stored_once_the_source_fixes_it(
    organization, admin_client, sandbox_settings, eboekhouden_sandbox, eboekhouden_sandbox_administration, poison
):
    check_poison(
        organization, admin_client, eboekhouden_sandbox, eboekhouden_sandbox_administration, poison, Transport.SOAP
    )
