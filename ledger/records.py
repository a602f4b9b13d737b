"""The provider-neutral input of the ledger's write services.

A provider's importer maps its API's objects to these records; the services in :mod:`ledger.services` store them.
Records reference each other by the provider's external ids (a line names its account's ``external_id``), and the
services resolve those ids to rows. Amounts are :class:`~decimal.Decimal` with at most two places, never float:
a record refuses anything else at construction, so bad input fails before anything is written, and keeps its
amounts with exactly two places.

Text is taken as the source gives it (HTML, right-to-left marks and emoji are data; pages escape them), with two
exceptions that would otherwise stop an import: NUL characters are removed (PostgreSQL's text cannot hold them),
and a name or code longer than its column is shortened to fit, ending in "…".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Context, Decimal, DecimalException, Inexact, InvalidOperation

# The choices are re-exported so that an importer needs one import for everything it hands to the services.
from .models.choices import AccountKind, OutstandingSide, ReconciliationCheck, TransactionType

__all__ = [
    "AccountKind",
    "AccountRecord",
    "CostCenterRecord",
    "LineRecord",
    "OutstandingItemRecord",
    "OutstandingSide",
    "ReconciliationCheck",
    "ReconciliationRecord",
    "RelationRecord",
    "TransactionRecord",
    "TransactionType",
]

_CENT = Decimal("0.01")
_ZERO = Decimal("0.00")
# numeric(18, 2): at most eighteen digits; an amount that would need rounding to fit is refused, not rounded.
_EXACT = Context(prec=18, traps=[Inexact, InvalidOperation])


def _money(value: object, name: str) -> Decimal:
    """The amount with exactly two places; refuses what would not be stored exactly (floats, fractions of cents,
    NaN, too large). Two places always, so that equal amounts look alike when compared."""
    if type(value) is not Decimal:
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}: money is never float.")
    try:
        if value.is_finite():
            # Zero is 0.00: a "-0.00" from the source is the same amount.
            return value.quantize(_CENT, context=_EXACT) or _ZERO
    except DecimalException:
        pass
    raise ValueError(f"{name} {value!r} is not an amount with at most two decimal places.")


def _set_money(record: object, *names: str, optional: bool = False) -> None:
    for name in names:
        value = getattr(record, name)
        if value is not None or not optional:
            # The records are frozen; this is their constructor, normalising its own input.
            object.__setattr__(record, name, _money(value, name))


# The lengths of the columns the shortened fields go to (tested against the models).
TEXT_LIMITS = {
    "code": 50,
    "name": 255,
    "category": 30,
    "group": 100,
    "relation_type": 20,
    "vat_code": 20,
    "entry_number": 100,
    "subject": 100,
    "parent_external_id": 100,
}


def _clean(value: str, limit: int | None) -> str:
    if "\x00" in value:
        value = value.replace("\x00", "")
    if limit is not None and len(value) > limit:
        value = value[: limit - 1] + "…"
    return value


def _set_text(record: object, *names: str) -> None:
    """Remove NUL characters from the record's text fields and shorten those with a column limit to fit it."""
    for name in names:
        value = getattr(record, name)
        if type(value) is str:
            cleaned = _clean(value, TEXT_LIMITS.get(name))
            if cleaned is not value:
                object.__setattr__(record, name, cleaned)


def _required(value: str, name: str) -> None:
    if not value:
        raise ValueError(f"{name} must not be empty.")


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """One account (ledger) of the chart of accounts."""

    external_id: str
    code: str
    name: str
    kind: AccountKind
    category: str = ""  # the provider's category code, e.g. "DEB" or "VW"
    group: str = ""

    def __post_init__(self) -> None:
        _required(self.external_id, "external_id")
        _set_text(self, "code", "name", "category", "group")


@dataclass(frozen=True, slots=True)
class RelationRecord:
    """A customer or supplier."""

    external_id: str
    code: str
    name: str
    relation_type: str = ""  # the provider's kind of relation, e.g. "B" business or "P" person
    payment_term_days: int | None = None

    def __post_init__(self) -> None:
        _required(self.external_id, "external_id")
        _set_text(self, "code", "name", "relation_type")


@dataclass(frozen=True, slots=True)
class CostCenterRecord:
    """A cost centre lines can be booked on."""

    external_id: str
    name: str
    parent_external_id: str = ""
    active: bool = True

    def __post_init__(self) -> None:
        _required(self.external_id, "external_id")
        _set_text(self, "name", "parent_external_id")


@dataclass(frozen=True, slots=True)
class LineRecord:
    """One double-entry line: a signed amount on one account, debit positive, credit negative."""

    account_external_id: str
    amount: Decimal
    vat_code: str = ""
    vat_amount: Decimal | None = None
    description: str = ""
    invoice_number: str = ""
    relation_external_id: str | None = None
    cost_center_external_id: str | None = None

    def __post_init__(self) -> None:
        _required(self.account_external_id, "account_external_id")
        _set_text(self, "vat_code", "description", "invoice_number")
        # Spelled out rather than through _set_money: a million lines go through here in an import.
        object.__setattr__(self, "amount", _money(self.amount, "amount"))
        if self.vat_amount is not None:
            object.__setattr__(self, "vat_amount", _money(self.vat_amount, "vat_amount"))


@dataclass(frozen=True, slots=True)
class TransactionRecord:
    """A transaction (a provider's mutation or journal entry) with all of its lines, in order.

    ``fingerprint`` is the importer's short summary of the source's version of the transaction (for e-Boekhouden:
    of the mutation list's header). It is stored, so that the next run can skip fetching details of unchanged
    transactions; the service also compares the lines themselves, so a change is never lost.
    """

    external_id: str
    transaction_type: TransactionType
    date: date
    fingerprint: str
    lines: tuple[LineRecord, ...]
    description: str = ""
    invoice_number: str = ""
    entry_number: str = ""
    relation_external_id: str | None = None
    account_external_id: str | None = None  # the header account (bank, debtors, creditors), when the provider has one
    vat_inclusive: bool | None = None  # whether the source's row amounts included VAT; None when not applicable
    payment_term_days: int | None = None  # the transaction's own term (an invoice's), which due dates come from

    def __post_init__(self) -> None:
        _required(self.external_id, "external_id")
        _set_text(self, "description", "invoice_number", "entry_number")
        if type(self.lines) is not tuple:
            raise TypeError("lines must be a tuple of LineRecord.")


@dataclass(frozen=True, slots=True)
class OutstandingItemRecord:
    """An open invoice: a receivable (a debtor owes us) or a payable (we owe a creditor)."""

    external_id: str
    source_external_id: str  # the transaction (mutation) that made the item
    invoice_number: str
    relation_external_id: str | None
    invoice_date: date
    due_date: date | None
    total: Decimal
    paid: Decimal
    outstanding: Decimal

    def __post_init__(self) -> None:
        _required(self.external_id, "external_id")
        _set_text(self, "invoice_number")
        _set_money(self, "total", "paid", "outstanding")


@dataclass(frozen=True, slots=True)
class ReconciliationRecord:
    """One check's outcome: what the provider says (expected) against what was imported (actual).

    For a ``ledger_month`` check the subject is the account's code and ``period_start`` the month's first day; for
    an ``open_items`` check the subject is the side and ``period_start`` the day the open items were compared.
    """

    kind: ReconciliationCheck
    subject: str
    period_start: date
    expected: Decimal
    actual: Decimal
    account_external_id: str | None = None

    def __post_init__(self) -> None:
        _required(self.subject, "subject")
        _set_text(self, "subject")
        _set_money(self, "expected", "actual")
