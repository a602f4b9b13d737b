"""e-Boekhouden mutations as double-entry lines: the one module that applies the table in docs/eboekhouden.md.

Stored lines are signed, debit positive and credit negative, and every transaction's lines sum to zero. A mutation
is a header ledger plus rows; rows are positive in their type's normal direction, and a negative row (credit note,
refund) flips every side of that row. Signs are kept, never made absolute.

| type                        | rows on      | VAT lines                        | header ledger           |
|-----------------------------|--------------|----------------------------------|-------------------------|
| 1 invoice received          | debit, excl. | debit, input VAT (VOOR)          | minus the rest (credit) |
| 2 invoice sent              | credit, excl.| credit, output VAT (AF19/AF6/AF) | minus the rest (debit)  |
| 3 invoice payment received  | credit       | –                                | minus the rest (debit)  |
| 4 invoice payment sent      | debit        | –                                | minus the rest (credit) |
| 5 money received            | credit, excl.| credit, output VAT               | minus the rest (debit)  |
| 6 money sent                | debit, excl. | debit, input VAT                 | minus the rest (credit) |
| 7 general journal           | as signed    | –                                | minus the sum of rows   |
| 0 opening balance           | each list item ``{id: 0, ledgerId, amount}`` on its ledger, positive = debit      |

``inExVat == "IN"``: a row's amount includes its VAT, so the row ledger gets the amount minus the row's VAT. Writing
the header as minus the sum of everything else makes each transaction balance by construction; the header then
carries the amount incl. VAT for types 1, 2, 5 and 6, as the table says.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.utils.translation import gettext_noop

from ledger.records import AccountKind, AccountRole, LineRecord, TransactionRecord, TransactionType
from monitr.web.stored_text import stored_pattern

from .client.dto import Mutation, MutationHeader, MutationRow, MutationType

ZERO = Decimal("0.00")

# A ledger's category says what it is for: the one place e-Boekhouden's categories become the ledger's roles.
# "VW" (verlies en winst) is every P&L ledger, "BAL" every other balance-sheet ledger: neither says more, so the
# default report mapping places them by their code.
PROFIT_AND_LOSS_CATEGORIES = frozenset({"VW"})
VAT_CATEGORIES = frozenset({"VOOR", "AF", "AF6", "AF19", "AFOVERIG", "BTWRC"})
ACCOUNT_ROLES: dict[str, AccountRole] = {
    "FIN": AccountRole.CASH,
    "DEB": AccountRole.RECEIVABLE,
    "CRED": AccountRole.PAYABLE,
    **dict.fromkeys(VAT_CATEGORIES, AccountRole.VAT),
}


def account_kind(category: str) -> AccountKind:
    return AccountKind.PROFIT_AND_LOSS if category.upper() in PROFIT_AND_LOSS_CATEGORIES else AccountKind.BALANCE_SHEET


def account_role(category: str) -> AccountRole:
    return ACCOUNT_ROLES.get(category.upper(), AccountRole.UNSPECIFIED)


TRANSACTION_TYPES = {
    MutationType.OPENING_BALANCE: TransactionType.OPENING_BALANCE,
    MutationType.INVOICE_RECEIVED: TransactionType.PURCHASE_INVOICE,
    MutationType.INVOICE_SENT: TransactionType.SALES_INVOICE,
    MutationType.INVOICE_PAYMENT_RECEIVED: TransactionType.PAYMENT_RECEIVED,
    MutationType.INVOICE_PAYMENT_SENT: TransactionType.PAYMENT_SENT,
    MutationType.MONEY_RECEIVED: TransactionType.MONEY_RECEIVED,
    MutationType.MONEY_SENT: TransactionType.MONEY_SENT,
    MutationType.GENERAL_JOURNAL: TransactionType.JOURNAL,
}

# +1: rows are debits in this type's normal direction; -1: credits.
ROW_SIGN = {
    MutationType.INVOICE_RECEIVED: 1,
    MutationType.INVOICE_SENT: -1,
    MutationType.INVOICE_PAYMENT_RECEIVED: -1,
    MutationType.INVOICE_PAYMENT_SENT: 1,
    MutationType.MONEY_RECEIVED: -1,
    MutationType.MONEY_SENT: 1,
    MutationType.GENERAL_JOURNAL: 1,
}
INPUT_VAT_TYPES = {MutationType.INVOICE_RECEIVED, MutationType.MONEY_SENT}
OUTPUT_VAT_TYPES = {MutationType.INVOICE_SENT, MutationType.MONEY_RECEIVED}


# Why a record is set aside, in English as the run stores it; shown translated (monitr.web.stored_text).
NO_VAT_LEDGER = stored_pattern(gettext_noop("The administration has no VAT ledger of category %(categories)s."))
NOT_ONE_ENTRY = stored_pattern(gettext_noop("A mutation of type %(type)s (%(name)s) cannot be booked as one entry."))


class MappingError(ValueError):
    """A mutation cannot be turned into lines (for example: VAT but no VAT ledger of that kind exists)."""


class VatLedgers:
    """The administration's system VAT ledgers, found by category (``AF19``, ``AF6``, ``AFOVERIG``/``AF``,
    ``VOOR``), and which of them a VAT code books on."""

    def __init__(self, by_category: Mapping[str, str]) -> None:
        self.by_category = {category.upper(): ledger_id for category, ledger_id in by_category.items()}

    def _first(self, *categories: str) -> str:
        for category in categories:
            if category in self.by_category:
                return self.by_category[category]
        raise MappingError(NO_VAT_LEDGER % {"categories": "/".join(categories)})

    def ledger_for(self, vat_code: str, *, kind: MutationType) -> str:
        code = (vat_code or "").upper()
        if kind in INPUT_VAT_TYPES:
            return self._first("VOOR")
        # Output VAT: the rate in the code picks the ledger ("HOOG_VERK_21" high, "LAAG_VERK_9" low).
        if "HOOG" in code or "21" in code:
            return self._first("AF19", "AFOVERIG", "AF")
        if "LAAG" in code or code.endswith(("_9", "_6")):
            return self._first("AF6", "AFOVERIG", "AF")
        return self._first("AFOVERIG", "AF")


def header_fingerprint(header: MutationHeader) -> str:
    """A short digest of what the mutation list shows of a mutation; a changed digest means: fetch it again.

    The REST list shows a few header fields only, so an edit of a description, a relation or a payment term leaves
    this digest as it was: those edits arrive through the rotating re-read of details (``MutationsStream``)."""
    parts: tuple = (
        header.type.value,
        header.date,
        header.invoice_number,
        header.entry_number,
        header.ledger_id,
        header.amount,
    )
    if header.digest is not None:
        parts += (header.digest,)
    return hashlib.blake2b(repr(parts).encode(), digest_size=10).hexdigest()


def opening_balance_fingerprint(headers: Iterable[MutationHeader]) -> str:
    parts = sorted((h.ledger_id or 0, str(h.amount)) for h in headers)
    return hashlib.blake2b(repr(parts).encode(), digest_size=10).hexdigest()


def opening_balance_id(header: MutationHeader) -> str:
    """The many id-0 list items of one date are one transaction, keyed so they never collide with a mutation."""
    return f"opening-{header.date.isoformat()}" if header.date else "opening"


def opening_balance_record(headers: list[MutationHeader], *, default_date: dt.date) -> TransactionRecord:
    """The opening balance: one line per ledger, the amount as given (positive = debit). Items without a date
    (the list may leave it out) take ``default_date``, the first day of the window that listed them."""
    first = headers[0]
    lines = tuple(
        LineRecord(account_external_id=str(h.ledger_id), amount=_cents(h.amount)) for h in headers if h.amount
    )
    return TransactionRecord(
        external_id=opening_balance_id(first),
        transaction_type=TransactionType.OPENING_BALANCE,
        date=first.date or default_date,
        fingerprint=opening_balance_fingerprint(headers),
        lines=lines,
        # No words of Monitr's own stored as the books' text: the type ("Opening balance", in the reader's
        # language) says what it is wherever the transaction is shown.
        description="",
    )


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def _row_vat(row: MutationRow) -> Decimal:
    return _cents(row.vat_amount) if row.vat_amount is not None else ZERO


def mutation_lines(mutation: Mutation, vat_ledgers: VatLedgers) -> tuple[LineRecord, ...]:
    """The signed lines of one mutation, header last; they sum to zero."""
    kind = mutation.type
    if kind not in ROW_SIGN:
        # Type 0 is the opening balance, which the list gives as id-0 items; a whole mutation of type 0 has no rows
        # this table can book.
        raise MappingError(NOT_ONE_ENTRY % {"type": int(kind), "name": kind.name.lower()})
    sign = ROW_SIGN[kind]
    vat_types = INPUT_VAT_TYPES | OUTPUT_VAT_TYPES
    includes_vat = (mutation.in_ex_vat or "").upper() == "IN"
    relation = str(mutation.relation_id) if mutation.relation_id else None
    lines: list[LineRecord] = []
    vat_totals: dict[str, Decimal] = {}
    for row in mutation.rows:
        vat = _row_vat(row) if kind in vat_types else ZERO
        net = _cents(row.amount) - vat if includes_vat else _cents(row.amount)
        lines.append(
            LineRecord(
                account_external_id=str(row.ledger_id),
                amount=sign * net,
                vat_code=row.vat_code or "",
                vat_amount=sign * vat if vat else None,
                description=row.description or "",
                invoice_number=row.invoice_number or "",
                relation_external_id=str(row.relation_id) if row.relation_id else relation,
                cost_center_external_id=str(row.cost_centre_id) if row.cost_centre_id else None,
            )
        )
        if vat:
            ledger = vat_ledgers.ledger_for(row.vat_code or "", kind=kind)
            vat_totals[ledger] = vat_totals.get(ledger, ZERO) + vat
    # The VAT lines are Monitr's, not the books' words: no description of their own (their account says what they
    # are, and the pages show the transaction's description on them), so none is stored in one language.
    for ledger, vat in vat_totals.items():
        lines.append(LineRecord(account_external_id=ledger, amount=sign * vat, relation_external_id=relation))
    header_amount = -sum((line.amount for line in lines), ZERO)
    if mutation.ledger_id:
        lines.append(
            LineRecord(
                account_external_id=str(mutation.ledger_id),
                amount=header_amount,
                description=mutation.description or "",
                invoice_number=mutation.invoice_number or "",
                relation_external_id=relation,
            )
        )
    # A line of zero says nothing and the source shows none: leave it out.
    return tuple(line for line in lines if line.amount)


def mutation_record(mutation: Mutation, fingerprint: str, vat_ledgers: VatLedgers) -> TransactionRecord:
    return TransactionRecord(
        external_id=str(mutation.id),
        transaction_type=TRANSACTION_TYPES[mutation.type],
        date=mutation.date,
        fingerprint=fingerprint,
        lines=mutation_lines(mutation, vat_ledgers),
        description=mutation.description or "",
        invoice_number=mutation.invoice_number or "",
        entry_number=mutation.entry_number or "",
        relation_external_id=str(mutation.relation_id) if mutation.relation_id else None,
        account_external_id=str(mutation.ledger_id) if mutation.ledger_id else None,
        vat_inclusive=None if mutation.in_ex_vat is None else mutation.in_ex_vat.upper() == "IN",
        payment_term_days=invoice_payment_term(mutation),
    )


# How a mutation set aside is named in the sync history, in English as the run stores it; shown translated
# (monitr.web.stored_text).
MUTATION = stored_pattern(gettext_noop("Mutation %(id)s of %(date)s"))
MUTATION_WITH_INVOICE = stored_pattern(gettext_noop("Mutation %(id)s of %(date)s, invoice %(invoice)s"))


def mutation_label(external_id: object, date: dt.date, invoice_number: str | None) -> str:
    """How people recognise a mutation in a list of records set aside: its number, date and invoice."""
    if invoice_number:
        return MUTATION_WITH_INVOICE % {"id": external_id, "date": date.isoformat(), "invoice": invoice_number}
    return MUTATION % {"id": external_id, "date": date.isoformat()}


def invoice_payment_term(mutation: Mutation) -> int | None:
    """An invoice's own term in days; None (so the relation's or the organisation's applies) when the source
    gives 0 or nothing, and for other types, whose ``termOfPayment`` carries no meaning."""
    if mutation.type not in {MutationType.INVOICE_RECEIVED, MutationType.INVOICE_SENT}:
        return None
    return mutation.term_of_payment or None
