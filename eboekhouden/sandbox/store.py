"""Per administration, the book: its mutations and the indexes every API view is derived from.

The indexes (sums per ledger and day, invoices and what was paid on them) are updated by the same ``_index`` call
on every add, edit and delete, so the REST views, the SOAP views and the truth can never drift apart.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .journal import Line, lines_of, mutation_amount
from .model import INVOICE_TYPES, PAYMENT_TYPES, Administration, Mutation, Relation
from .money import ZERO

InvoiceKey = tuple[str, int, str]  # (side "D"/"C", relation id, invoice number)


@dataclass(frozen=True, slots=True)
class OutstandingItem:
    side: str
    mutation_id: int
    date: date
    invoice_number: str
    relation: Relation | None
    relation_id: int
    total: Decimal
    paid: Decimal

    @property
    def outstanding(self) -> Decimal:
        return self.total - self.paid


class Book:
    """One administration's mutations and indexes. Not thread-safe: the server's event loop owns it."""

    def __init__(self, admin: Administration, mutations: Iterable[Mutation] = ()) -> None:
        self.admin = admin
        self.vat_ledgers = {ledger.category: ledger.id for ledger in admin.ledgers}
        self.ledgers = {ledger.id: ledger for ledger in admin.ledgers}
        self.relations = {relation.id: relation for relation in admin.relations}
        self.mutations: dict[int, Mutation] = {}
        self.ids: list[int] = []  # sorted
        self.day_totals: dict[int, dict[int, Decimal]] = {ledger.id: {} for ledger in admin.ledgers}
        self.invoices: dict[InvoiceKey, int] = {}
        self.paid: dict[InvoiceKey, Decimal] = {}
        self.version = 0  # bumped on every change, for caches
        self._by_date: tuple[int, list[date], list[int]] = (-1, [], [])  # (version, dates, ids), sorted by date
        append_in_order = True
        for mutation in mutations:
            if append_in_order and self.ids and mutation.id <= self.ids[-1]:
                append_in_order = False
            self._put(mutation, keep_sorted=not append_in_order)
        if not append_in_order:
            self.ids.sort()

    # -- changes --------------------------------------------------------------------------------------------------
    @property
    def next_id(self) -> int:
        return (self.ids[-1] if self.ids else 0) + 1

    def add(self, mutation: Mutation) -> None:
        if mutation.id in self.mutations:
            raise KeyError(f"mutation {mutation.id} exists")
        self._put(mutation, keep_sorted=True)

    def replace(self, mutation: Mutation) -> None:
        self.delete(mutation.id)
        self._put(mutation, keep_sorted=True)

    def delete(self, mutation_id: int) -> Mutation:
        mutation = self.mutations.pop(mutation_id)
        index = bisect.bisect_left(self.ids, mutation_id)
        del self.ids[index]
        self._index(mutation, -1)
        self.version += 1
        return mutation

    def _put(self, mutation: Mutation, *, keep_sorted: bool) -> None:
        self.mutations[mutation.id] = mutation
        if keep_sorted:
            bisect.insort(self.ids, mutation.id)
        else:
            self.ids.append(mutation.id)
        self._index(mutation, 1)
        self.version += 1

    def _index(self, mutation: Mutation, sign: int) -> None:
        day = mutation.date.toordinal()
        for line in lines_of(mutation, self.vat_ledgers):
            per_day = self.day_totals.setdefault(line.ledger_id, {})
            amount = per_day.get(day, ZERO) + (line.amount if sign > 0 else -line.amount)
            if amount:
                per_day[day] = amount
            else:
                per_day.pop(day, None)
        side = INVOICE_TYPES.get(mutation.type)
        if side is not None and mutation.invoice_number and mutation.relation_id is not None:
            key = (side, mutation.relation_id, mutation.invoice_number)
            if sign > 0:
                self.invoices[key] = mutation.id
            elif self.invoices.get(key) == mutation.id:
                del self.invoices[key]
        side = PAYMENT_TYPES.get(mutation.type)
        if side is not None:
            for row in mutation.rows:
                if not row.invoice_number:
                    continue
                relation_id = row.relation_id if row.relation_id is not None else mutation.relation_id
                key = (side, relation_id or 0, row.invoice_number)
                paid = self.paid.get(key, ZERO) + (row.amount if sign > 0 else -row.amount)
                if paid:
                    self.paid[key] = paid
                else:
                    self.paid.pop(key, None)

    # -- reads ----------------------------------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Mutation]:
        mutations = self.mutations
        return (mutations[mutation_id] for mutation_id in self.ids)

    def ids_dated(self, start: date, end: date) -> list[int]:
        """The ids of the mutations dated from ``start`` to ``end`` (both included), in id order: what a list
        filtered by ``date[range]`` reads, found through a date index (kept until the next change) instead of a
        test of every mutation per call."""
        version, dates, ids = self._by_date
        if version != self.version:
            ordered = sorted((mutation.date, mutation.id) for mutation in self.mutations.values())
            dates, ids = [day for day, _ in ordered], [mutation_id for _, mutation_id in ordered]
            self._by_date = (self.version, dates, ids)
        return sorted(ids[bisect.bisect_left(dates, start) : bisect.bisect_right(dates, end)])

    def lines(self, mutation: Mutation) -> tuple[Line, ...]:
        return lines_of(mutation, self.vat_ledgers)

    def balance(
        self, ledger_id: int, start: date | None, end: date | None, cost_centre_id: int | None = None
    ) -> Decimal:
        """The sum of the lines on one ledger with start <= date <= end (either bound may be open)."""
        if cost_centre_id is not None:
            return self._cost_centre_balances(start, end, cost_centre_id).get(ledger_id, ZERO)
        low = start.toordinal() if start else -1
        high = end.toordinal() if end else 10**9
        return sum((amount for day, amount in self.day_totals.get(ledger_id, {}).items() if low <= day <= high), ZERO)

    def balances(self, start: date | None, end: date | None, cost_centre_id: int | None = None) -> dict[int, Decimal]:
        """Balance per ledger over a period, for every ledger of the chart (0.00 where nothing was booked)."""
        if cost_centre_id is not None:
            found = self._cost_centre_balances(start, end, cost_centre_id)
            return {ledger.id: found.get(ledger.id, ZERO) for ledger in self.admin.ledgers}
        return {ledger.id: self.balance(ledger.id, start, end) for ledger in self.admin.ledgers}

    def _cost_centre_balances(self, start: date | None, end: date | None, centre: int) -> dict[int, Decimal]:
        # Only row lines carry a cost centre; this is rare enough to answer by a scan.
        found: dict[int, Decimal] = {}
        for mutation in self:
            if (start and mutation.date < start) or (end and mutation.date > end):
                continue
            for line in self.lines(mutation):
                if line.cost_centre_id == centre:
                    found[line.ledger_id] = found.get(line.ledger_id, ZERO) + line.amount
        return found

    def outstanding(self, side: str) -> list[OutstandingItem]:
        """Invoices of one side ("D" debtors, "C" creditors) whose total minus payments is not zero, by id."""
        items = []
        for key, mutation_id in self.invoices.items():
            if key[0] != side:
                continue
            mutation = self.mutations[mutation_id]
            total = mutation_amount(mutation)
            paid = self.paid.get(key, ZERO)
            if total == paid:
                continue
            items.append(
                OutstandingItem(
                    side,
                    mutation_id,
                    mutation.date,
                    mutation.invoice_number,
                    self.relations.get(key[1]),
                    key[1],
                    total,
                    paid,
                )
            )
        items.sort(key=lambda item: item.mutation_id)
        return items

    def find_invoice(self, side: str, invoice_number: str, relation_id: int | None = None) -> Mutation | None:
        for (key_side, key_relation, number), mutation_id in self.invoices.items():
            if key_side == side and number == invoice_number and relation_id in (None, key_relation):
                return self.mutations[mutation_id]
        return None
