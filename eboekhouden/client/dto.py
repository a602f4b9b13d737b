"""What the e-Boekhouden gateway hands the importer: typed, immutable values, whichever protocol answered.

Amounts are ``Decimal`` taken from the answer's text, never via float (SOAP's ``xsd:double`` fields are the
one exception the protocol forces on us; see :mod:`eboekhouden.client.soap_gateway`). Dates are ``date``. Optional text
that the source sends as ``""`` or ``null`` is ``None``. Collections are tuples so a DTO is hashable and cannot
be changed after parsing.

Credentials live here too. Their ``repr`` and ``str`` never show a key or a security code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum, StrEnum


class MutationType(IntEnum):
    """e-Boekhouden's mutation types as the REST API numbers them (SOAP ``Soort`` names in the same order)."""

    OPENING_BALANCE = 0
    INVOICE_RECEIVED = 1
    INVOICE_SENT = 2
    INVOICE_PAYMENT_RECEIVED = 3
    INVOICE_PAYMENT_SENT = 4
    MONEY_RECEIVED = 5
    MONEY_SENT = 6
    GENERAL_JOURNAL = 7


class Side(StrEnum):
    """Which outstanding items: what debtors owe us (``D``) or what we owe creditors (``C``)."""

    DEBTORS = "D"
    CREDITORS = "C"


def _split_invoice_numbers(value: str | None) -> tuple[str, ...]:
    # A payment of several invoices carries them comma-separated in one field.
    if not value:
        return ()
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True, slots=True)
class Administration:
    """One set of books the credential can reach."""

    guid: str
    company: str


@dataclass(frozen=True, slots=True)
class Ledger:
    """One account of the chart of accounts: ``id`` is e-Boekhouden's internal number, ``code`` is for people."""

    id: int
    code: str
    description: str
    category: str
    group: str | None = None


@dataclass(frozen=True, slots=True)
class Relation:
    """A customer or supplier. ``type`` is ``B`` (business) or ``P`` (person)."""

    id: int
    code: str
    name: str | None = None
    type: str | None = None
    contact: str | None = None
    email: str | None = None
    # REST only: the addresses invoices and reminders go to, when they differ from ``email``.
    email_invoice: str | None = None
    email_reminder: str | None = None
    address: str | None = None  # the primary address: street and number
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None
    vat_number: str | None = None
    coc_number: str | None = None
    iban: str | None = None
    term_of_payment: int | None = None
    ledger_id: int | None = None
    inactive: bool | None = None


@dataclass(frozen=True, slots=True)
class CostCentre:
    """A cost centre. ``parent_id`` is ``None`` at the top of the tree."""

    id: int
    description: str
    parent_id: int | None = None
    active: bool | None = None


@dataclass(frozen=True, slots=True)
class MutationHeader:
    """One item of the mutation list: enough to notice new, changed and deleted mutations.

    The opening balance appears as several items with ``id`` 0 and type 0, one per ledger, each with only
    ``ledger_id`` and ``amount``; ``date`` may then be ``None``.
    """

    id: int
    type: MutationType
    date: dt.date | None
    ledger_id: int | None
    amount: Decimal
    invoice_number: str | None = None
    entry_number: str | None = None
    # A digest of the whole mutation, where the list carries it whole (SOAP): then an edit of anything the list
    # holds (a description, a relation, a payment term) changes the header's fingerprint.
    digest: str | None = None

    @property
    def is_opening_balance(self) -> bool:
        return self.id == 0

    @property
    def invoice_numbers(self) -> tuple[str, ...]:
        return _split_invoice_numbers(self.invoice_number)


@dataclass(frozen=True, slots=True)
class MutationRow:
    """One row of a mutation; ``amount`` includes VAT or not as the mutation's ``in_ex_vat`` says."""

    ledger_id: int
    amount: Decimal
    vat_code: str | None = None
    vat_amount: Decimal | None = None
    cost_centre_id: int | None = None
    description: str | None = None
    invoice_number: str | None = None
    relation_id: int | None = None


@dataclass(frozen=True, slots=True)
class VatLine:
    """The VAT total of one VAT code within a mutation."""

    vat_code: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Mutation:
    """A whole mutation: the header ledger and its rows and VAT totals."""

    id: int
    type: MutationType
    date: dt.date
    ledger_id: int | None
    rows: tuple[MutationRow, ...] = ()
    vat: tuple[VatLine, ...] = ()
    description: str | None = None
    term_of_payment: int | None = None
    relation_id: int | None = None
    in_ex_vat: str | None = None
    invoice_number: str | None = None
    entry_number: str | None = None

    @property
    def invoice_numbers(self) -> tuple[str, ...]:
        return _split_invoice_numbers(self.invoice_number)

    def row_amounts(self, row: MutationRow) -> tuple[Decimal, Decimal, Decimal]:
        """``(excl. VAT, VAT, incl. VAT)`` of one of this mutation's rows, signs kept.

        ``in_ex_vat == "IN"`` means the row amount includes its VAT; a row without a stated VAT amount has none.
        These are SOAP's ``BedragExclBTW``, ``BedragBTW`` and ``BedragInclBTW`` for the same row.
        """
        vat = row.vat_amount or Decimal(0)
        if self.in_ex_vat == "IN":
            return row.amount - vat, vat, row.amount
        return row.amount, vat, row.amount + vat


@dataclass(frozen=True, slots=True)
class OutstandingItem:
    """An invoice not (fully) paid yet, as e-Boekhouden lists it for one side."""

    side: Side
    date: dt.date
    invoice_number: str | None
    relation_id: int | None
    relation_code: str | None
    company: str | None
    total_amount: Decimal
    paid_amount: Decimal
    outstanding_amount: Decimal
    mutation_id: int | None = None


@dataclass(frozen=True, slots=True)
class LedgerBalance:
    """The balance of one ledger over a period, taken as debit-positive for every category."""

    ledger_code: str
    category: str | None
    balance: Decimal
    ledger_id: int | None = None


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A record the gateway could not read because one of its values is out of any range (a date in the year
    10000): handed over in the record's place, so that the import sets it aside and reads on. ``kind`` names what
    it is ("mutation", "relation", ...); ``external_id`` is the source's id if that much could be read."""

    kind: str
    external_id: str
    reason: str


# --- credentials ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, repr=False)
class ApiTokenCredentials:
    """An API token for the REST API (Beheer → Koppelingen → API); it belongs to one administration."""

    token: str

    def __repr__(self) -> str:
        return "ApiTokenCredentials(token=[redacted])"

    __str__ = __repr__

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.token,)


@dataclass(frozen=True, slots=True, repr=False)
class SoapCredentials:
    """Username and security codes for the legacy SOAP API; ``administration_guid`` opens a linked one."""

    username: str
    security_code_1: str
    security_code_2: str
    administration_guid: str | None = None

    def __repr__(self) -> str:
        guid = f", administration_guid={self.administration_guid!r}" if self.administration_guid else ""
        return f"SoapCredentials(username=[redacted], security_codes=[redacted]{guid})"

    __str__ = __repr__

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.security_code_1, self.security_code_2)
