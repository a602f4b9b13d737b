"""The Outstanding Items figures after a real import equal figures computed independently from the sandbox's truth:
buckets, totals, per-relation rows, DSO and the view as of an earlier day."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
import time_machine

from dashboards.selectors.figures import outstanding_turnover
from dashboards.selectors.outstanding import outstanding_aging, outstanding_by_relation
from dashboards.selectors.scope import OutstandingScope, reads_ledger
from eboekhouden.client.dto import ApiTokenCredentials
from eboekhouden.client.gateway import open_gateway
from integrations.sync.engine import sync_run_execute
from ledger.models import OpenItemPeriod, OutstandingSide, OutstandingSnapshot
from ledger.open_items import open_items_on

pytestmark = pytest.mark.django_db(transaction=True)

DAY_ONE = dt.datetime(2026, 1, 12, 9, 0, tzinfo=dt.UTC)
DAY_TWO = dt.datetime(2026, 1, 13, 9, 0, tzinfo=dt.UTC)
DEFAULT_TERM = 30  # the organisation's default payment term


def truth_items(sandbox, info) -> list[dict]:
    """The sandbox's open debtor items with the due date worked out from its own data: the invoice's term, else
    the relation's, else the organisation's default."""
    with open_gateway(ApiTokenCredentials(info.api_token), base_url=sandbox.rest_url) as gateway:
        relation_terms = {r.id: r.term_of_payment for r in gateway.relations()}
    items = []
    for item in sandbox.outstanding(info.guid, "D"):
        invoice = sandbox.truth_mutation(info.guid, item["mutationId"])
        term = invoice.get("termOfPayment") or relation_terms.get(item["relationId"]) or DEFAULT_TERM
        invoiced = dt.date.fromisoformat(item["date"])
        items.append(
            {
                "relation": str(item["relationId"]),
                "amount": Decimal(str(item["outstandingAmount"])),
                "due": invoiced + dt.timedelta(days=term),
            }
        )
    return items


def expected_buckets(items: list[dict], today: dt.date) -> dict[str, Decimal]:
    """The open invoices by age; a credit (a negative item) is in no bucket."""
    buckets = dict.fromkeys(("not_due", "1_30", "31_60", "61_90", "over_90"), Decimal("0.00"))
    for item in (i for i in items if i["amount"] >= 0):
        age = (today - item["due"]).days
        key = (
            "not_due"
            if age <= 0
            else "1_30"
            if age <= 30
            else "31_60"
            if age <= 60
            else "61_90"
            if age <= 90
            else "over_90"
        )
        buckets[key] += item["amount"]
    return buckets


def scope(connection, today: dt.date, as_of: dt.date | None = None) -> OutstandingScope:
    return OutstandingScope(
        organization=connection.administration.organization,
        side=OutstandingSide.RECEIVABLE,
        as_of=as_of or today,
        today=today,
        administration=connection.administration,
    )


def test_the_aging_and_relations_equal_the_sandbox_truth(
    sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    info = eboekhouden_sandbox_administration
    with time_machine.travel(DAY_ONE):
        sync_run_execute(connection_id=sandbox_connection.pk, trigger="manual")
    items = truth_items(eboekhouden_sandbox, info)
    today = DAY_ONE.date()

    aging = outstanding_aging(scope=scope(sandbox_connection, today))

    assert aging.total == sum(i["amount"] for i in items)
    assert aging.count == len(items)
    assert {b.bucket.key: b.amount for b in aging.buckets} == expected_buckets(items, today)
    assert aging.credit == sum((i["amount"] for i in items if i["amount"] < 0), Decimal("0.00"))
    per_relation = defaultdict(Decimal)
    for item in items:
        per_relation[item["relation"]] += item["amount"]
    rows = outstanding_by_relation(scope=scope(sandbox_connection, today))
    from ledger.models import Relation

    names = dict(Relation.objects.values_list("pk", "external_id"))
    assert {names[r["relation_id"]]: r["total"] for r in rows} == dict(per_relation)


def test_dso_uses_the_sales_invoiced_in_the_last_90_days(
    sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    info = eboekhouden_sandbox_administration
    with time_machine.travel(DAY_ONE):
        sync_run_execute(connection_id=sandbox_connection.pk, trigger="manual")
    today = DAY_ONE.date()
    window_start = today - dt.timedelta(days=89)
    invoiced = Decimal("0.00")
    for mutation in eboekhouden_sandbox.truth(info.guid, window_start, today):
        if mutation["type"] == 2:
            invoiced += sum(Decimal(str(line["amount"])) for line in mutation["lines"] if line["kind"] == "header")
    open_amount = sum(i["amount"] for i in truth_items(eboekhouden_sandbox, info))

    turnover = outstanding_turnover(scope=scope(sandbox_connection, today), open_amount=open_amount)

    assert turnover.invoiced == invoiced
    assert turnover.days == (open_amount / invoiced * 90).quantize(Decimal("0.1"))


def test_an_earlier_day_shows_the_items_as_they_stood_then(
    sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    info = eboekhouden_sandbox_administration
    with time_machine.travel(DAY_ONE):
        sync_run_execute(connection_id=sandbox_connection.pk, trigger="manual")
        day_one = truth_items(eboekhouden_sandbox, info)
    paid = eboekhouden_sandbox.outstanding(info.guid, "D")[0]
    eboekhouden_sandbox.pay_invoice(info.guid, paid["invoiceNumber"], cred_deb="D", on=DAY_TWO.date())
    with time_machine.travel(DAY_TWO):
        sync_run_execute(connection_id=sandbox_connection.pk, trigger="manual")
        day_two = truth_items(eboekhouden_sandbox, info)

    then = outstanding_aging(scope=scope(sandbox_connection, DAY_TWO.date(), as_of=DAY_ONE.date()))
    now = outstanding_aging(scope=scope(sandbox_connection, DAY_TWO.date()))

    assert then.total == sum(i["amount"] for i in day_one)
    assert {b.bucket.key: b.amount for b in then.buckets} == expected_buckets(day_one, DAY_ONE.date())
    assert now.total == sum(i["amount"] for i in day_two)
    assert now.total == then.total - Decimal(str(paid["outstandingAmount"]))


def test_a_past_day_from_the_books_agrees_with_that_day_s_snapshot_unless_the_books_changed_it_since(
    sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    """The snapshot keeps what the source said on the day; the open-item ledger what the books now say of it. They
    agree item by item, until a payment is booked back-dated to that day: then the ledger counts it, the snapshot
    does not."""
    info = eboekhouden_sandbox_administration
    with time_machine.travel(DAY_ONE):
        sync_run_execute(connection_id=sandbox_connection.pk, trigger="manual")
    with time_machine.travel(DAY_TWO):
        sync_run_execute(connection_id=sandbox_connection.pk, trigger="manual")
    day_one = scope(sandbox_connection, DAY_TWO.date(), as_of=DAY_ONE.date())

    def items(model) -> set[tuple[str, Decimal]]:
        rows = model.objects.filter(administration=sandbox_connection.administration, side="receivable")
        if model is OutstandingSnapshot:
            rows = rows.filter(as_of=DAY_ONE.date())
        else:
            rows = open_items_on(rows, DAY_ONE.date())
        return {(r.source_external_id, r.outstanding) for r in rows}

    assert reads_ledger(day_one)
    assert items(OpenItemPeriod) == items(OutstandingSnapshot) != set()

    paid = eboekhouden_sandbox.outstanding(info.guid, "D")[0]
    eboekhouden_sandbox.pay_invoice(info.guid, paid["invoiceNumber"], cred_deb="D", on=DAY_ONE.date())
    with time_machine.travel(DAY_TWO):
        sync_run_execute(connection_id=sandbox_connection.pk, trigger="manual")

    assert items(OpenItemPeriod) == items(OutstandingSnapshot) - {
        (str(paid["mutationId"]), Decimal(str(paid["outstandingAmount"])))
    }
