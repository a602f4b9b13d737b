"""The open-item ledger rebuilt from imported books against the sandbox's own history: what was open on any day
(invoices dated up to it less the payments dated up to it that name them), today's items against the source's list,
and both kept right when payments are edited, back-dated or deleted at the source between syncs."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from dashboards.behaviour import Rating, behaviour_of
from dashboards.selectors.outstanding import outstanding_aging, outstanding_by_relation
from dashboards.selectors.payments import PAYMENT_CHART_INVOICES, months_before, relation_payment_chart
from dashboards.selectors.scope import OutstandingScope
from ledger.models import (
    OpenItemMonthEnd,
    OutstandingItem,
    OutstandingSide,
    Reconciliation,
    ReconciliationCheck,
    RelationPaymentHabit,
)
from ledger.open_items import open_item_ledger_agreement
from monitr.accounts.tokens import api_token_create
from tests.connections import RECENTLY, connect, sync
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)

SIDES = {2: "D", 1: "C"}  # invoice types
PAYMENTS = {3: "D", 4: "C"}
SIDE = {"D": OutstandingSide.RECEIVABLE, "C": OutstandingSide.PAYABLE}


def source_history(sandbox, guid: str) -> dict[str, list[tuple[dt.date, Decimal, list[tuple[dt.date, Decimal]]]]]:
    """Per side, every invoice of the sandbox's own books: (date, total, [(payment date, amount)]), matched as the
    sandbox matches them: side, relation and invoice number. Read from its control API, not from Monitr."""
    invoices: dict[tuple[str, int, str], tuple[dt.date, Decimal]] = {}
    paid: dict[tuple[str, int, str], list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for mutation in sandbox.truth(guid):
        day = dt.date.fromisoformat(mutation["date"])
        side = SIDES.get(mutation["type"])
        if side and mutation.get("invoiceNumber") and mutation.get("relationId") is not None:
            # The header line is the debtors' (debit) or creditors' (credit) side of the invoice: its total.
            header = sum(Decimal(str(line["amount"])) for line in mutation["lines"] if line["kind"] == "header")
            invoices[(side, mutation["relationId"], mutation["invoiceNumber"])] = (
                day,
                header if side == "D" else -header,
            )
        side = PAYMENTS.get(mutation["type"])
        if side:
            for row in mutation["rows"]:
                if row.get("invoiceNumber"):
                    relation = row.get("relationId", mutation.get("relationId")) or 0
                    paid[(side, relation, row["invoiceNumber"])].append((day, Decimal(str(row["amount"]))))
    history: dict[str, list] = {"D": [], "C": []}
    for key, (day, total) in invoices.items():
        history[key[0]].append((day, total, paid.get(key, [])))
    return history


def open_on(history, day: dt.date) -> Decimal:
    return sum(
        (
            total - sum((amount for paid_on, amount in payments if paid_on <= day), Decimal("0.00"))
            for invoiced_on, total, payments in history
            if invoiced_on <= day
        ),
        Decimal("0.00"),
    )


def assert_history_agrees(connection, sandbox, guid: str, days: list[dt.date]) -> None:
    history = source_history(sandbox, guid)
    organization = connection.administration.organization
    for cred_deb, side in SIDE.items():
        for day in days:
            scope = OutstandingScope(
                organization=organization,
                side=side,
                as_of=day,
                today=dt.date(2099, 1, 1),  # every day is a past one: read from the ledger
                administration=connection.administration,
            )
            assert outstanding_aging(scope=scope).total == open_on(history[cred_deb], day), (side, day)


def days_of(first: dt.date, last: dt.date, every: int) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range(0, (last - first).days + 1, every)]


@pytest.mark.parametrize("seed", ["open-items/1", "open-items/2", "open-items/3"])
def test_open_items_as_of_any_day_are_the_source_history_on_books_imported_once(
    organization, sandbox_settings, eboekhouden_sandbox, seed
):
    info = eboekhouden_sandbox.add_administration(mutations=300, seed=seed)
    try:
        connection = connect(organization, info)
        sync(connection)
        first = min(dt.date.fromisoformat(m["date"]) for m in eboekhouden_sandbox.truth(info.guid))
        assert_history_agrees(connection, eboekhouden_sandbox, info.guid, days_of(first, dt.date(2026, 1, 31), every=9))

        # The month ends the history and DSO read: each is the source's history of that day, from the first month on.
        history = source_history(eboekhouden_sandbox, info.guid)
        ends = OpenItemMonthEnd.objects.filter(administration=connection.administration)
        assert ends.filter(side="receivable").count() == ends.filter(side="payable").count() >= 36
        for side, month_end, total in ends.values_list("side", "month_end", "total"):
            assert total == open_on(history["D" if side == "receivable" else "C"], month_end), (side, month_end)

        agreement = open_item_ledger_agreement(administration=connection.administration)
        assert agreement.differences == []
        for side, (source, ledger) in agreement.totals.items():
            assert source == ledger, side
        checks = Reconciliation.objects.filter(
            administration=connection.administration, kind=ReconciliationCheck.OPEN_ITEM_LEDGER
        )
        assert sorted(checks.values_list("subject", "difference")) == [
            ("payable", Decimal("0.00")),
            ("receivable", Decimal("0.00")),
        ]
    finally:
        eboekhouden_sandbox.remove_administration(info.guid)


def test_payments_edited_back_dated_or_deleted_at_the_source_move_the_history_with_them(
    sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    sandbox, guid = eboekhouden_sandbox, eboekhouden_sandbox_administration.guid
    sync(sandbox_connection)
    payments = [
        m for m in sandbox.truth(guid) if m["type"] in PAYMENTS and any(r.get("invoiceNumber") for r in m["rows"])
    ]
    # Moved back within the books (a payment moved before the books' first day is not something a sync reads).
    deleted, moved = payments[0], next(m for m in payments if m["date"] >= "2024-06-01")
    sandbox.delete_mutation(guid, deleted["id"])
    earlier = dt.date.fromisoformat(moved["date"]) - dt.timedelta(days=40)
    sandbox.edit_mutation(guid, moved["id"], {"date": earlier.isoformat()})
    open_invoice = sandbox.outstanding(guid, "D")[0]
    paid_on = dt.date(2024, 6, 3)  # long before the look-back window: found by the balance check
    sandbox.pay_invoice(guid, open_invoice["invoiceNumber"], cred_deb="D", amount="10.00", on=paid_on)

    sync(sandbox_connection)
    first = min(dt.date.fromisoformat(m["date"]) for m in sandbox.truth(guid))
    days = sorted(
        {*days_of(first, dt.date(2026, 1, 31), every=13), earlier, paid_on, dt.date.fromisoformat(deleted["date"])}
    )
    assert_history_agrees(sandbox_connection, sandbox, guid, days)
    assert open_item_ledger_agreement(administration=sandbox_connection.administration).differences == []


def test_a_payment_that_names_the_invoice_spelled_otherwise_is_listed_with_its_reason(
    sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration, member_client
):
    sandbox, guid = eboekhouden_sandbox, eboekhouden_sandbox_administration.guid
    invoice = sandbox.outstanding(guid, "D")[0]
    model = next(m for m in sandbox.truth(guid) if m["type"] == 3)
    misspelled = invoice["invoiceNumber"].lower().replace("-", " ")
    sandbox.add_mutation(
        guid,
        {
            "type": 3,
            "date": "2025-12-20",
            "ledgerId": model["ledgerId"],
            "relationId": invoice["relationId"],
            "invoiceNumber": misspelled,
            "inExVat": "IN",
            "rows": [
                {
                    "ledgerId": model["rows"][0]["ledgerId"],
                    "amount": "25.00",
                    "vatCode": "GEEN",
                    "invoiceNumber": misspelled,
                    "relationId": invoice["relationId"],
                }
            ],
        },
    )
    sync(sandbox_connection)

    differences = open_item_ledger_agreement(administration=sandbox_connection.administration).differences
    assert [(d.side, d.expected, d.actual) for d in differences] == [
        (OutstandingSide.RECEIVABLE, Decimal("0.00"), Decimal("-25.00"))
    ]
    assert f"names invoice {misspelled}, which the books spell {invoice['invoiceNumber']}" in differences[0].reason
    stored = Reconciliation.objects.get(
        administration=sandbox_connection.administration,
        kind=ReconciliationCheck.OPEN_ITEM_LEDGER,
        subject__startswith="receivable:",
    )
    assert stored.reason == differences[0].reason and stored.difference == Decimal("-25.00")

    for language, words in (("en", "which the books spell"), ("nl", "die de boeken schrijven als")):
        page = member_client.get(reverse("dashboards:data_checks"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert 'data-check="open-item-ledger">1<' in page
        assert page.count("data-open-item-difference") == 1 and misspelled in page and words in page, language


def test_the_first_day_shows_the_change_since_30_days_ago_and_24_month_ends_with_dso_by_countback(
    sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration, member_client
):
    sandbox, guid = eboekhouden_sandbox, eboekhouden_sandbox_administration.guid
    sync(sandbox_connection)  # books imported once: one snapshot, today's
    today = dt.date.today()
    history = source_history(sandbox, guid)

    page = member_client.get(reverse("dashboards:outstanding"), {"side": "receivable"})
    context = page.context
    assert context["comparison"].available
    assert context["comparison"].total == open_on(history["D"], today - dt.timedelta(days=30))
    points = context["chart"]["history"]
    assert points["monthly"] and len(points["dates"]) == 25  # 24 month ends, and today
    assert [Decimal(total) for total in points["total"][:-1]] == [
        open_on(history["D"], dt.date.fromisoformat(day)) for day in points["dates"][:-1]
    ]
    assert any(days is not None for days in points["days"])
    assert "month ends from the books, last 24 months" in page.content.decode()


def test_the_read_api_answers_the_aging_of_any_day_from_the_first_booking_on_books_imported_once(
    sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration, member_user, organization
):
    sandbox, guid = eboekhouden_sandbox, eboekhouden_sandbox_administration.guid
    sync(sandbox_connection)
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=member_user, organization=organization, name='t').secret}"
    )
    history = source_history(sandbox, guid)
    first = min(dt.date.fromisoformat(m["date"]) for m in sandbox.truth(guid))
    for cred_deb, side in SIDE.items():
        for day in days_of(first, dt.date(2025, 12, 31), every=47):
            answer = client.get("/api/v1/outstanding-items/aging/", {"as_of": day.isoformat(), "side": str(side)})
            assert answer.status_code == 200, answer.content
            assert Decimal(answer.json()["total"]) == open_on(history[cred_deb], day), (side, day)


HABIT_RATINGS = {"early": Rating.EARLY, "on_time": Rating.ON_TIME, "late": Rating.LATE, "never": Rating.NEVER}


@pytest.mark.parametrize("seed", ["habits/1", "habits/2"])
def test_payment_behaviour_finds_the_habits_planted_in_the_sandbox(
    organization, sandbox_settings, eboekhouden_sandbox, member_client, member_user, seed
):
    info = eboekhouden_sandbox.add_administration(mutations=1500, seed=seed)
    try:
        connection = connect(organization, info)
        with time_machine.travel(RECENTLY):  # a few days after the books' last day, as a nightly sync would run
            sync(connection)
        habits = {h["relationId"]: h for h in eboekhouden_sandbox.payment_habits(info.guid)}
        found = {
            int(h.relation.external_id): h
            for h in RelationPaymentHabit.objects.filter(administration=connection.administration).select_related(
                "relation"
            )
        }
        checked = set()
        for relation_id, planted in habits.items():
            habit = found.get(relation_id)
            if planted["habit"] not in HABIT_RATINGS or habit is None:
                continue
            if planted["habit"] != "never" and habit.invoices_paid < 3:
                continue
            behaviour = behaviour_of(habit)
            assert behaviour.rating == HABIT_RATINGS[planted["habit"]], (planted, habit.__dict__)
            if planted["habit"] == "late":  # always 20 to 40 days after the due date
                assert Decimal(20) <= habit.days_late_weighted <= Decimal(40), habit.days_late_weighted
                assert habit.paid_on_time == 0 and "after the due date" in behaviour.reason
            if planted["habit"] == "early":
                assert Decimal(-10) <= habit.days_late_weighted <= Decimal(-1)
            checked.add(planted["habit"])
        assert {"late", "early", "on_time"} <= checked, checked

        # The relation's invoices page says it, in the reader's language; so does its row in the relation table.
        late = next(h for h in found.values() if behaviour_of(h).rating == Rating.LATE and h.side == "receivable")
        query = {"side": "receivable", "administration": connection.administration.pk, "relation": late.relation.pk}
        with time_machine.travel(RECENTLY):
            for language, words in (("en", "Pays late"), ("nl", "Betaalt laat")):
                page = member_client.get(reverse("dashboards:outstanding_items"), query, HTTP_ACCEPT_LANGUAGE=language)
                assert page.status_code == 200
                html = page.content.decode()
                assert 'data-behaviour="late"' in html and words in html, language
            table = member_client.get(reverse("dashboards:outstanding"), {"side": "receivable"}).content.decode()
            exported = b"".join(
                member_client.get(
                    reverse("dashboards:outstanding_export", args=["relations", "csv"]), {"side": "receivable"}
                ).streaming_content
            ).decode("utf-8-sig")
        shown = {h.relation.name for h in found.values() if h.side == "receivable"} & set(
            OutstandingItem.objects.filter(administration=connection.administration, side="receivable").values_list(
                "relation__name", flat=True
            )
        )
        assert table.count("data-behaviour=") == len(shown) > 0
        header, *lines = exported.splitlines()
        assert "Payment behaviour" in header and "Days late, by amount" in header
        labels = {behaviour_of(h).label for h in found.values() if h.side == "receivable"}
        assert sum(any(label in line for label in labels) for line in lines) == len(shown)

        # The read API lists the same, in English, and only the organisation's own.
        client = APIClient()
        token = api_token_create(user=member_user, organization=organization, name="t").secret
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        answer = client.get(
            "/api/v1/outstanding-items/payment-behaviour/", {"side": "receivable"}, HTTP_ACCEPT_LANGUAGE="nl"
        )
        assert answer.status_code == 200, answer.content
        listed = {row["relation"]["id"]: row for row in answer.json()["results"]}
        assert set(listed) == {h.relation_id for h in found.values() if h.side == "receivable"}
        assert listed[late.relation_id]["rating"] == "late"
        assert Decimal(listed[late.relation_id]["days_late_weighted"]) == late.days_late_weighted
        assert "after the due date" in listed[late.relation_id]["reason"]
        other = APIClient()
        stranger = OrganizationFactory(name="Other BV")
        other_token = api_token_create(
            user=MembershipFactory(organization=stranger, role="member").user, organization=stranger, name="t"
        ).secret
        other.credentials(HTTP_AUTHORIZATION=f"Bearer {other_token}")
        assert other.get("/api/v1/outstanding-items/payment-behaviour/").json()["results"] == []
    finally:
        eboekhouden_sandbox.remove_administration(info.guid)


def invoices_of(
    sandbox, guid: str, relation_id: int
) -> dict[str, tuple[dt.date, Decimal, list[tuple[dt.date, Decimal]]]]:
    """A customer's sales invoices in the sandbox's own books (not its credit notes): {number: (date, total,
    [(payment date, amount)])}."""
    invoices: dict[str, tuple[dt.date, Decimal]] = {}
    paid: dict[str, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for mutation in sandbox.truth(guid):
        day = dt.date.fromisoformat(mutation["date"])
        if mutation["type"] == 2 and mutation.get("relationId") == relation_id and mutation.get("invoiceNumber"):
            header = sum(Decimal(str(line["amount"])) for line in mutation["lines"] if line["kind"] == "header")
            invoices[mutation["invoiceNumber"]] = (day, header)
        if mutation["type"] == 3:
            for row in mutation["rows"]:
                if row.get("invoiceNumber") and row.get("relationId", mutation.get("relationId")) == relation_id:
                    paid[row["invoiceNumber"]].append((day, Decimal(str(row["amount"]))))
    return {number: (day, total, paid.get(number, [])) for number, (day, total) in invoices.items() if total > 0}


def test_the_relation_table_sorts_by_the_planted_habits_and_a_late_payers_chart_shows_its_days(
    organization, sandbox_settings, eboekhouden_sandbox, member_client
):
    info = eboekhouden_sandbox.add_administration(mutations=1500, seed="habits/1")
    try:
        connection = connect(organization, info)
        with time_machine.travel(RECENTLY):
            sync(connection)
        planted = {h["relationId"]: h["habit"] for h in eboekhouden_sandbox.payment_habits(info.guid)}
        habits = {
            h.relation_id: h
            for h in RelationPaymentHabit.objects.filter(
                administration=connection.administration, side=OutstandingSide.RECEIVABLE
            ).select_related("relation")
        }
        today = RECENTLY.date()
        scope = OutstandingScope(
            organization=organization,
            side=OutstandingSide.RECEIVABLE,
            as_of=today,
            today=today,
            administration=connection.administration,
        )

        # The table's order is each row's rating by behaviour_of: days late by amount, "does not pay" the latest,
        # too little history (or no habit) last, whichever way round.
        def lateness(row) -> tuple[int, Decimal]:
            habit = habits.get(row["relation_id"])
            rating = behaviour_of(habit).rating if habit else Rating.UNKNOWN
            if rating == Rating.UNKNOWN:
                return (1, Decimal(0))
            return (0, Decimal("Infinity") if rating == Rating.NEVER else habit.days_late_weighted)

        earliest = [lateness(row) for row in outstanding_by_relation(scope=scope, sort="behaviour")]
        latest_rows = list(outstanding_by_relation(scope=scope, sort="-behaviour"))
        latest = [lateness(row) for row in latest_rows]
        rated = [key for key in latest if key[0] == 0]
        assert earliest == sorted(earliest) and len(set(earliest)) >= 4, earliest
        assert rated == sorted(rated, reverse=True) and latest[len(rated) :] == [(1, Decimal(0))] * (
            len(latest) - len(rated)
        )
        with time_machine.travel(RECENTLY):
            exported = b"".join(
                member_client.get(
                    reverse("dashboards:outstanding_export", args=["relations", "csv"]),
                    {"side": "receivable", "sort": "-behaviour"},
                ).streaming_content
            ).decode("utf-8-sig")
        assert [line.split(",")[2].strip('"') for line in exported.splitlines()[1:]] == [
            row["relation_name"] or "(no relation)" for row in latest_rows
        ]

        # A customer who always pays 20 to 40 days late: every invoice it paid is a point between 20 and 40.
        late = max(
            (h for h in habits.values() if planted[int(h.relation.external_id)] == "late"),
            key=lambda h: h.invoices_paid,
        )
        chart = relation_payment_chart(scope=scope, relation=late.relation)
        assert len(chart.paid) >= 3, chart
        assert all(Decimal(20) <= point.days <= Decimal(40) for point in chart.paid), chart.paid
        assert all(point.days < Decimal(40) for point in chart.open), chart.open  # paid by day 40 at the latest

        # As of a day back, by the sandbox's own books: the invoices dated in the 24 months up to it (the latest
        # 60), open those not paid in full by then.
        past = today - dt.timedelta(days=200)
        truth = invoices_of(eboekhouden_sandbox, info.guid, int(late.relation.external_id))
        dated = sorted(
            (day, number) for number, (day, _total, _paid) in truth.items() if months_before(past, 24) < day <= past
        )[-PAYMENT_CHART_INVOICES:]
        still_open = {
            number
            for _day, number in dated
            if sum((amount for day, amount in truth[number][2] if day <= past), Decimal(0)) < truth[number][1]
        }
        then = relation_payment_chart(
            scope=OutstandingScope(
                organization=organization,
                side=OutstandingSide.RECEIVABLE,
                as_of=past,
                today=today,
                administration=connection.administration,
            ),
            relation=late.relation,
        )
        assert sorted(p.invoice_number for p in then.points) == sorted(number for _day, number in dated)
        assert {p.invoice_number for p in then.open} == still_open and then.paid
        assert all(Decimal(20) <= point.days <= Decimal(40) for point in then.paid), then.paid

        # The page shows the same points, as of that day too.
        query = {
            "administration": connection.administration.pk,
            "relation": late.relation.pk,
            "as_of": past.isoformat(),
        }
        with time_machine.travel(RECENTLY):
            html = member_client.get(reverse("dashboards:outstanding_items"), query).content.decode()
        shown = json.loads(
            html.split('<script id="payment-chart-data" type="application/json">')[1].split("</script>")[0]
        )
        assert shown == then.data()
    finally:
        eboekhouden_sandbox.remove_administration(info.guid)
