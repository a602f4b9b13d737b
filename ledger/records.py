"""The provider-neutral input of the ledger's write services.

A provider's importer maps its API's objects to these records; the services in :mod:`ledger.services` store them.
Records reference each other by the provider's external ids (a line names its account's ``external_id``), and the
services resolve those ids to rows. Amounts are :class:`~decimal.Decimal` with at most two places, never float:
a record refuses anything else at construction, so bad input fails before anything is written, and keeps its
amounts with exactly two places.

Text is taken as the source gives it (HTML, right-to-left marks and emoji are data; pages escape them), with three
exceptions that would otherwise stop an import: NUL characters are removed (PostgreSQL's text cannot hold them),
unpaired surrogates (which a JSON ``\\ud800`` escape can make, and UTF-8 cannot hold) become "\ufffd", and a name
or code longer than its column is shortened to fit, ending in "…".

Values outside the ranges of :mod:`ledger.limits` (a date in the year 9999, a negative payment term, an amount with
seventeen digits, an external id longer than its column) raise :class:`RefusedValue`, whose message says why in
words a person can act on: the importer sets such a record aside with that reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Context, Decimal, DecimalException, Inexact, InvalidOperation

from django.utils.translation import gettext_noop

from monitr.web.stored_text import stored_pattern

from . import limits

# The choices are re-exported so that an importer needs one import for everything it hands to the services.
from .models.choices import (
    AccountKind,
    AccountRole,
    OutstandingSide,
    ReconciliationCheck,
    SetAsideKind,
    TransactionType,
)
from .money import CENT, ZERO

__all__ = [
    "AccountKind",
    "AccountRecord",
    "AccountRole",
    "CostCenterRecord",
    "LineRecord",
    "OutstandingItemRecord",
    "OutstandingSide",
    "ReconciliationCheck",
    "ReconciliationRecord",
    "RefusedValue",
    "RelationRecord",
    "SetAsideEntry",
    "SetAsideKind",
    "TransactionRecord",
    "TransactionType",
    "checked_amount",
    "due_date_after",
]

# numeric(18, 2): at most eighteen digits; an amount that would need rounding to fit is refused, not rounded.
_EXACT = Context(prec=limits.MONEY_DIGITS, traps=[Inexact, InvalidOperation])


class RefusedValue(ValueError):
    """A value the ledger cannot store as given; the message is the reason, written for the people who can fix the
    source, and never holds more of the record than the refused value itself. It is stored in English and shown in
    the reader's language (monitr.web.stored_text): the reasons below are its patterns, the fields its words."""


# The fields a reason names, in the words it says them with (each translated when the reason is shown).
_FIELD_WORDS = {
    "amount": gettext_noop("amount"),
    "vat_amount": gettext_noop("VAT amount"),
    "total": gettext_noop("total"),
    "paid": gettext_noop("amount paid"),
    "outstanding": gettext_noop("amount outstanding"),
    "expected": gettext_noop("expected balance"),
    "actual": gettext_noop("imported balance"),
    "balance": gettext_noop("balance"),
    "date": gettext_noop("date"),
    "invoice_date": gettext_noop("invoice date"),
    "due_date": gettext_noop("due date"),
    "period_start": gettext_noop("start of the period"),
}
_TOO_LARGE = stored_pattern(
    gettext_noop(
        "The %(field)s (%(value)s) cannot be stored: Monitr keeps amounts of at most %(digits)s digits before the "
        "decimal point and two decimal places."
    ),
    translated=("field",),
)
_OUT_OF_DATES = stored_pattern(
    gettext_noop("The %(field)s (%(value)s) is outside the dates Monitr stores (%(earliest)s to %(latest)s)."),
    translated=("field",),
)
_OUT_OF_TERMS = stored_pattern(
    gettext_noop("The payment term of %(days)s days is outside the terms Monitr accepts (0 to %(most)s days)."),
    numbers=("days", "most"),
)
_ID_TOO_LONG = stored_pattern(
    gettext_noop("The id %(value)s is longer than the %(length)s characters Monitr keeps of an id.")
)
_ID_UNSTORABLE = stored_pattern(
    gettext_noop("The id %(value)s holds a character Monitr cannot store (a NUL or a lone surrogate).")
)


def _money(value: object, name: str) -> Decimal:
    """The amount with exactly two places; refuses what would not be stored exactly (floats, fractions of cents,
    NaN, too large). Two places always, so that equal amounts look alike when compared."""
    if type(value) is not Decimal:
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}: money is never float.")
    try:
        if value.is_finite():
            # Zero is 0.00: a "-0.00" from the source is the same amount.
            return value.quantize(CENT, context=_EXACT) or ZERO
    except DecimalException:
        pass
    whole = limits.MONEY_DIGITS - limits.MONEY_PLACES
    field = _FIELD_WORDS.get(name, name.replace("_", " "))
    raise RefusedValue(_TOO_LARGE % {"field": field, "value": _shown(value), "digits": whole})


def checked_amount(value: Decimal, name: str = "amount") -> Decimal:
    """``value`` as the ledger would store it (two places); raises :class:`RefusedValue` if it cannot be."""
    return _money(value, name)


def _shown(value: object) -> str:
    # A refused value goes into a reason people read: long enough to recognise, never a page of digits.
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _in_range(value: object, name: str, *, optional: bool = False) -> None:
    """Refuse a date outside ``limits.EARLIEST_DATE`` .. ``limits.LATEST_DATE``."""
    if value is None and optional:
        return
    if not isinstance(value, date):
        raise TypeError(f"{name} must be a date, not {type(value).__name__}.")
    if not limits.EARLIEST_DATE <= value <= limits.LATEST_DATE:
        field = _FIELD_WORDS.get(name, name.replace("_", " "))
        dates = {"earliest": limits.EARLIEST_DATE.isoformat(), "latest": limits.LATEST_DATE.isoformat()}
        raise RefusedValue(_OUT_OF_DATES % {"field": field, "value": value.isoformat(), **dates})


def _term(value: object) -> None:
    """Refuse a payment term (days) below zero or beyond ``limits.MAX_PAYMENT_TERM_DAYS``."""
    if value is None:
        return
    if type(value) is not int:
        raise TypeError(f"payment term must be a whole number of days, not {type(value).__name__}.")
    if not 0 <= value <= limits.MAX_PAYMENT_TERM_DAYS:
        raise RefusedValue(_OUT_OF_TERMS % {"days": f"{value:,}", "most": f"{limits.MAX_PAYMENT_TERM_DAYS:,}"})


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
    "address": 255,
    "postal_code": 50,
    "city": 100,
    "country": 100,
    "email": 254,
}


def _clean(value: str, limit: int | None) -> str:
    if "\x00" in value:
        value = value.replace("\x00", "")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            # Only surrogates fail here. Through UTF-16 a pair left as two characters becomes the one it stands for,
            # and a lone one becomes a single U+FFFD.
            value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    if limit is not None and len(value) > limit:
        value = value[: limit - 1] + "…"
    return value


def stored_text(value: str, name: str) -> str:
    """``value`` as the ledger stores it in the text field ``name`` (NULs removed, surrogates replaced, shortened
    to the column): what to look a stored text up by."""
    return _clean(value, TEXT_LIMITS.get(name))


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


def due_date_after(invoice_date: date, term_days: int) -> date:
    """The due date ``term_days`` after ``invoice_date``; refuses a term or a due date out of range (a date near
    the end of the calendar plus a term would otherwise overflow)."""
    _term(term_days)
    _in_range(invoice_date, "invoice_date")
    due = invoice_date + timedelta(days=term_days)  # within range: 2199-12-31 plus ten years is far from year 9999
    _in_range(due, "due_date")
    return due


def _identifier(value: str, name: str) -> None:
    """An external id: present, short enough for its column, and storable as it is. Unlike other text an id is
    never cleaned: two ids that differ only in a NUL would become one record."""
    _required(value, name)
    if len(value) > limits.EXTERNAL_ID_LENGTH:
        raise RefusedValue(_ID_TOO_LONG % {"value": _shown(value), "length": limits.EXTERNAL_ID_LENGTH})
    if _clean(value, None) != value:
        raise RefusedValue(_ID_UNSTORABLE % {"value": _shown(_clean(value, None))})


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """One account (ledger) of the chart of accounts."""

    external_id: str
    code: str
    name: str
    kind: AccountKind
    category: str = ""  # the provider's category code, e.g. "DEB" or "VW", kept for reference only
    group: str = ""
    role: AccountRole = AccountRole.UNSPECIFIED  # what the account is for, in the ledger's own words

    def __post_init__(self) -> None:
        _identifier(self.external_id, "external_id")
        _set_text(self, "code", "name", "category", "group")


@dataclass(frozen=True, slots=True)
class RelationRecord:
    """A customer or supplier."""

    external_id: str
    code: str
    name: str
    relation_type: str = ""  # the provider's kind of relation, e.g. "B" business or "P" person
    payment_term_days: int | None = None
    # Its address, for statements: street and number, postal code, city, country; and its e-mail address.
    address: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = ""
    email: str = ""

    def __post_init__(self) -> None:
        _identifier(self.external_id, "external_id")
        _set_text(self, "code", "name", "relation_type", "address", "postal_code", "city", "country", "email")
        _term(self.payment_term_days)


@dataclass(frozen=True, slots=True)
class CostCenterRecord:
    """A cost centre lines can be booked on."""

    external_id: str
    name: str
    parent_external_id: str = ""
    active: bool = True

    def __post_init__(self) -> None:
        _identifier(self.external_id, "external_id")
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
        _identifier(self.account_external_id, "account_external_id")
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
        _identifier(self.external_id, "external_id")
        _set_text(self, "description", "invoice_number", "entry_number")
        if type(self.lines) is not tuple:
            raise TypeError("lines must be a tuple of LineRecord.")
        _in_range(self.date, "date")
        _term(self.payment_term_days)


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
        _identifier(self.external_id, "external_id")
        _set_text(self, "invoice_number")
        _in_range(self.invoice_date, "invoice_date")
        _in_range(self.due_date, "due_date", optional=True)
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
    reason: str = ""  # why they differ, where the check can tell: English, shown translated (monitr.web.stored_text)

    def __post_init__(self) -> None:
        _required(self.subject, "subject")
        _set_text(self, "subject")
        _in_range(self.period_start, "period_start")
        _set_money(self, "expected", "actual")


@dataclass(frozen=True, slots=True)
class SetAsideEntry:
    """A source record the importer could not store, and why. ``external_id`` is the source's id of the record
    (shortened to fit its column if it is the reason itself); ``record_date`` is the record's date when usable."""

    kind: SetAsideKind
    external_id: str
    reason: str
    label: str = ""
    record_date: date | None = None

    def __post_init__(self) -> None:
        _required(self.reason, "reason")
        object.__setattr__(self, "external_id", _clean(self.external_id, limits.EXTERNAL_ID_LENGTH) or "?")
        object.__setattr__(self, "label", _clean(self.label, TEXT_LIMITS["name"]))
        object.__setattr__(self, "reason", _clean(self.reason, None))
        if self.record_date is not None and not limits.EARLIEST_DATE <= self.record_date <= limits.LATEST_DATE:
            object.__setattr__(self, "record_date", None)
