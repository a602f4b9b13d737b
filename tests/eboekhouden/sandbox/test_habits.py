"""The sandbox's relations pay by lasting habits, and the control API tells which: a relation that is always 20 to 40
days late is late on every invoice it pays in full, one that never pays leaves every invoice open."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pytest
import requests

from eboekhouden.sandbox.generator import DataSpec, MutationStream, generate_administrations
from eboekhouden.sandbox.habits import DAYS_AFTER_DUE, WEIGHTS, Habit, habits_of

END = date(2025, 12, 31)
INVOICES = {2: "D", 1: "C"}  # invoice sent, invoice received
PAYMENTS = {3: "D", 4: "C"}  # their payments
# A payment is booked with the first mutation on or after its planned day, four invoices to a mutation at most.
BOOKING_SLACK = 6


@dataclass
class Invoice:
    relation: int
    day: date
    due: date
    total: Decimal
    paid: list[tuple[date, Decimal]] = field(default_factory=list)


def invoices_and_payments(seed: int, mutations: int):
    admin = generate_administrations(DataSpec(seed, 1, mutations, 3, END))[0]
    invoices: dict[tuple[str, str], Invoice] = {}
    for mutation in MutationStream(admin, mutations):
        if mutation.type in INVOICES:
            total = sum(
                (row.amount + row.vat_amount if mutation.in_ex_vat == "EX" else row.amount) for row in mutation.rows
            )
            due = mutation.date + timedelta(days=mutation.term_of_payment)
            invoices[INVOICES[mutation.type], mutation.invoice_number] = Invoice(
                mutation.relation_id, mutation.date, due, total
            )
        elif mutation.type in PAYMENTS:
            for row in mutation.rows:
                invoices[PAYMENTS[mutation.type], row.invoice_number].paid.append((mutation.date, row.amount))
    habits = {relation.id: Habit(relation.payment_habit) for relation in admin.relations}
    return admin, invoices, habits


@pytest.fixture(scope="module")
def books():
    return invoices_and_payments(seed=7, mutations=6000)


def test_each_side_has_every_habit_and_those_that_never_pay_come_last():
    ids = list(range(100, 140))

    habits = habits_of("seed", ids)

    assert set(habits.values()) == set(WEIGHTS)
    order = [habits[i] for i in ids]
    assert order[-1] == Habit.NEVER and Habit.NEVER not in order[: order.index(Habit.NEVER)]
    assert habits_of("seed", ids) == habits  # the same seed, the same habits
    assert habits_of("other", ids) != habits


@pytest.mark.parametrize("habit", [Habit.EARLY, Habit.ON_TIME, Habit.LATE])
def test_a_whole_invoice_is_paid_within_its_relations_days_after_the_due_date(books, habit):
    _admin, invoices, habits = books
    low, high = DAYS_AFTER_DUE[habit]
    checked = 0
    for invoice in invoices.values():
        if habits[invoice.relation] != habit or invoice.total <= 0 or len(invoice.paid) != 1:
            continue
        day, amount = invoice.paid[0]
        assert amount == invoice.total
        late = (day - invoice.due).days
        earliest = max(low, (invoice.day - invoice.due).days + 1)  # never before the day after the invoice
        assert earliest <= late <= high + BOOKING_SLACK, (habit, invoice)
        checked += 1
    assert checked >= 10, habit


def test_a_relation_that_never_pays_leaves_every_invoice_open(books):
    _admin, invoices, habits = books
    theirs = [i for i in invoices.values() if habits[i.relation] == Habit.NEVER and i.total > 0]

    assert theirs and all(not i.paid for i in theirs)


def test_a_relation_that_pays_in_parts_pays_each_invoice_whole_in_two_or_three(books):
    _admin, invoices, habits = books
    paid = [i for i in invoices.values() if habits[i.relation] == Habit.IN_PARTS and i.total >= 2 and i.paid]

    assert paid
    for invoice in paid:
        assert len(invoice.paid) in (1, 2, 3)  # the last parts may fall after the books' end
        assert sum(amount for _, amount in invoice.paid) <= invoice.total
    assert any(len(i.paid) > 1 for i in paid)


def test_the_control_api_lists_each_relations_habit(eboekhouden_sandbox):
    admin = eboekhouden_sandbox.administrations[0]
    url = f"{eboekhouden_sandbox.control_url}/administrations/{admin.guid}/payment-habits"

    listed = requests.get(url, timeout=10).json()

    assert listed == eboekhouden_sandbox.payment_habits(admin.guid)
    by_side = defaultdict(set)
    for relation in listed:
        by_side[relation["credDeb"]].add(relation["habit"])
        expected = DAYS_AFTER_DUE.get(Habit(relation["habit"]))
        assert relation["daysAfterDue"] == (list(expected) if expected else None)
    assert by_side == {"D": {str(h) for h in WEIGHTS}, "C": {str(h) for h in WEIGHTS}}
