"""The columns a ledger file may have, the header names that mean each, and the column mapping for other layouts.

Public interface (used by the upload pages and the ``import_ledger_file`` command):

- :data:`JOURNAL_FIELDS` and :data:`OPEN_ITEM_FIELDS`: every field in the order a mapping form lists them, each a
  :class:`Field` with its key (``date``, ``entry``, ...), a label, whether it is required, and the header names
  (English and Dutch) that are recognised without a mapping.
- :func:`normalise_header`: how headers are compared (case, spaces, ``_``, ``-`` and ``.`` do not count).
- :func:`guess_columns`: ``{field key: header}`` for the headers the default names recognise; what a mapping form
  starts from.
- :func:`parse_columns`: the command line's ``date=Boekdatum,entry=Nr`` as a mapping.
- :func:`resolve_columns`: a table's headers and a mapping (field key → header) as ``{field key: column index}``,
  reporting unknown fields, headers not found and missing required columns.

A mapping names a header per field; fields it leaves out are found by their default names. A mapping is the same
for both files: a key of :data:`OPEN_ITEM_FIELDS` prefixed ``open_items.`` maps the open-items file
(``open_items.amount_open=Saldo``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from monitr.web.stored_text import stored_pattern

from .report import Report

OPEN_ITEMS_PREFIX = "open_items."

# What a report says of the columns, in English as the report is stored; the pages show it translated
# (monitr.web.stored_text). The list of headers found is "none" (translated) when there are none.
NO_HEADERS = gettext_noop("none")
UNKNOWN_FIELD = stored_pattern(
    gettext_noop("The column mapping names %(key)s, which is not a field. The fields are: %(fields)s.")
)
NO_SUCH_HEADER = stored_pattern(
    gettext_noop(
        "The column mapping names the header %(header)s for %(key)s, but the file has no such header. The headers "
        "found are: %(headers)s."
    ),
    translated=("headers",),
)
MISSING_COLUMN = stored_pattern(
    gettext_noop(
        "Missing required column: %(missing)s. The headers found are: %(headers)s. Rename the headers, or map them in "
        "the column mapping (for example date=Boekdatum)."
    ),
    translated=("headers",),
)
MISSING_COLUMNS = stored_pattern(
    gettext_noop(
        "Missing required columns: %(missing)s. The headers found are: %(headers)s. Rename the headers, or map them "
        "in the column mapping (for example date=Boekdatum)."
    ),
    translated=("headers",),
)


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    label: Any  # a lazy translation
    # Header names recognised without a mapping, already normalised (see normalise_header).
    names: tuple[str, ...]
    required: bool = False
    help: Any = ""  # a lazy translation


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def normalise_header(header: object) -> str:
    """A header as compared with the names: lower case, without spaces, ``_``, ``-``, ``.``, ``/``, ``#`` or a
    byte-order mark, so ``Account code``, ``account_code`` and ``ACCOUNT-CODE`` are one name."""
    text = "" if header is None else str(header)
    return re.sub(r"[\s_\-./#\ufeff]+", "", text).casefold()


JOURNAL_FIELDS: tuple[Field, ...] = (
    Field(
        "date",
        _("Date"),
        _names("date bookingdate entrydate transactiondate datum boekdatum boekingsdatum mutatiedatum"),
        required=True,
    ),
    Field(
        "entry",
        _("Entry number"),
        _names(
            "entry entrynumber entryno journalentry voucher vouchernumber boeking boekingsnummer boekingnummer "
            "boekstuk boekstuknummer boekstuknr mutatie mutatienummer mutatienr journaalpost"
        ),
        required=True,
        help=_("The lines of one entry share its number; each entry must balance."),
    ),
    Field(
        "account_code",
        _("Account code"),
        _names(
            "accountcode account accountnumber accountno ledger ledgeraccount glaccount rekening rekeningnummer "
            "rekeningcode grootboekrekening grootboek grootboeknummer grootboekcode grootboekrekeningnummer"
        ),
        required=True,
    ),
    Field(
        "account_name",
        _("Account name"),
        _names(
            "accountname accountdescription ledgername rekeningnaam rekeningomschrijving grootboeknaam "
            "grootboekrekeningnaam grootboekomschrijving"
        ),
    ),
    Field(
        "description",
        _("Description"),
        _names("description memo text narration omschrijving boekingsomschrijving mutatieomschrijving tekst"),
    ),
    Field("debit", _("Debit"), _names("debit dr debet")),
    Field("credit", _("Credit"), _names("credit cr")),
    Field(
        "amount",
        _("Amount (signed, debit positive)"),
        _names("amount signedamount bedrag"),
        help=_("Instead of debit and credit: one signed amount, debit positive."),
    ),
    Field(
        "account_type",
        _("Account type"),
        _names("accounttype rekeningsoort soort rekeningtype typerekening soortrekening"),
        help=_("revenue, cost, bank, cash, receivable, payable, vat, equity, asset or liability (or in Dutch)."),
    ),
    Field(
        "relation",
        _("Relation"),
        _names("relation relationname customersupplier contact relatie relatienaam relatiecode"),
    ),
    Field(
        "invoice_number", _("Invoice number"), _names("invoicenumber invoice invoiceno factuurnummer factuur factuurnr")
    ),
    Field("due_date", _("Due date"), _names("duedate due vervaldatum vervaldag")),
    Field("cost_centre", _("Cost centre"), _names("costcentre costcenter kostenplaats kostencentrum")),
)

OPEN_ITEM_FIELDS: tuple[Field, ...] = (
    Field(
        "side",
        _("Side"),
        _names("side kind kant soort debiteurcrediteur type"),
        required=True,
        help=_("receivable or payable (debiteur or crediteur)."),
    ),
    Field("relation", _("Relation"), _names("relation relationname customersupplier relatie relatienaam relatiecode")),
    Field(
        "invoice_number", _("Invoice number"), _names("invoicenumber invoice invoiceno factuurnummer factuur factuurnr")
    ),
    Field("invoice_date", _("Invoice date"), _names("invoicedate date factuurdatum datum"), required=True),
    Field("due_date", _("Due date"), _names("duedate due vervaldatum vervaldag")),
    Field(
        "amount_open",
        _("Amount open"),
        _names("amountopen openamount outstanding open balance openstaand openstaandbedrag bedragopen saldo"),
        required=True,
    ),
    Field(
        "total",
        _("Invoice total"),
        _names("total invoicetotal invoiceamount totaal factuurbedrag"),
        help=_("The invoice's whole amount; without it the open amount is taken as the total."),
    ),
)

FIELDS_BY_KIND: dict[str, tuple[Field, ...]] = {"journal": JOURNAL_FIELDS, "open_items": OPEN_ITEM_FIELDS}


def guess_columns(headers: Sequence[object], kind: str = "journal") -> dict[str, str]:
    """``{field key: header}`` for every field one of ``headers`` names by a default name (the first such header)."""
    return {key: str(headers[index]) for key, index in _guess([normalise_header(h) for h in headers], kind).items()}


def _guess(normalised: Sequence[str | None], kind: str) -> dict[str, int]:
    """``{field key: column index}`` by the default names; a column that is None is taken already."""
    found: dict[str, int] = {}
    used: set[int] = set()
    for field in FIELDS_BY_KIND[kind]:
        for name in field.names:  # the names in order of preference: the field's own key first
            index = next((i for i, h in enumerate(normalised) if h == name and i not in used), None)
            if index is not None:
                found[field.key] = index
                used.add(index)
                break
    if "debit" in found or "credit" in found:
        found.pop("amount", None)  # debit and credit win over a signed amount; a mapping can choose the amount
    return found


def parse_columns(text: str | Iterable[str]) -> dict[str, str]:
    """``date=Boekdatum,entry=Nr`` (or several such strings) as ``{"date": "Boekdatum", "entry": "Nr"}``.
    Raises ValueError with a message naming the part that is not ``field=header``."""
    parts = [text] if isinstance(text, str) else list(text)
    mapping: dict[str, str] = {}
    for part in parts:
        for item in part.split(","):
            if not item.strip():
                continue
            key, sep, header = item.partition("=")
            if not sep or not key.strip() or not header.strip():
                raise ValueError(f"{item.strip()!r} is not field=header (for example date=Boekdatum).")
            mapping[key.strip()] = header.strip()
    return mapping


def split_columns(mapping: Mapping[str, str] | None) -> tuple[dict[str, str], dict[str, str]]:
    """A mapping as (the journal's, the open items') by the ``open_items.`` prefix."""
    journal: dict[str, str] = {}
    open_items: dict[str, str] = {}
    for key, header in (mapping or {}).items():
        if key.startswith(OPEN_ITEMS_PREFIX):
            open_items[key.removeprefix(OPEN_ITEMS_PREFIX)] = header
        else:
            journal[key] = header
    return journal, open_items


def resolve_columns(
    headers: Sequence[object], mapping: Mapping[str, str] | None, *, kind: str, report: Report, file: str
) -> dict[str, int] | None:
    """``{field key: column index}`` for ``headers``, or None after reporting why the table cannot be read: a mapping
    naming an unknown field or a header the file lacks, or a required column that is missing."""
    fields = {f.key: f for f in FIELDS_BY_KIND[kind]}
    normalised = [normalise_header(h) for h in headers]
    found_list = ", ".join(str(h) for h in headers if str(h or "").strip()) or NO_HEADERS
    columns: dict[str, int] = {}
    ok = True
    for key, header in (mapping or {}).items():
        if key not in fields:
            known = ", ".join(fields)
            report.add(UNKNOWN_FIELD % {"key": repr(key), "fields": known}, file=file)
            ok = False
            continue
        if not str(header).strip():
            continue  # an empty choice in a mapping form: the field is not in this file
        index = next((i for i, h in enumerate(normalised) if h == normalise_header(header)), None)
        if index is None:
            report.add(
                NO_SUCH_HEADER % {"header": repr(header), "key": key, "headers": found_list},
                file=file,
                column=str(header),
            )
            ok = False
            continue
        columns[key] = index
    mapped = set(columns) | {k for k, h in (mapping or {}).items() if k in fields and not str(h).strip()}
    taken = set(columns.values())
    for key, index in _guess([None if i in taken else h for i, h in enumerate(normalised)], kind).items():
        if key in mapped:
            continue
        if kind == "journal" and key in {"debit", "credit", "amount"} and mapped & {"debit", "credit", "amount"}:
            continue  # a mapping that chose how amounts are given is not overruled by a default name
        columns[key] = index
    if kind == "journal" and "amount" in columns and ({"debit", "credit"} & set(columns)):
        if "amount" in (mapping or {}):
            columns.pop("debit", None)
            columns.pop("credit", None)
        else:
            columns.pop("amount")
    missing = [key for key, field in fields.items() if field.required and key not in columns]
    if kind == "journal" and "amount" not in columns and not {"debit", "credit"} <= set(columns):
        missing.append("debit and credit (or amount)")
    if missing:
        report.add(
            (MISSING_COLUMNS if len(missing) > 1 else MISSING_COLUMN)
            % {"missing": ", ".join(missing), "headers": found_list},
            file=file,
        )
        ok = False
    return columns if ok else None
