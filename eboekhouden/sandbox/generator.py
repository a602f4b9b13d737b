"""The data generator: administrations, their books and a stream of balanced mutations, all from a seed.

Everything is drawn from ``random.Random`` seeded with a string (stable across runs and Python versions), one
generator per administration, so the same seed and size always give the same data. Mutations are yielded one at a
time; what the generator keeps between them (invoices waiting for payment, a handful of running balances) is
small, so a million lines stream in bounded memory.
"""

from __future__ import annotations

import dataclasses
import heapq
import math
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from . import names
from .chart import CHART, COST_CENTRES, PURCHASE_LEDGERS, SALES_LEDGERS
from .habits import Habit, habits_of, payments
from .journal import lines_of, mutation_amount, row_vat
from .model import Administration, CostCentre, Credentials, Ledger, Mutation, Relation, Row
from .money import ZERO, cents


@dataclass(frozen=True, slots=True)
class DataSpec:
    """What to generate: the seed, the number of administrations and of mutations in each, and the period."""

    seed: int = 1
    administrations: int = 1
    mutations: int = 1000  # per administration, besides its opening balance
    years: int = 3
    end_date: date = date(2025, 12, 31)


def account_layout(count: int) -> list[tuple[int, bool]]:
    """(account number, is accountant) for each administration index.

    Accounts get 3, 1, 2, 3, 1, 2, ... administrations: the first one owns and the others are linked to it. The first
    account, when it has linked administrations, belongs to an accountant (``GET /v1/administration`` works).
    """
    layout: list[tuple[int, bool]] = []
    sizes = (3, 1, 2)
    account = 0
    while len(layout) < count:
        account += 1
        size = min(sizes[(account - 1) % 3], count - len(layout))
        accountant = account == 1 and size > 1
        layout.extend((account, accountant) for _ in range(size))
    return layout


def generate_administrations(spec: DataSpec) -> list[Administration]:
    layout = account_layout(spec.administrations)
    return [
        generate_administration(f"{spec.seed}/{index}", index, account, accountant, spec.years, spec.end_date)
        for index, (account, accountant) in enumerate(layout)
    ]


def generate_administration(
    seed: str, index: int, account: int, accountant: bool, years: int, end_date: date, *, mutations: int = 1000
) -> Administration:
    """An administration's metadata: chart, relations, cost centres and credentials (not its mutations)."""
    rng = random.Random(f"admin:{seed}")
    start_date = date(end_date.year - years + 1, 1, 1)
    # Identity and credentials first, so they stay the same whatever the size of the books.
    guid = str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper()
    credentials = Credentials(
        api_token=_hex(rng, 48),
        username=f"sandbox{index + 1}{_hex(rng, 4)}",
        security_code_1=_hex(rng, 20).upper(),
        security_code_2=str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper(),
    )
    company = names.company_name(rng)
    city, _ = names.city(rng)
    next_id = rng.randrange(10_000_000, 80_000_000)
    ledgers = []
    for template in CHART:
        next_id += rng.randint(1, 97)
        ledgers.append(Ledger(next_id, template.code, template.description, template.category, template.group))
    cost_centres: list[CostCentre] = []
    centre_base = rng.randrange(1000, 90_000)
    for position, (description, parent) in enumerate(COST_CENTRES):
        parent_id = centre_base + parent if parent is not None else 0
        cost_centres.append(CostCentre(centre_base + position, description, parent_id, active=position != 5))
    by_code = {ledger.code: ledger for ledger in ledgers}
    relations = _with_addresses(seed, _with_habits(seed, _relations(rng, mutations, start_date, by_code)))
    return Administration(
        guid=guid,
        company=company,
        city=city,
        account=account,
        accountant=accountant,
        start_date=start_date,
        end_date=end_date,
        ledgers=tuple(ledgers),
        relations=tuple(relations),
        cost_centres=tuple(cost_centres),
        credentials=credentials,
        seed=seed,
    )


def _hex(rng: random.Random, length: int) -> str:
    return f"{rng.getrandbits(length * 4):0{length}x}"


def _relations(rng: random.Random, mutations: int, start_date: date, by_code: dict[str, Ledger]) -> list[Relation]:
    customers = max(8, min(2000, mutations // 40))
    suppliers = max(6, min(1000, mutations // 80))
    relations: list[Relation] = []
    next_id = rng.randrange(20_000_000, 90_000_000)
    for role, count, first_code, ledger_code in (("D", customers, 1001, "8000"), ("C", suppliers, 2001, "7000")):
        for number in range(count):
            next_id += rng.randint(1, 40)
            person = role == "D" and rng.random() < 0.2
            first, last = names.person_name(rng)
            name = f"{first} {last}" if person else names.company_name(rng)
            city, postal_code = names.city(rng)
            iban, bic = names.iban(rng)
            slug = "".join(ch for ch in name.lower() if ch.isalnum())[:20] or "relatie"
            relations.append(
                Relation(
                    id=next_id,
                    type="P" if person else "B",
                    code=str(first_code + number),
                    name=name,
                    contact="" if person else f"{first} {last}",
                    gender=rng.choice("mv") if person or rng.random() < 0.7 else "a",
                    address=names.street_address(rng),
                    postal_code=postal_code,
                    city=city,
                    phone=f"0{rng.randint(10, 79)}-{rng.randint(1000000, 9999999)}",
                    email=f"info@{slug}.nl" if not person else f"{first.lower()}@{slug}.nl",
                    website="" if person else f"www.{slug}.nl",
                    vat_number="" if person else f"NL{rng.randrange(10**9):09d}B01",
                    coc_number="" if person else f"{rng.randrange(10**8):08d}",
                    iban=iban,
                    bic=bic,
                    term_of_payment=rng.choice((14, 14, 30, 30, 30, 30, 60, None)),
                    ledger_id=by_code[ledger_code].id if rng.random() < 0.6 else None,
                    inactive=rng.random() < 0.03,
                    created=start_date - timedelta(days=rng.randint(0, 900)),
                    role=role,
                )
            )
    return relations


def _with_addresses(seed: str, relations: list[Relation]) -> list[Relation]:
    """The relations' addresses as real books have them, from a random stream of their own (so the rest of the
    books do not move with it): a few customers abroad, a few people without an address, and businesses that want
    their reminders at another address than their invoices."""
    rng = random.Random(f"addresses:{seed}")
    shaped = []
    for relation in relations:
        draw = rng.random()
        if relation.type == "B" and draw < 0.05:
            street, postal_code, city, country = names.foreign_address(rng)
            relation = dataclasses.replace(
                relation, address=street, postal_code=postal_code, city=city, country=country
            )
        elif relation.type == "P" and draw < 0.1:
            relation = dataclasses.replace(relation, address="", postal_code="", city="", country="")
        if relation.type == "B" and rng.random() < 0.3:
            relation = dataclasses.replace(relation, email_reminder=relation.email.replace("info@", "debiteuren@"))
        shaped.append(relation)
    return shaped


def _with_habits(seed: str, relations: list[Relation]) -> list[Relation]:
    """The relations with their payment habits, drawn per side from a random stream of their own."""
    habits: dict[int, Habit] = {}
    for role in ("D", "C"):
        habits.update(habits_of(f"{seed}/{role}", (r.id for r in relations if r.role == role)))
    return [dataclasses.replace(r, payment_habit=str(habits[r.id])) for r in relations]


@dataclass(order=True, slots=True)
class _PlannedPayment:
    due: int  # date ordinal
    seq: int
    side: str = field(compare=False)  # "D" or "C"
    relation_id: int = field(compare=False)
    invoice_number: str = field(compare=False)
    amount: Decimal = field(compare=False)


class MutationStream:
    """Yields an administration's opening balance and then ``count`` mutations with ids 1..count, in date order."""

    def __init__(self, admin: Administration, count: int) -> None:
        self.admin = admin
        self.count = count
        self.rng = random.Random(f"mutations:{admin.seed}")
        self.ledger = {ledger.code: ledger.id for ledger in admin.ledgers}
        self.vat_ledgers = {ledger.category: ledger.id for ledger in admin.ledgers if ledger.category in _VAT_CATS}
        self.customers = [r for r in admin.relations if r.role == "D"]
        self.suppliers = [r for r in admin.relations if r.role == "C"]
        self.habits = {r.id: Habit(r.payment_habit) for r in admin.relations}
        self.centres = [centre.id for centre in admin.cost_centres if centre.active]
        self.balances: dict[int, Decimal] = {}
        self.planned: list[_PlannedPayment] = []
        self.ready: dict[tuple[str, int], list[_PlannedPayment]] = {}
        self.seq = 0
        self.sales_number = 0
        self.purchase_number = 0
        self.invoice_prefix = f"{self.rng.randint(1000, 9999)}"
        self._dates: dict[int, date] = {}

    def __iter__(self) -> Iterator[Mutation]:
        opening = self._opening_balance()
        self._book(opening)
        yield opening
        first = self.admin.start_date.toordinal() + 1
        span = max(1, self.admin.end_date.toordinal() - first + 1)
        for number in range(1, self.count + 1):
            day = first + ((number - 1) * span) // self.count
            mutation = self._next(number, day)
            self._book(mutation)
            yield mutation

    # -- bookkeeping state ----------------------------------------------------------------------------------------
    def _book(self, mutation: Mutation) -> None:
        for line in lines_of(mutation, self.vat_ledgers):
            self.balances[line.ledger_id] = self.balances.get(line.ledger_id, ZERO) + line.amount

    def _date(self, ordinal: int) -> date:
        # Share date objects: a few thousand distinct days serve a million mutations.
        found = self._dates.get(ordinal)
        if found is None:
            found = self._dates[ordinal] = date.fromordinal(ordinal)
        return found

    def _amount(self, low: int, high: int, *, round_euros: float = 0.3) -> Decimal:
        """A log-uniform amount between ``low`` and ``high`` euros; some whole euros, as people invoice."""
        value = math.exp(self.rng.uniform(math.log(low), math.log(high)))
        if self.rng.random() < round_euros:
            return cents(int(value) * 100)
        return cents(int(value * 100))

    def _centre(self) -> int | None:
        return self.rng.choice(self.centres) if self.centres and self.rng.random() < 0.3 else None

    def _pick(self, relations: list[Relation]) -> Relation:
        # Skewed: a few relations account for much of the traffic, as in real books.
        return relations[int(len(relations) * self.rng.random() ** 2)]

    def _plan(self, due: int, side: str, relation_id: int, invoice_number: str, amount: Decimal) -> None:
        self.seq += 1
        heapq.heappush(self.planned, _PlannedPayment(due, self.seq, side, relation_id, invoice_number, amount))

    # -- the mutations --------------------------------------------------------------------------------------------
    def _opening_balance(self) -> Mutation:
        rows = [
            Row(self.ledger["1100"], self._amount(5_000, 80_000, round_euros=0)),
            Row(self.ledger["1000"], self._amount(100, 2_000, round_euros=0)),
            Row(self.ledger["0100"], self._amount(5_000, 40_000, round_euros=1)),
            Row(self.ledger["0110"], -self._amount(500, 4_000, round_euros=1)),
            Row(self.ledger["0200"], self._amount(8_000, 30_000, round_euros=1)),
        ]
        equity = -sum((row.amount for row in rows), ZERO)
        rows.append(Row(self.ledger["0500"], equity))
        return Mutation(0, 0, self._date(self.admin.start_date.toordinal()), 0, tuple(rows), in_ex_vat="EX")

    def _next(self, number: int, day: int) -> Mutation:
        while self.planned and self.planned[0].due <= day:
            plan = heapq.heappop(self.planned)
            self.ready.setdefault((plan.side, plan.relation_id), []).append(plan)
        if self.ready:
            return self._payment(number, day)
        roll = self.rng.random()
        if roll < 0.45:
            return self._sales_invoice(number, day)
        if roll < 0.70:
            return self._purchase_invoice(number, day)
        if roll < 0.85:
            return self._money_sent(number, day)
        if roll < 0.91:
            return self._money_received(number, day)
        return self._journal(number, day)

    def _sales_invoice(self, number: int, day: int) -> Mutation:
        rng = self.rng
        customer = self._pick(self.customers)
        credit_note = rng.random() < 0.05
        in_ex = "IN" if rng.random() < 0.25 else "EX"
        rows = []
        for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
            code, vat_code = rng.choice(SALES_LEDGERS)
            amount = self._amount(40, 400 if credit_note else 6_000)
            if credit_note:
                amount = -amount
            rows.append(Row(self.ledger[code], amount, vat_code, row_vat(in_ex, amount, vat_code), self._centre()))
        self.sales_number += 1
        year = date.fromordinal(day).year
        invoice_number = f"{self.invoice_prefix}-{year}-{self.sales_number:05d}"
        term = customer.term_of_payment or 30
        mutation = Mutation(
            number,
            2,
            self._date(day),
            self.ledger["1300"],
            tuple(rows),
            in_ex,
            customer.id,
            invoice_number,
            "",
            term,
        )
        self._plan_payments("D", customer.id, invoice_number, mutation_amount(mutation), day, term)
        return mutation

    def _purchase_invoice(self, number: int, day: int) -> Mutation:
        rng = self.rng
        supplier = self._pick(self.suppliers)
        credit_note = rng.random() < 0.03
        in_ex = "IN" if rng.random() < 0.4 else "EX"
        rows = []
        for _ in range(rng.choice((1, 1, 2))):
            code, vat_code = rng.choice(PURCHASE_LEDGERS)
            amount = self._amount(15, 300 if credit_note else 4_000)
            if credit_note:
                amount = -amount
            rows.append(Row(self.ledger[code], amount, vat_code, row_vat(in_ex, amount, vat_code), self._centre()))
        self.purchase_number += 1
        invoice_number = f"{rng.choice(('INV', 'F', 'FAC', ''))}{supplier.id % 1000:03d}{self.purchase_number:05d}"
        term = supplier.term_of_payment or 30
        year = date.fromordinal(day).year
        mutation = Mutation(
            number,
            1,
            self._date(day),
            self.ledger["1600"],
            tuple(rows),
            in_ex,
            supplier.id,
            invoice_number,
            f"BK{year}-{self.purchase_number:05d}",
            term,
        )
        self._plan_payments("C", supplier.id, invoice_number, mutation_amount(mutation), day, term)
        return mutation

    def _plan_payments(self, side: str, relation_id: int, invoice: str, total: Decimal, day: int, term: int) -> None:
        rng = self.rng
        if total < 0:
            if rng.random() < 0.7:  # refunded; the rest stays open as a negative item
                self._plan(day + rng.randint(3, 30), side, relation_id, invoice, total)
            return
        for payment in payments(self.habits[relation_id], rng, day=day, term=term, total=total):
            self._plan(payment.day, side, relation_id, invoice, payment.amount)

    def _payment(self, number: int, day: int) -> Mutation:
        key = next(iter(self.ready))
        plans = self.ready[key]
        taken, rest = plans[:4], plans[4:]
        if rest:
            self.ready[key] = rest
        else:
            del self.ready[key]
        side, relation_id = key
        mutation_type = 3 if side == "D" else 4
        ledger = self.ledger["1300" if side == "D" else "1600"]
        rows = tuple(
            Row(ledger, plan.amount, "GEEN", ZERO, None, None, plan.invoice_number, relation_id) for plan in taken
        )
        numbers = ",".join(dict.fromkeys(plan.invoice_number for plan in taken))
        return Mutation(
            number,
            mutation_type,
            self._date(day),
            self.ledger["1100"],
            rows,
            "IN",
            relation_id,
            numbers,
            "",
            0,
        )

    def _money_received(self, number: int, day: int) -> Mutation:
        rng = self.rng
        roll = rng.random()
        if roll < 0.6:  # cash sales, amounts incl. VAT
            code, vat_code = rng.choice((("8000", "HOOG_VERK_21"), ("8100", "LAAG_VERK_9")))
            amount = self._amount(5, 600)
            header = "1000"
            row = Row(self.ledger[code], amount, vat_code, row_vat("IN", amount, vat_code), self._centre())
        elif roll < 0.85:
            header = "1100"
            row = Row(self.ledger["8900"], self._amount(1, 150, round_euros=0))
        else:
            header = "1100"
            row = Row(self.ledger["2000"], self._amount(500, 10_000, round_euros=0.9))
        return Mutation(number, 5, self._date(day), self.ledger[header], (row,), "IN", None, "", "", 0)

    def _money_sent(self, number: int, day: int) -> Mutation:
        rng = self.rng
        roll = rng.random()
        btwrc = self.balances.get(self.ledger["1540"], ZERO)
        rows: tuple[Row, ...]
        if roll < 0.1 and btwrc < 0:  # pay the VAT owed
            rows = (Row(self.ledger["1540"], -btwrc),)
        elif roll < 0.35:
            rows = (Row(self.ledger["4900"], self._amount(2, 60, round_euros=0)),)
        elif roll < 0.6:
            amount = self._amount(20, 250)
            rows = (self._vat_row("4300", amount, "HOOG_INK_21"),)
        elif roll < 0.75:
            amount = self._amount(8, 120)
            rows = (self._vat_row("4600", amount, "LAAG_INK_9"),)
        elif roll < 0.9:
            gross = self._amount(2_000, 9_000, round_euros=0)
            rows = (Row(self.ledger["4000"], gross), Row(self.ledger["4100"], (gross * Decimal("0.2")).quantize(ZERO)))
        else:
            rows = (Row(self.ledger["2000"], self._amount(100, 3_000, round_euros=0.8)),)
        header = "1000" if rng.random() < 0.1 else "1100"
        return Mutation(number, 6, self._date(day), self.ledger[header], rows, "IN", None, "", "", 0)

    def _vat_row(self, code: str, amount: Decimal, vat_code: str) -> Row:
        return Row(self.ledger[code], amount, vat_code, row_vat("IN", amount, vat_code), self._centre())

    def _journal(self, number: int, day: int) -> Mutation:
        rng = self.rng
        roll = rng.random()
        header = "0110"
        rows: tuple[Row, ...] = ()
        if roll < 0.3:  # VAT settlement: move the VAT ledgers to the VAT current account (mixed signs)
            header = "1540"
            rows = tuple(
                Row(self.ledger[code], -self.balances.get(self.ledger[code], ZERO))
                for code in ("1500", "1510", "1530")
                if self.balances.get(self.ledger[code], ZERO)
            )
        elif roll < 0.5:
            header = "1700"
            rows = (Row(self.ledger["4200"], self._amount(100, 2_500), cost_centre_id=self._centre()),)
        elif roll < 0.7:
            kas = self.balances.get(self.ledger["1000"], ZERO)
            if kas > 50:  # deposit cash at the bank: a credit row on Kas
                header = "1100"
                rows = (Row(self.ledger["1000"], -(kas / 2).quantize(ZERO)),)
        elif roll < 0.85:  # reclassification between cost ledgers, debit and credit rows
            header = "9000"
            amount = self._amount(20, 800)
            rows = (Row(self.ledger["4500"], amount), Row(self.ledger["4600"], -(amount / 2).quantize(ZERO)))
        if not rows:  # depreciation
            header = "0110"
            rows = (Row(self.ledger["4700"], self._amount(50, 1_500, round_euros=0.8)),)
        return Mutation(number, 7, self._date(day), self.ledger[header], rows, "EX", None, "", f"MEM{number}", 0)


_VAT_CATS = frozenset({"AF19", "AF6", "AF", "AFOVERIG", "VOOR", "BTWRC"})


def generate_mutations(admin: Administration, count: int) -> Iterator[Mutation]:
    """Stream an administration's mutations: the opening balance (id 0), then ids 1..count in date order."""
    return iter(MutationStream(admin, count))
