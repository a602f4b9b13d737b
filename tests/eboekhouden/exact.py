""" "Exact": the imported books of a connection against the sandbox's truth, with nothing duplicated or lost.

Shared by the sync tests and the reliability suites (tests/reliability/).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Count, Sum

from eboekhouden.provider import Transport
from integrations.models import Connection
from ledger.models import Account, OutstandingItem, Transaction, TransactionLine
from ledger.open_items import open_item_ledger_agreement


def truth_key(mutation: dict) -> str:
    """The external id Monitr gives the transaction of a sandbox mutation (the opening balance is one)."""
    return f"opening-{mutation['date']}" if mutation["id"] == 0 else str(mutation["id"])


def truth_lines(sandbox, guid) -> dict[str, dict[str, Decimal]]:
    """{transaction external id: {ledger id: signed amount}} from the sandbox's own journal."""
    expected: dict[str, dict[str, Decimal]] = {}
    for mutation in sandbox.truth(guid):
        per_ledger: dict[str, Decimal] = defaultdict(Decimal)
        for line in mutation["lines"]:
            per_ledger[str(line["ledgerId"])] += Decimal(str(line["amount"]))
        nonzero = {ledger: amount for ledger, amount in per_ledger.items() if amount}
        # A mutation whose lines cancel out per ledger (a journal entry between two rows on the same ledger) adds
        # nothing per ledger; imported_lines leaves such a transaction out too.
        if nonzero:
            expected[truth_key(mutation)] = nonzero
    return expected


def imported_lines(connection: Connection) -> dict[str, dict[str, Decimal]]:
    found: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    rows = (
        TransactionLine.objects.filter(administration=connection.administration)
        .values_list("transaction__external_id", "account__external_id")
        .annotate(total=Sum("amount"))
    )
    for external_id, ledger, total in rows:
        if total:
            found[external_id][ledger] += total
    return {key: dict(value) for key, value in found.items()}


def outstanding_truth(sandbox, guid: str, cred_deb: str, *, with_mutation_id: bool = True) -> Counter:
    return Counter(
        (
            str(i["mutationId"]) if with_mutation_id else "",
            i["invoiceNumber"],
            Decimal(str(i["outstandingAmount"])),
            Decimal(str(i["totalAmount"])),
        )
        for i in sandbox.outstanding(guid, cred_deb)
    )


def assert_exact(connection: Connection, sandbox, guid: str) -> None:
    """The imported lines per transaction and ledger, and the open items, equal the sandbox's truth."""
    assert imported_lines(connection) == truth_lines(sandbox, guid)
    # SOAP's GetOpenPosten names an item by its invoice number only; REST also gives the invoice's mutation id.
    with_mutation_id = connection.transport == Transport.REST
    for side, cred_deb in (("receivable", "D"), ("payable", "C")):
        stored = Counter(
            OutstandingItem.objects.filter(administration=connection.administration, side=side).values_list(
                "source_external_id", "invoice_number", "outstanding", "total"
            )
        )
        expected = outstanding_truth(sandbox, guid, cred_deb, with_mutation_id=with_mutation_id)
        assert stored == expected, (side, stored - expected, expected - stored)
    # The open-item ledger, rebuilt from the imported books, leaves open today what the source lists, item by item;
    # but for payments of invoices since deleted at the source, which its list drops and the ledger keeps as the
    # relation's credit (and says so).
    differences = open_item_ledger_agreement(administration=connection.administration).differences
    found = {(str(d.side), d.subject.partition(":")[2]): (d.expected, d.actual) for d in differences}
    assert found == orphaned_payments(sandbox, guid), differences


def orphaned_payments(sandbox, guid: str) -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
    """{(side, invoice number): (0, minus what was paid)} of the payments that name an invoice the books do not hold,
    read from the sandbox's truth."""
    invoices, paid = set(), defaultdict(Decimal)
    for mutation in sandbox.truth(guid):
        side = {2: "receivable", 1: "payable"}.get(mutation["type"])
        if side and mutation.get("invoiceNumber"):
            invoices.add((side, mutation.get("relationId") or 0, mutation["invoiceNumber"]))
        side = {3: "receivable", 4: "payable"}.get(mutation["type"])
        for row in mutation["rows"] if side else ():
            if row.get("invoiceNumber"):
                relation = row.get("relationId", mutation.get("relationId")) or 0
                paid[(side, relation, row["invoiceNumber"])] += Decimal(str(row["amount"]))
    return {
        (side, number): (Decimal("0.00"), -amount)
        for (side, relation, number), amount in paid.items()
        if amount and (side, relation, number) not in invoices
    }


def assert_nothing_duplicated_or_lost(connection: Connection, sandbox, guid: str) -> None:
    """One transaction per source mutation (no more, no fewer), balanced, with no line written twice; one account
    per ledger of the chart."""
    administration = connection.administration
    expected = Counter(truth_key(m) for m in sandbox.truth(guid))
    stored = Counter(Transaction.objects.filter(administration=administration).values_list("external_id", flat=True))
    assert stored == expected
    assert not Transaction.objects.filter(administration=administration).exclude(imbalance=0).exists()
    doubled = (
        TransactionLine.objects.filter(administration=administration)
        .values("transaction_id", "line_number")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not doubled.exists()
    ledgers = Counter(str(b["ledgerId"]) for b in sandbox.balances(guid, None, None))
    accounts = Counter(Account.objects.filter(administration=administration).values_list("external_id", flat=True))
    assert accounts == ledgers


def assert_every_stored_transaction_whole(connection: Connection, sandbox, guid: str) -> None:
    """After a run that stopped part-way: whatever it stored is whole (each transaction with all its lines, as the
    source has it now or had it when read), and nothing twice."""
    truth = truth_lines(sandbox, guid)
    imported = imported_lines(connection)
    assert set(imported) <= set(truth), set(imported) - set(truth)
    assert {key: lines for key, lines in imported.items() if lines != truth[key]} == {}
    administration = connection.administration
    assert not Transaction.objects.filter(administration=administration).exclude(imbalance=0).exists()


def assert_exact_and_whole(connection: Connection, sandbox, guid: str) -> None:
    assert_exact(connection, sandbox, guid)
    assert_nothing_duplicated_or_lost(connection, sandbox, guid)
