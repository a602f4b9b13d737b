"""Reading e-Boekhouden's REST JSON into DTOs: numbers as ``Decimal``, keys matched case-insensitively.

The live service answers camelCase (``invoiceNumber``) while the spec's examples are PascalCase
(``InvoiceNumber``); both must parse, so every object's keys are folded to lower case while the text is decoded.
Numbers with a fraction become ``Decimal`` straight from their digits, so ``0.1 + 0.2`` stays ``0.3``.

Anything that is not the promised shape raises :class:`ParseError`; the client turns it into
:class:`~integrations.errors.GarbledResponse` naming the endpoint, never quoting the body. A value of the promised
shape that no record can hold (a date in the year 10000, a whole number of a thousand digits) raises
:class:`UnreadableValue` instead: the gateway hands that one record over as :class:`~.dto.Unreadable`, and the
import sets it aside rather than stop.
"""

from __future__ import annotations

import builtins
import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_noop

from monitr.web.stored_text import stored_pattern

from .dto import (
    Administration,
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
    VatLine,
)

# A whole number beyond this is no id, term or count e-Boekhouden has; turning a number written as "1e999999999"
# into an int would take the process's memory.
MAX_WHOLE_NUMBER = 10**18
# The shape of an ISO date, also with a year of five digits or a sign: such a value is a date the source holds that
# Python cannot, not a garbled answer.
_DATE_SHAPED = re.compile(r"^[+-]?\d{4,}-\d{1,2}-\d{1,2}")


# Why a record cannot be read, in English as a sync stores it (the field is named as the service names it); shown
# translated (monitr.web.stored_text).
OUT_OF_RANGE = stored_pattern(gettext_noop("Its %(name)s %(value)s is out of the range Monitr can read."))


class ParseError(ValueError):
    """The answer is not what the contract promises. The message names the field, never its value."""


class UnreadableValue(ParseError):
    """One record holds a value of the promised shape that cannot be read into a DTO (out of range)."""


def _fold_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    return {key.lower(): value for key, value in pairs}


def loads(text: str | bytes) -> Any:
    """Decode JSON with ``Decimal`` for fractional numbers and lower-cased object keys."""
    try:
        return json.loads(text, parse_float=Decimal, object_pairs_hook=_fold_keys)
    except (ValueError, RecursionError) as exc:
        raise ParseError("the answer is not valid JSON") from exc


def envelope_items(document: Any) -> list[Mapping[str, Any]]:
    """The ``items`` of a list answer ``{"items": [...], "count": n}``; ``null`` items mean an empty page."""
    if not isinstance(document, Mapping):
        raise ParseError("a list answer must be a JSON object")
    items = document.get("items")
    if items is None:
        # "items" may be null on an empty page; a page that claims a count but has no items is broken.
        if ("items" in document or "count" in document) and document.get("count") in (None, 0, "0"):
            return []
        raise ParseError("a list answer must have 'items'")
    if not isinstance(items, list) or not all(isinstance(item, Mapping) for item in items):
        raise ParseError("'items' must be a list of objects")
    return items


def envelope_count(document: Any) -> int | None:
    """The ``count`` of a list answer: how many items the whole list holds over its filter; None when the answer
    does not say it as a whole number."""
    count = document.get("count") if isinstance(document, Mapping) else None
    if isinstance(count, str) and count.isdigit():
        count = int(count)
    return count if isinstance(count, int) and not isinstance(count, bool) and 0 <= count < MAX_WHOLE_NUMBER else None


class Fields:
    """Typed access to one JSON object whose keys :func:`loads` has already folded to lower case."""

    __slots__ = ("_object", "_what")

    def __init__(self, obj: Any, what: str) -> None:
        if not isinstance(obj, Mapping):
            raise ParseError(f"{what} must be a JSON object")
        self._object = obj
        self._what = what

    def _raw(self, name: str) -> Any:
        return self._object.get(name.lower())

    def _fail(self, name: str, expected: str) -> ParseError:
        return ParseError(f"{self._what}.{name} must be {expected}")

    def _out_of_range(self, name: str, value: object) -> UnreadableValue:
        shown = str(value) if len(str(value)) <= 40 else str(value)[:37] + "..."
        return UnreadableValue(OUT_OF_RANGE % {"name": name, "value": shown})

    def has(self, name: str) -> bool:
        return self._raw(name) is not None

    def int(self, name: str) -> int:
        value = self.opt_int(name)
        if value is None:
            raise self._fail(name, "present")
        return value

    def opt_int(self, name: str) -> builtins.int | None:  # int alone is the method above, in this class
        value = self._raw(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise self._fail(name, "a whole number")
        if isinstance(value, int):
            if abs(value) >= MAX_WHOLE_NUMBER:
                raise self._out_of_range(name, value)
            return value
        if isinstance(value, Decimal | str):
            try:
                number = Decimal(value)
            except InvalidOperation:
                raise self._fail(name, "a whole number") from None
            if number.is_finite() and number.copy_abs() >= MAX_WHOLE_NUMBER:
                raise self._out_of_range(name, value)
            if number.is_finite() and number == number.to_integral_value():
                return int(number)
        raise self._fail(name, "a whole number")

    def decimal(self, name: str) -> Decimal:
        value = self.opt_decimal(name)
        if value is None:
            raise self._fail(name, "present")
        return value

    def opt_decimal(self, name: str) -> Decimal | None:
        value = self._raw(name)
        if value is None:
            return None
        if isinstance(value, bool):
            raise self._fail(name, "a number")
        if isinstance(value, Decimal):
            return value
        if isinstance(value, int | str):
            try:
                number = Decimal(value)
            except InvalidOperation:
                raise self._fail(name, "a number") from None
            if number.is_finite():
                return number
        raise self._fail(name, "a number")

    def text(self, name: str) -> str:
        value = self._raw(name)
        if not isinstance(value, str):
            raise self._fail(name, "text")
        return value

    def opt_text(self, name: str) -> str | None:
        value = self._raw(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            # Codes such as "1001" sometimes arrive as numbers; they are still codes.
            return str(value)
        raise self._fail(name, "text")

    def date(self, name: str) -> dt.date:
        value = self.opt_date(name)
        if value is None:
            raise self._fail(name, "a date")
        return value

    def opt_date(self, name: str) -> dt.date | None:
        value = self._raw(name)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise self._fail(name, "a date")
        try:
            # "2025-01-26" as the spec says; tolerate a time part ("2025-01-26T00:00:00").
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            if _DATE_SHAPED.match(value):
                raise self._out_of_range(name, value) from None
            raise self._fail(name, "a date") from None

    def opt_bool(self, name: str) -> bool | None:
        value = self._raw(name)
        if value is None:
            return None
        if isinstance(value, bool):
            return value
        raise self._fail(name, "true or false")

    def list(self, name: str) -> list[Any]:
        value = self._raw(name)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self._fail(name, "a list")
        return value


def _mutation_type(fields: Fields, *, default: MutationType | None = None) -> MutationType:
    number = fields.opt_int("type")
    if number is None:
        if default is None:
            raise ParseError("mutation.type must be present")
        return default
    try:
        return MutationType(number)
    except ValueError:
        raise ParseError("mutation.type must be 0..7") from None


def _optional_reference(fields: Fields, name: str) -> int | None:
    # e-Boekhouden writes 0 for "no relation" / "no cost centre" as often as it leaves the field out.
    value = fields.opt_int(name)
    return value or None


def administration_from_json(obj: Any) -> Administration:
    f = Fields(obj, "administration")
    return Administration(guid=f.text("guid"), company=f.opt_text("company") or "")


def ledger_from_json(obj: Any) -> Ledger:
    f = Fields(obj, "ledger")
    return Ledger(
        id=f.int("id"),
        code=f.opt_text("code") or "",
        description=f.opt_text("description") or "",
        category=f.opt_text("category") or "",
        group=f.opt_text("group"),
    )


def relation_from_json(obj: Any) -> Relation:
    f = Fields(obj, "relation")
    return Relation(
        id=f.int("id"),
        code=f.opt_text("code") or "",
        name=f.opt_text("name"),
        type=f.opt_text("type"),
        contact=f.opt_text("contact"),
        email=f.opt_text("emailAddress"),
        email_invoice=f.opt_text("emailAddressInvoice"),
        email_reminder=f.opt_text("emailAddressReminder"),
        address=f.opt_text("address"),
        postal_code=f.opt_text("postalCode"),
        city=f.opt_text("city"),
        country=f.opt_text("country"),
        vat_number=f.opt_text("vatNumber"),
        coc_number=f.opt_text("companyRegistrationNumber"),
        iban=f.opt_text("iban"),
        term_of_payment=f.opt_int("termOfPayment"),
        ledger_id=_optional_reference(f, "ledgerId"),
        inactive=f.opt_bool("inactive"),
    )


def cost_centre_from_json(obj: Any) -> CostCentre:
    f = Fields(obj, "costcenter")
    return CostCentre(
        id=f.int("id"),
        description=f.opt_text("description") or "",
        parent_id=_optional_reference(f, "parentId"),
        active=f.opt_bool("active"),
    )


def mutation_header_from_json(obj: Any) -> MutationHeader:
    f = Fields(obj, "mutation")
    mutation_id = f.int("id")
    return MutationHeader(
        id=mutation_id,
        # Opening-balance items sometimes leave out their type; id 0 is the opening balance by definition.
        type=_mutation_type(f, default=MutationType.OPENING_BALANCE if mutation_id == 0 else None),
        date=f.opt_date("date"),
        ledger_id=f.opt_int("ledgerId"),
        amount=f.decimal("amount"),
        invoice_number=f.opt_text("invoiceNumber"),
        entry_number=f.opt_text("entryNumber"),
    )


def _row_from_json(obj: Any) -> MutationRow:
    f = Fields(obj, "mutation.rows[]")
    return MutationRow(
        ledger_id=f.int("ledgerId"),
        amount=f.decimal("amount"),
        vat_code=f.opt_text("vatCode"),
        vat_amount=f.opt_decimal("vatAmount"),
        cost_centre_id=_optional_reference(f, "costCenterId"),
        description=f.opt_text("description"),
        invoice_number=f.opt_text("invoiceNumber"),
        relation_id=_optional_reference(f, "relationId"),
    )


def _vat_from_json(obj: Any) -> VatLine:
    f = Fields(obj, "mutation.vat[]")
    return VatLine(vat_code=f.opt_text("vatCode") or "", amount=f.decimal("amount"))


def mutation_from_json(obj: Any) -> Mutation:
    f = Fields(obj, "mutation")
    return Mutation(
        id=f.int("id"),
        type=_mutation_type(f),
        date=f.date("date"),
        ledger_id=_optional_reference(f, "ledgerId"),
        rows=tuple(_row_from_json(row) for row in f.list("rows")),
        vat=tuple(_vat_from_json(line) for line in f.list("vat")),
        description=f.opt_text("description"),
        term_of_payment=f.opt_int("termOfPayment"),
        relation_id=_optional_reference(f, "relationId"),
        in_ex_vat=f.opt_text("inExVat"),
        invoice_number=f.opt_text("invoiceNumber"),
        entry_number=f.opt_text("entryNumber"),
    )


def outstanding_item_from_json(obj: Any, side: Side) -> OutstandingItem:
    f = Fields(obj, "outstanding")
    return OutstandingItem(
        side=side,
        date=f.date("date"),
        invoice_number=f.opt_text("invoiceNumber"),
        relation_id=_optional_reference(f, "relationId"),
        relation_code=f.opt_text("relationCode"),
        company=f.opt_text("company"),
        total_amount=f.decimal("totalAmount"),
        paid_amount=f.opt_decimal("paidAmount") or Decimal(0),
        outstanding_amount=f.decimal("outstandingAmount"),
        mutation_id=f.opt_int("mutationId"),
    )


def ledger_balance_from_json(obj: Any, ledger_ids: Mapping[str, int]) -> LedgerBalance:
    f = Fields(obj, "balance")
    code = f.opt_text("code") or ""
    return LedgerBalance(
        ledger_code=code,
        category=f.opt_text("type"),
        balance=f.decimal("balance"),
        ledger_id=ledger_ids.get(code),
    )


def unreadable(obj: Any, kind: str, error: UnreadableValue, *, key: str = "id") -> Unreadable:
    """The record ``obj`` (of ``kind``: "mutation", "relation", ...) as far as it can be named, and why it cannot
    be read. Its id is the source's when that reads, else a digest of the record, stable from one sync to the next."""
    external_id = None
    if isinstance(obj, Mapping):
        try:
            number = Fields(obj, kind).opt_int(key)
            external_id = str(number) if number is not None else None
        except ParseError:
            external_id = None
    if external_id is None:
        digest = hashlib.blake2b(repr(sorted(obj.items()) if isinstance(obj, Mapping) else obj).encode(), digest_size=8)
        external_id = f"unreadable-{digest.hexdigest()}"
    return Unreadable(kind=kind, external_id=external_id, reason=str(error))
