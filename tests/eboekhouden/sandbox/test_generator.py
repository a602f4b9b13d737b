"""Properties of the data generator: balanced entries, consistent indexes, outstanding items, determinism."""

from __future__ import annotations

import tracemalloc
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eboekhouden.sandbox.generator import DataSpec, MutationStream, account_layout, generate_administrations
from eboekhouden.sandbox.journal import lines_of
from eboekhouden.sandbox.store import Book

END = date(2025, 12, 31)
CENT = Decimal("0.01")
PROPERTY_SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def build(seed: int, mutations: int, years: int = 2) -> Book:
    admin = generate_administrations(DataSpec(seed, 1, mutations, years, END))[0]
    return Book(admin, MutationStream(admin, mutations))


@PROPERTY_SETTINGS
@given(seed=st.integers(0, 10**9), mutations=st.integers(20, 400))
def test_every_generated_mutation_is_a_balanced_entry_in_cents(seed: int, mutations: int) -> None:
    book = build(seed, mutations)
    for mutation in book:
        lines = book.lines(mutation)
        assert lines, mutation
        assert sum(line.amount for line in lines) == 0, mutation
        assert all(line.amount == line.amount.quantize(CENT) for line in lines)


@PROPERTY_SETTINGS
@given(
    seed=st.integers(0, 10**9),
    mutations=st.integers(20, 300),
    start_offset=st.integers(-30, 800),
    length=st.integers(0, 400),
)
def test_the_balance_per_ledger_and_period_is_the_sum_of_its_lines(
    seed: int, mutations: int, start_offset: int, length: int
) -> None:
    book = build(seed, mutations)
    start = book.admin.start_date + timedelta(days=start_offset)
    end = start + timedelta(days=length)
    expected: dict[int, Decimal] = defaultdict(Decimal)
    for mutation in book:
        if start <= mutation.date <= end:
            for line in book.lines(mutation):
                expected[line.ledger_id] += line.amount
    balances = book.balances(start, end)
    assert {k: v for k, v in balances.items() if v} == {k: v for k, v in expected.items() if v}


@PROPERTY_SETTINGS
@given(seed=st.integers(0, 10**9), mutations=st.integers(50, 400))
def test_outstanding_items_are_invoices_minus_their_payments(seed: int, mutations: int) -> None:
    book = build(seed, mutations)
    invoiced: dict[tuple[str, int, str], tuple[int, Decimal]] = {}
    paid: dict[tuple[str, int, str], Decimal] = defaultdict(Decimal)
    for mutation in book:
        if mutation.type in (1, 2):
            side = "D" if mutation.type == 2 else "C"
            total = sum(
                (row.amount + (row.vat_amount if mutation.in_ex_vat == "EX" else 0) for row in mutation.rows),
                Decimal(0),
            )
            invoiced[(side, mutation.relation_id, mutation.invoice_number)] = (mutation.id, total)
        if mutation.type in (3, 4):
            side = "D" if mutation.type == 3 else "C"
            for row in mutation.rows:
                paid[(side, mutation.relation_id, row.invoice_number)] += row.amount
    for side in ("D", "C"):
        expected = {
            mutation_id: total - paid[key]
            for key, (mutation_id, total) in invoiced.items()
            if key[0] == side and total != paid[key]
        }
        found = {item.mutation_id: item.outstanding for item in book.outstanding(side)}
        assert found == expected


@PROPERTY_SETTINGS
@given(seed=st.integers(0, 10**9), mutations=st.integers(50, 400))
def test_open_items_add_up_to_the_debtors_and_creditors_ledgers(seed: int, mutations: int) -> None:
    book = build(seed, mutations)
    for side, category, sign in (("D", "DEB", 1), ("C", "CRED", -1)):
        ledger = book.admin.ledger_by_category(category)
        open_total = sum((item.outstanding for item in book.outstanding(side)), Decimal(0))
        assert book.balance(ledger.id, None, None) == sign * open_total


@PROPERTY_SETTINGS
@given(seed=st.integers(0, 10**9), administrations=st.integers(1, 4))
def test_the_same_seed_gives_the_same_data(seed: int, administrations: int) -> None:
    spec = DataSpec(seed, administrations, 120, 2, END)
    first, second = generate_administrations(spec), generate_administrations(spec)
    assert first == second
    for a, b in zip(first, second, strict=True):
        assert list(MutationStream(a, 120)) == list(MutationStream(b, 120))


def test_a_different_seed_gives_different_data() -> None:
    first = generate_administrations(DataSpec(1, 1, 100, 2, END))[0]
    second = generate_administrations(DataSpec(2, 1, 100, 2, END))[0]
    assert first.guid != second.guid
    assert list(MutationStream(first, 100)) != list(MutationStream(second, 100))


def test_every_mutation_type_appears_with_credit_notes_partial_and_combined_payments() -> None:
    book = build(7, 2000, years=3)
    mutations = list(book)
    assert {m.type for m in mutations} == set(range(8))
    assert any(row.amount < 0 for m in mutations if m.type == 2 for row in m.rows), "credit notes"
    assert {m.in_ex_vat for m in mutations if m.type in (1, 2)} == {"IN", "EX"}
    assert any("," in m.invoice_number for m in mutations if m.type in (3, 4)), "payments of several invoices"
    invoices_paid = defaultdict(int)
    for m in mutations:
        if m.type == 3:
            for row in m.rows:
                invoices_paid[row.invoice_number] += 1
    assert max(invoices_paid.values()) >= 2, "partial payments"
    vat_codes = {row.vat_code for m in mutations for row in m.rows}
    assert {"HOOG_VERK_21", "LAAG_VERK_9", "BU_EU_VERK", "HOOG_INK_21", "LAAG_INK_9", "GEEN"} <= vat_codes
    assert any(row.cost_centre_id for m in mutations for row in m.rows), "cost centres on some rows"
    assert mutations[0].date == book.admin.start_date and mutations[-1].date <= END


def test_relations_are_businesses_and_persons_with_payment_terms() -> None:
    admin = generate_administrations(DataSpec(3, 1, 1000, 2, END))[0]
    assert {r.type for r in admin.relations} == {"B", "P"}
    assert {r.term_of_payment for r in admin.relations} >= {14, 30, 60, None}


def test_accounts_own_one_administration_and_may_link_others() -> None:
    assert account_layout(1) == [(1, False)]
    assert account_layout(6) == [(1, True), (1, True), (1, True), (2, False), (3, False), (3, False)]


def test_the_chart_has_the_known_codes_and_every_category() -> None:
    admin = generate_administrations(DataSpec(1, 1, 10, 1, END))[0]
    codes = {ledger.code: ledger.category for ledger in admin.ledgers}
    assert codes["1000"] == "FIN" and codes["1100"] == "FIN"
    assert codes["1300"] == "DEB" and codes["1600"] == "CRED"
    assert codes["7000"] == "VW" and codes["8000"] == "VW" and codes["4000"] == "VW"
    assert set(codes.values()) >= {"BAL", "VW", "FIN", "DEB", "CRED", "VOOR", "AF", "AF6", "AF19", "BTWRC"}


def test_the_stream_holds_little_memory_whatever_its_length() -> None:
    admin = generate_administrations(DataSpec(5, 1, 60_000, 3, END))[0]

    def peak_while_streaming(count: int) -> int:
        tracemalloc.start()
        lines = sum(len(lines_of(m, {}) if m.type in (0, 3, 4, 7) else m.rows) for m in MutationStream(admin, count))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert lines >= count
        return peak

    small, large = peak_while_streaming(5_000), peak_while_streaming(60_000)
    assert large < small * 3 + 2_000_000
