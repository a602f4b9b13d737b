"""The sandbox's records: administrations and what they hold, kept compact (slots, tuples, shared dates).

A mutation is stored the way e-Boekhouden stores it (a header ledger plus rows with their VAT), and its
double-entry lines are derived by ``journal.lines_of``; nothing else stores amounts per ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

# REST mutation types and their SOAP names (``enMutatieSoorten``), in the same order.
MUTATION_TYPES = (0, 1, 2, 3, 4, 5, 6, 7)
SOAP_TYPE_NAMES = (
    "OpeningsSaldo",
    "FactuurOntvangen",
    "FactuurVerstuurd",
    "FactuurbetalingOntvangen",
    "FactuurbetalingVerstuurd",
    "GeldOntvangen",
    "GeldUitgegeven",
    "Memoriaal",
)
INVOICE_TYPES = {1: "C", 2: "D"}  # invoice received -> creditors, invoice sent -> debtors
PAYMENT_TYPES = {4: "C", 3: "D"}  # payment sent pays creditors, payment received pays debtors


@dataclass(frozen=True, slots=True)
class Ledger:
    id: int
    code: str
    description: str
    category: str
    group: str


@dataclass(frozen=True, slots=True)
class Relation:
    id: int
    type: str  # "B" business, "P" person
    code: str
    name: str
    contact: str
    gender: str
    address: str
    postal_code: str
    city: str
    phone: str
    email: str
    website: str
    vat_number: str
    coc_number: str
    iban: str
    bic: str
    term_of_payment: int | None
    ledger_id: int | None
    inactive: bool
    created: date
    role: str  # "D" customer, "C" supplier: how the generator uses it; not shown by the API
    # How it pays its invoices, or how its invoices are paid (sandbox.habits.Habit); not shown by the API.
    payment_habit: str = "usual"
    country: str = "NL"  # as the API writes it: the Netherlands as "NL", a country abroad by its Dutch name
    email_reminder: str = ""  # where reminders go, when not to ``email``


@dataclass(frozen=True, slots=True)
class CostCentre:
    id: int
    description: str
    parent_id: int  # 0 for a top-level cost centre
    active: bool


@dataclass(frozen=True, slots=True)
class Row:
    ledger_id: int
    amount: Decimal  # as entered: incl. or excl. VAT per the mutation's inExVat; signed
    vat_code: str = "GEEN"
    vat_amount: Decimal = Decimal("0.00")
    cost_centre_id: int | None = None
    description: str | None = None  # None: derived from the ledger when shown
    invoice_number: str | None = None  # payments: the invoice this row pays
    relation_id: int | None = None


@dataclass(frozen=True, slots=True)
class Mutation:
    id: int
    type: int
    date: date
    ledger_id: int  # the header ledger; 0 for the opening balance
    rows: tuple[Row, ...]
    in_ex_vat: str = "EX"
    relation_id: int | None = None
    invoice_number: str = ""
    entry_number: str = ""
    term_of_payment: int = 0
    description: str | None = None  # None: derived from type, relation and invoice number when shown

    def with_changes(self, **changes: object) -> Mutation:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(slots=True)
class Credentials:
    """What a client needs to reach one administration. Mutable: tokens are rotated, expired, revoked."""

    api_token: str
    username: str
    security_code_1: str
    security_code_2: str
    api_status: str = "active"  # "active" | "expired" | "revoked"
    legacy_status: str = "active"
    retired_tokens: list[str] = field(default_factory=list)  # rotated away: answered like any invalid token


@dataclass(slots=True)
class Administration:
    """One company's books: everything but the mutations, which live in the store's book."""

    guid: str
    company: str
    city: str
    account: int  # the login (e-Boekhouden account) it belongs to
    accountant: bool  # the account manages other administrations (GET /v1/administration works)
    start_date: date  # the opening balance date
    end_date: date
    ledgers: tuple[Ledger, ...]
    relations: tuple[Relation, ...]
    cost_centres: tuple[CostCentre, ...]
    credentials: Credentials
    seed: str

    def ledger_by_code(self, code: str) -> Ledger:
        for ledger in self.ledgers:
            if ledger.code == code:
                return ledger
        raise KeyError(code)

    def ledger_by_category(self, category: str) -> Ledger:
        for ledger in self.ledgers:
            if ledger.category == category:
                return ledger
        raise KeyError(category)


@dataclass(frozen=True, slots=True)
class AdministrationInfo:
    """The public face of an administration for people and scripts: who it is and how to log in."""

    guid: str
    company: str
    account: int
    accountant: bool
    api_token: str
    username: str
    security_code_1: str
    security_code_2: str
    mutations: int

    def as_dict(self) -> dict[str, object]:
        return {
            "guid": self.guid,
            "company": self.company,
            "account": self.account,
            "accountant": self.accountant,
            "apiToken": self.api_token,
            "username": self.username,
            "securityCode1": self.security_code_1,
            "securityCode2": self.security_code_2,
            "mutations": self.mutations,
        }
