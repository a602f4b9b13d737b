"""Property tests: arbitrary source records (the gateway's DTOs: any id, date, term, amount or text) go through the
streams' record handling, ``eboekhouden.mapping`` and the ledger services, and each one is either stored exactly or
set aside with a reason; the run never crashes. Records with ordinary values are always stored."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eboekhouden.client.dto import (
    CostCentre,
    Ledger,
    LedgerBalance,
    Mutation,
    MutationHeader,
    MutationRow,
    MutationType,
    OutstandingItem,
    Relation,
    Side,
    Unreadable,
)
from eboekhouden.mapping import mutation_lines
from eboekhouden.sync.reference import ReferenceStreams
from eboekhouden.sync.state import SourceState
from eboekhouden.sync.streams import BalancesCheckStream, MutationsStream, OutstandingItemsStream
from integrations.sync.base import StreamContext
from ledger.models import Account, Administration, CostCenter, SetAsideKind, SetAsideRecord, Transaction
from ledger.models import OutstandingItem as StoredItem
from ledger.models import Relation as StoredRelation
from ledger.records import SetAsideEntry
from ledger.services import set_aside_record

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 1, 12)
PROPERTY_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- strategies: the values a source can send ---------------------------------------------------------------------

ORDINARY_DATES = st.dates(dt.date(2020, 1, 1), dt.date(2021, 12, 31))
EDGE_DATES = st.sampled_from(
    [
        *(dt.date.min, dt.date(1899, 12, 31), dt.date(1900, 1, 1)),
        *(dt.date(2199, 12, 31), dt.date(2200, 1, 1), dt.date(9999, 12, 30), dt.date.max),
    ]
)
dates = st.one_of(ORDINARY_DATES, ORDINARY_DATES, EDGE_DATES, st.dates())
ordinary_amounts = st.decimals(min_value=-100_000, max_value=100_000, places=2)
amounts = st.one_of(
    ordinary_amounts,
    ordinary_amounts,
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [Decimal("12345678901234567"), Decimal("9999999999999999.99"), Decimal("1E+999999"), Decimal("0.001")]
    ),
)
terms = st.one_of(
    st.none(),
    st.integers(0, 120),
    st.sampled_from([3_000_000, -14, -1, 3_650, 3_651, 2**31, -(2**63)]),
    st.integers(),
)
texts = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.text(max_size=400),
    st.sampled_from(["\ud800 lone surrogate", "nul\x00inside", "<script>x</script>"]),
)
ids = st.one_of(st.integers(1, 5_000), st.integers(10**99, 10**101))
CATEGORIES = ["VW", "BAL", "DEB", "CRED", "AF19", "AF6", "AF", "VOOR", "FIN", ""]


@dataclass
class Books:
    ledgers: list[Ledger]
    relations: list[Relation]
    cost_centres: list[CostCentre]
    openings: list[MutationHeader]
    mutations: list[Mutation]
    items: list[OutstandingItem]
    ordinary: set[int]  # mutations with ordinary values throughout: these must be stored


@st.composite
def books(draw) -> Books:
    ledgers = draw(
        st.lists(
            st.builds(
                Ledger,
                id=ids,
                code=st.text(max_size=60),
                description=st.text(max_size=300),
                category=st.sampled_from(CATEGORIES),
                group=texts,
            ),
            min_size=1,
            max_size=8,
            unique_by=lambda ledger: ledger.id,
        )
    )
    # Every VAT ledger exists once, with an ordinary id, so that ordinary mutations can be booked.
    ledgers += [Ledger(id=900_000 + n, code=c, description=c, category=c) for n, c in enumerate(["AF19", "VOOR"])]
    known = [ledger.id for ledger in ledgers]
    ledger_ids = st.one_of(st.sampled_from(known), st.sampled_from(known), ids)
    relations = draw(
        st.lists(
            st.builds(Relation, id=ids, code=st.text(max_size=60), name=texts, type=texts, term_of_payment=terms),
            max_size=5,
            unique_by=lambda relation: relation.id,
        )
    )
    relation_ids = st.one_of(st.none(), st.sampled_from([r.id for r in relations] or [7]), ids)
    cost_centres = draw(
        st.lists(
            st.builds(CostCentre, id=ids, description=st.text(max_size=300), parent_id=st.none() | ids),
            max_size=3,
            unique_by=lambda centre: centre.id,
        )
    )
    centre_ids = st.one_of(st.none(), st.sampled_from([c.id for c in cost_centres] or [9]))
    rows = st.builds(
        MutationRow,
        ledger_id=ledger_ids,
        amount=amounts,
        vat_code=st.sampled_from([None, "HOOG_VERK_21", "LAAG_VERK_9", "GEEN"]),
        vat_amount=st.none() | amounts,
        cost_centre_id=centre_ids,
        description=texts,
        invoice_number=texts,
        relation_id=relation_ids,
    )
    mutations = draw(
        st.lists(
            st.builds(
                Mutation,
                id=ids,
                type=st.sampled_from(list(MutationType)),
                date=dates,
                ledger_id=st.none() | ledger_ids,
                rows=st.lists(rows, max_size=3).map(tuple),
                description=texts,
                term_of_payment=terms,
                relation_id=relation_ids,
                in_ex_vat=st.sampled_from([None, "IN", "EX"]),
                invoice_number=texts,
                entry_number=texts,
            ),
            max_size=8,
            unique_by=lambda mutation: mutation.id,
        )
    )
    # Mutations with nothing unusual: ordinary date and amounts, known ledgers, no relation or cost centre.
    plain_ledger = ledgers[-1].id
    ordinary = draw(
        st.lists(
            st.builds(
                Mutation,
                id=st.integers(600_000, 700_000),
                type=st.just(MutationType.GENERAL_JOURNAL),
                date=ORDINARY_DATES,
                ledger_id=st.just(plain_ledger),
                rows=st.lists(
                    st.builds(MutationRow, ledger_id=st.just(ledgers[-2].id), amount=ordinary_amounts),
                    min_size=1,
                    max_size=3,
                ).map(tuple),
                description=st.text(max_size=40),
            ),
            max_size=3,
            unique_by=lambda mutation: mutation.id,
        )
    )
    openings = draw(
        st.lists(
            st.builds(
                MutationHeader,
                id=st.just(0),
                type=st.just(MutationType.OPENING_BALANCE),
                date=st.none() | dates,
                ledger_id=st.sampled_from(known),
                amount=amounts,
            ),
            max_size=3,
        )
    )
    mutation_ids = st.one_of(st.none(), st.sampled_from([m.id for m in mutations] or [1]), st.integers(1, 10**6))
    items = draw(
        st.lists(
            st.builds(
                OutstandingItem,
                side=st.just(Side.DEBTORS),
                date=dates,
                invoice_number=st.text(min_size=1, max_size=30),
                relation_id=relation_ids,
                relation_code=st.none(),
                company=texts,
                total_amount=amounts,
                paid_amount=amounts,
                outstanding_amount=amounts,
                mutation_id=mutation_ids,
            ),
            max_size=6,
            unique_by=lambda item: str(item.mutation_id or item.invoice_number),
        )
    )
    return Books(ledgers, relations, cost_centres, openings, mutations + ordinary, items, {m.id for m in ordinary})


class FakeGateway:
    """Serves the drawn records as the gateway would: every mutation in the one window that is read."""

    def __init__(self, books: Books, balances: list[LedgerBalance] | None = None) -> None:
        self.books, self._balances = books, balances or []

    def ledgers(self) -> Iterable[Ledger]:
        return iter(self.books.ledgers)

    def relations(self) -> Iterable[Relation]:
        return iter(self.books.relations)

    def cost_centres(self) -> Iterable[CostCentre]:
        return iter(self.books.cost_centres)

    def mutation_headers(self, first: dt.date, last: dt.date) -> Iterable[MutationHeader]:
        headers = [
            MutationHeader(id=m.id, type=m.type, date=m.date, ledger_id=m.ledger_id, amount=Decimal(len(m.rows)))
            for m in self.books.mutations
            if first <= m.date <= last
        ]
        return iter(headers + [h for h in self.books.openings if h.date is None or first <= h.date <= last])

    def mutations(self, mutation_ids: Iterable[int]) -> Iterable[Mutation]:
        wanted = set(mutation_ids)
        return (m for m in self.books.mutations if m.id in wanted)

    parallelism = 1

    def has_mutations_each(self, windows: Iterable[tuple[dt.date, dt.date]]):
        for first, last in windows:
            yield (first, last), any(first <= m.date <= last for m in self.books.mutations)

    def mutation_count(self, first: dt.date, last: dt.date) -> int | None:
        return None

    def outstanding_items(self, side: Side) -> Iterable[OutstandingItem]:
        return iter(self.books.items if side == Side.DEBTORS else [])

    def balances(self, first: dt.date, last: dt.date) -> list[LedgerBalance]:
        return list(self._balances)

    def balances_each(self, windows: Iterable[tuple[dt.date, dt.date]]):
        for window in windows:
            yield window, self.balances(*window)


def _context(administration: Administration) -> StreamContext:
    return StreamContext(
        administration=administration,
        cursor={},
        full=True,
        since=None,
        today=TODAY,
        lookback_days=60,
        save_cursor=lambda value: None,
        progress=lambda done, total, estimated=False: None,
    )


def _set_aside(administration: Administration, kind: SetAsideKind, external_id: object) -> SetAsideRecord | None:
    key = SetAsideEntry(kind=kind, external_id=str(external_id), reason="-").external_id
    return SetAsideRecord.objects.filter(administration=administration, kind=kind, external_id=key).first()


def _stored_or_set_aside(stored: object, entry: SetAsideRecord | None, what: str) -> None:
    assert (stored is None) != (entry is None), f"{what}: stored={stored!r}, set aside={entry!r}"
    if entry is not None:
        assert entry.reason.strip(), f"{what} was set aside without a reason"


def _new_administration(organization) -> Administration:
    return Administration.objects.create(
        organization=organization, provider="eboekhouden", external_id=str(uuid.uuid4()), name="Property books"
    )


@PROPERTY_SETTINGS
@given(source=books())
def test_every_source_record_is_stored_exactly_or_set_aside_with_a_reason(organization, source):
    administration = _new_administration(organization)
    ctx = _context(administration)
    gateway, state = FakeGateway(source), SourceState()
    reference = ReferenceStreams(gateway, state)
    for stream in (reference.ledgers, reference.relations, reference.cost_centres):
        stream.run(ctx)
    mutations = MutationsStream(gateway, state)
    mutations.sync_window(ctx, dt.date.min, dt.date.max)
    OutstandingItemsStream(gateway, state).run(ctx)

    for ledger in source.ledgers:
        stored = Account.objects.filter(administration=administration, external_id=str(ledger.id)).first()
        _stored_or_set_aside(stored, _set_aside(administration, SetAsideKind.ACCOUNT, ledger.id), f"ledger {ledger}")

    for relation in source.relations:
        stored = StoredRelation.objects.filter(administration=administration, external_id=str(relation.id)).first()
        entry = _set_aside(administration, SetAsideKind.RELATION, relation.id)
        _stored_or_set_aside(stored, entry, f"relation {relation}")
        if stored is not None:
            assert stored.payment_term_days == (relation.term_of_payment or None)

    for centre in source.cost_centres:
        stored = CostCenter.objects.filter(administration=administration, external_id=str(centre.id)).first()
        _stored_or_set_aside(stored, _set_aside(administration, SetAsideKind.COST_CENTER, centre.id), str(centre))

    vat_ledgers = state.vat_ledgers
    for mutation in source.mutations:
        stored = Transaction.objects.filter(administration=administration, external_id=str(mutation.id)).first()
        entry = _set_aside(administration, SetAsideKind.TRANSACTION, mutation.id)
        _stored_or_set_aside(stored, entry, f"mutation {mutation}")
        if mutation.id in source.ordinary:
            assert stored is not None, f"an ordinary mutation was set aside: {entry.reason if entry else ''}"
        if stored is None:
            continue
        # Stored exactly: the date, the invoice's own term and every line as the mapping gives them.
        assert stored.date == mutation.date
        invoice = mutation.type in (MutationType.INVOICE_RECEIVED, MutationType.INVOICE_SENT)
        assert stored.payment_term_days == ((mutation.term_of_payment or None) if invoice else None)
        lines = Counter((line.account.external_id, line.amount) for line in stored.lines.select_related("account"))
        expected = Counter((line.account_external_id, line.amount) for line in mutation_lines(mutation, vat_ledgers))
        assert lines == expected

    for item in source.items:
        external_id = f"D-{item.mutation_id or item.invoice_number}"
        # An id with a NUL or a lone surrogate cannot even be looked for: such an item can only be set aside.
        storable = SetAsideEntry(kind=SetAsideKind.OPEN_ITEM, external_id=external_id, reason="-").external_id
        stored = (
            StoredItem.objects.filter(administration=administration, external_id=external_id).first()
            if storable == external_id
            else None
        )
        entry = _set_aside(administration, SetAsideKind.OPEN_ITEM, external_id)
        _stored_or_set_aside(stored, entry, f"open item {item}")
        if stored is not None:
            assert stored.invoice_date == item.date
            assert (stored.total, stored.paid, stored.outstanding) == (
                item.total_amount,
                item.paid_amount,
                item.outstanding_amount,
            )
            if stored.due_date is not None:
                assert dt.date(1900, 1, 1) <= stored.due_date <= dt.date(2199, 12, 31)

    # A second run over the same records stores nothing new and sets aside the same ones (retried, not duplicated).
    before = set(SetAsideRecord.objects.filter(administration=administration).values_list("kind", "external_id"))
    for stream in (reference.ledgers, reference.relations, reference.cost_centres):
        stream.run(ctx)
    counts, _ = mutations.sync_window(ctx, dt.date.min, dt.date.max)
    assert counts.new == 0
    after = set(SetAsideRecord.objects.filter(administration=administration).values_list("kind", "external_id"))
    assert after == before


@PROPERTY_SETTINGS
@given(
    balances=st.lists(
        st.builds(
            LedgerBalance,
            ledger_code=st.sampled_from(["1100", "9999"]),
            category=st.none(),
            balance=amounts,
            ledger_id=st.sampled_from([None, 1, 2]),
        ),
        max_size=4,
    )
)
def test_the_balance_check_compares_every_balance_or_sets_it_aside(organization, balances):
    administration = _new_administration(organization)
    ctx = _context(administration)
    source = Books([Ledger(id=1, code="1100", description="Bank", category="FIN")], [], [], [], [], [], set())
    gateway, state = FakeGateway(source, balances), SourceState()
    ReferenceStreams(gateway, state).ledgers.run(ctx)
    # One booking in 2025, so that the check has a year to compare.
    source.mutations = [
        Mutation(
            id=1,
            type=MutationType.GENERAL_JOURNAL,
            date=dt.date(2025, 3, 1),
            ledger_id=1,
            rows=(MutationRow(ledger_id=1, amount=Decimal("10.00")),),
        )
    ]
    mutations = MutationsStream(gateway, state)
    mutations.sync_window(ctx, dt.date(2025, 1, 1), dt.date(2025, 12, 31))

    counts = BalancesCheckStream(gateway, state, mutations).run(ctx)

    # Balances the check can place (by id, or by a code of the chart) whose figure no column can hold.
    placed = [b for b in balances if b.ledger_id or b.ledger_code == "1100"]
    beyond = [
        b
        for b in placed
        if not b.balance.is_finite() or abs(b.balance) >= Decimal("1E16") or b.balance != round(b.balance, 2)
    ]
    entries = SetAsideRecord.objects.filter(administration=administration, kind=SetAsideKind.BALANCE)
    if beyond:
        assert entries.exists() and counts.set_aside >= 1
        assert all(entry.reason for entry in entries)


class UnreadableGateway(FakeGateway):
    """Also lists, of every kind, one record the client could not read (a value out of any range)."""

    def _with(self, kind: str, external_id: str, items: Iterable) -> Iterable:
        return iter([*items, Unreadable(kind=kind, external_id=external_id, reason=f"Its date of {kind} is out.")])

    def ledgers(self):
        return self._with("ledger", "L-bad", super().ledgers())

    def relations(self):
        return self._with("relation", "R-bad", super().relations())

    def cost_centres(self):
        return self._with("cost centre", "C-bad", super().cost_centres())

    def mutation_headers(self, first, last):
        return self._with("mutation", "404", super().mutation_headers(first, last))

    def mutations(self, mutation_ids):
        return self._with("mutation", "405", super().mutations(mutation_ids))

    def outstanding_items(self, side):
        return self._with("open item", "406", super().outstanding_items(side))

    def balances(self, first, last):
        return list(self._with("balance", "unreadable-1", super().balances(first, last)))


def test_records_the_gateway_could_not_read_are_set_aside_and_the_rest_is_stored(organization):
    administration = _new_administration(organization)
    ctx = _context(administration)
    bank = Ledger(id=1, code="1100", description="Bank", category="FIN")
    journal = Mutation(
        id=7,
        type=MutationType.GENERAL_JOURNAL,
        date=dt.date(2025, 3, 1),
        ledger_id=1,
        rows=(MutationRow(ledger_id=1, amount=Decimal("10.00")),),
    )
    item = OutstandingItem(Side.DEBTORS, dt.date(2025, 3, 1), "F-1", None, None, None, *[Decimal("5.00")] * 3)
    source = Books([bank], [], [], [], [journal], [item], {7})
    gateway, state = UnreadableGateway(source), SourceState()
    reference = ReferenceStreams(gateway, state)
    for stream in (reference.ledgers, reference.relations, reference.cost_centres):
        stream.run(ctx)
    mutations = MutationsStream(gateway, state)
    counts, _ = mutations.sync_window(ctx, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    OutstandingItemsStream(gateway, state).run(ctx)
    BalancesCheckStream(gateway, state, mutations).run(ctx)

    assert Transaction.objects.filter(administration=administration, external_id="7").exists()
    assert StoredItem.objects.filter(administration=administration, external_id="D-F-1").exists()
    entries = dict(SetAsideRecord.objects.filter(administration=administration).values_list("external_id", "reason"))
    # The fake lists its unreadable open item on both sides: each side keys it as its own.
    assert set(entries) == {"L-bad", "R-bad", "C-bad", "404", "405", "D-406", "C-406", "unreadable-1"}
    assert entries["D-406"] == "Its date of open item is out."
    assert counts.set_aside == 2


def test_a_month_holding_a_mutation_set_aside_earlier_is_read_again_though_its_balances_match(organization):
    administration = _new_administration(organization)
    ctx = _context(administration)
    # Fixed at the source since an earlier run set it aside; its lines cancel out on one ledger, so no balance
    # differs and only the retry of set-aside months reads it again.
    fixed = Mutation(
        id=7,
        type=MutationType.GENERAL_JOURNAL,
        date=dt.date(2025, 3, 10),
        ledger_id=1,
        rows=(MutationRow(ledger_id=1, amount=Decimal("10.00")),),
    )
    source = Books([Ledger(id=1, code="1100", description="Bank", category="FIN")], [], [], [], [fixed], [], {7})
    gateway, state = FakeGateway(source), SourceState()
    ReferenceStreams(gateway, state).ledgers.run(ctx)
    set_aside_record(
        administration=administration,
        entries=[SetAsideEntry(kind=SetAsideKind.TRANSACTION, external_id="7", reason="A term of -14 days.")],
    )
    SetAsideRecord.objects.filter(administration=administration).update(record_date=dt.date(2025, 3, 10))

    BalancesCheckStream(gateway, state, MutationsStream(gateway, state)).run(ctx)

    assert Transaction.objects.filter(administration=administration, external_id="7").exists()
    assert not SetAsideRecord.objects.filter(administration=administration).exists()
