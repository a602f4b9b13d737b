"""Mutations as double-entry lines (the table in docs/eboekhouden.md): the one place the sandbox reads it.

Lines are signed (debit positive, credit negative) and every mutation's lines sum to zero. Rows are positive in
their type's normal direction; a negative row (credit note, refund) flips every side of that row.

| type | header ledger             | rows                          | VAT               |
|------|---------------------------|-------------------------------|-------------------|
| 0    | each row on its own ledger, positive = debit                              |
| 1    | credit, incl. VAT         | debit, excl. VAT              | debit input VAT   |
| 2    | debit, incl. VAT          | credit, excl. VAT             | credit output VAT |
| 3    | debit (bank)              | credit, on each row's ledger  | –                 |
| 4    | credit (bank)             | debit, on each row's ledger   | –                 |
| 5    | debit (bank), incl. VAT   | credit, excl. VAT             | credit output VAT |
| 6    | credit (bank), incl. VAT  | debit, excl. VAT              | debit input VAT   |
| 7    | minus the sum of the rows | positive = debit              | –                 |
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from .chart import VAT_CODES
from .model import Mutation, Row
from .money import ZERO, vat_in_incl, vat_on_excl

# +1: the header ledger is debited (rows credited); -1: the header is credited (rows debited).
HEADER_SIDE = {1: -1, 2: 1, 3: 1, 4: -1, 5: 1, 6: -1, 7: -1}
VAT_TYPES = frozenset({1, 2, 5, 6})


@dataclass(frozen=True, slots=True)
class Line:
    ledger_id: int
    amount: Decimal  # debit positive, credit negative
    kind: str  # "opening" | "header" | "row" | "vat"
    cost_centre_id: int | None = None


def row_vat(in_ex_vat: str, amount: Decimal, vat_code: str) -> Decimal:
    """The VAT of one row, calculated per row as e-Boekhouden does when it shows ``vatAmount``."""
    rate = VAT_CODES[vat_code].rate if vat_code in VAT_CODES else ZERO
    if not rate:
        return ZERO
    return vat_in_incl(amount, rate) if in_ex_vat == "IN" else vat_on_excl(amount, rate)


def row_parts(mutation_type: int, in_ex_vat: str, row: Row) -> tuple[Decimal, Decimal, Decimal]:
    """(excl. VAT, VAT, incl. VAT) of a row; types without VAT carry none."""
    vat = row.vat_amount if mutation_type in VAT_TYPES else ZERO
    if in_ex_vat == "IN":
        return row.amount - vat, vat, row.amount
    return row.amount, vat, row.amount + vat


def mutation_amount(mutation: Mutation) -> Decimal:
    """The header amount the mutation list shows: the rows' total incl. VAT, in the type's normal direction."""
    if mutation.type == 0:
        return sum((row.amount for row in mutation.rows), ZERO)
    return sum((row_parts(mutation.type, mutation.in_ex_vat, row)[2] for row in mutation.rows), ZERO)


def lines_of(mutation: Mutation, vat_ledgers: Mapping[str, int]) -> tuple[Line, ...]:
    """The signed journal lines of a mutation. Zero lines are left out.

    ``vat_ledgers`` maps a VAT ledger category (AF19, AF6, VOOR, ...) to the administration's ledger id.
    """
    if mutation.type == 0:
        return tuple(Line(row.ledger_id, row.amount, "opening") for row in mutation.rows if row.amount)
    side = HEADER_SIDE[mutation.type]
    lines: list[Line] = []
    total = ZERO
    vat_by_code: dict[str, Decimal] = {}
    for row in mutation.rows:
        excl, vat, incl = row_parts(mutation.type, mutation.in_ex_vat, row)
        total += incl
        if excl:
            lines.append(Line(row.ledger_id, -side * excl, "row", row.cost_centre_id))
        if vat:
            vat_by_code[row.vat_code] = vat_by_code.get(row.vat_code, ZERO) + vat
    for code, vat in vat_by_code.items():
        category = VAT_CODES[code].ledger_category
        if category is None or not vat:
            continue
        lines.append(Line(vat_ledgers[category], -side * vat, "vat"))
    if total:
        lines.insert(0, Line(mutation.ledger_id, side * total, "header"))
    return tuple(lines)


def vat_totals(mutation: Mutation) -> dict[str, Decimal]:
    """VAT per VAT code (the REST ``vat[]``), for codes that carry a rate."""
    totals: dict[str, Decimal] = {}
    if mutation.type not in VAT_TYPES:
        return totals
    for row in mutation.rows:
        vat_code = VAT_CODES.get(row.vat_code)
        if vat_code is None or not vat_code.rate:
            continue
        totals[row.vat_code] = totals.get(row.vat_code, ZERO) + row.vat_amount
    return totals
