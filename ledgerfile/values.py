"""Reading one cell as an amount, a date or text, the way spreadsheets write them.

Amounts: a decimal comma or a decimal point, decided once per file from all of its amounts
(:class:`DecimalStyleVote`), with thousands separators (``1.234,56``, ``1,234.56``, ``1 234,56``), a sign in front
or behind (``-12,50``, ``12,50-``), parentheses for a negative amount, and an optional ``€``/``EUR``. A number such
as ``1,500`` or ``1.500`` says nothing about the style (three digits after the only separator could be thousands);
when the file has no amount that decides, such a number is read with the separator as a thousands separator.

Dates: ISO (``2025-03-31``, ``2025/03/31``), and day first (``31-03-2025``, ``31/3/2025``, ``31.03.2025``) as Dutch
files write them; a date like ``04-05-2025`` is always the 4th of May, never April 5th. A time after the date is
ignored. Spreadsheet cells that hold a date (XLSX) are taken as they are, and so is a date stored as Excel's day
number in a cell without a date format.

Why not a library: ``babel.numbers.parse_decimal`` needs the locale known in advance and refuses the mix of
signs and currency marks exports use; ``dateutil`` guesses the order of day and month per value, where a ledger
needs one rule for the whole file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from django.utils.translation import gettext_noop

from ledger import limits
from monitr.web.stored_text import stored_pattern

# What a report says of a cell, in English as the report is stored; the pages show it translated
# (monitr.web.stored_text).
NOT_AN_AMOUNT = stored_pattern(gettext_noop("%(value)s is not an amount."))
TOO_LARGE = stored_pattern(gettext_noop("%(value)s is larger than the amounts Monitr stores."))
FRACTIONS_OF_A_CENT = stored_pattern(
    gettext_noop("%(value)s has fractions of a cent: amounts have at most two decimals.")
)
NOT_DECIMAL_COMMA = stored_pattern(gettext_noop("%(value)s is not an amount with a decimal comma."))
NOT_DECIMAL_POINT = stored_pattern(gettext_noop("%(value)s is not an amount with a decimal point."))
BADLY_GROUPED = stored_pattern(gettext_noop("%(value)s is not an amount: its thousands are not grouped by three."))
OUTSIDE_DATES = stored_pattern(
    gettext_noop("%(date)s is outside the dates Monitr stores (%(earliest)s to %(latest)s).")
)
NUMBER_NOT_DATE = stored_pattern(gettext_noop("%(value)s is a number, not a date."))
NOT_A_DATE = stored_pattern(
    gettext_noop("%(value)s is not a date Monitr reads: write 2025-03-31, 31-03-2025 or 31/03/2025 (day first).")
)
NO_SUCH_DAY = stored_pattern(
    gettext_noop(
        "%(value)s is not a date: there is no day %(day)s in month %(month)s of %(year)s (dates are read day first)."
    )
)

COMMA = ","
POINT = "."


class DecimalStyle(StrEnum):
    COMMA = "comma"
    POINT = "point"


_CURRENCY = re.compile(r"(€|eur\b|euro\b)", re.IGNORECASE)
# Spaces (also the no-break ones spreadsheets use) and apostrophes group thousands.
_GROUPING = re.compile(r"[\s\u00a0\u202f']")
_NUMBER = re.compile(r"^(\d[\d.,]*|[.,]\d+)$")


class ValueProblem(ValueError):
    """The cell cannot be read as the value its column holds; the message says why, for the person fixing it."""


@dataclass(frozen=True, slots=True)
class _Parts:
    negative: bool
    digits: str  # digits and separators only


# Most amounts are plain ("-1234.56"): read without the substitutions below, which a large file feels.
_PLAIN = re.compile(r"(-?)(\d+(?:[.,]\d+)?)")


def _split_sign(text: str) -> _Parts | None:
    if plain := _PLAIN.fullmatch(text):
        return _Parts(bool(plain[1]), plain[2])
    value = _GROUPING.sub("", _CURRENCY.sub("", text)).replace("\u2212", "-")
    negative = False
    if value.startswith("(") and value.endswith(")"):
        negative, value = True, value[1:-1]
    if value.startswith(("-", "+")):
        negative, value = value[0] == "-", value[1:]
    elif value.endswith("-"):
        negative, value = True, value[:-1]
    elif value.endswith("+"):
        value = value[:-1]
    if not _NUMBER.match(value):
        return None
    return _Parts(negative, value)


def style_evidence(text: str) -> DecimalStyle | None:
    """The decimal style one amount's text shows, or None when it shows none (no separator, or a lone separator
    followed by exactly three digits, which may group thousands)."""
    parts = _split_sign(text)
    if parts is None:
        return None
    digits = parts.digits
    commas, points = digits.count(COMMA), digits.count(POINT)
    if commas and points:
        return DecimalStyle.COMMA if digits.rfind(COMMA) > digits.rfind(POINT) else DecimalStyle.POINT
    if commas > 1:
        return DecimalStyle.POINT  # "1,234,567": commas group thousands
    if points > 1:
        return DecimalStyle.COMMA
    if not (commas or points):
        return None
    separator = COMMA if commas else POINT
    before, _, after = digits.partition(separator)
    if len(after) == 3 and 1 <= len(before) <= 3 and not before.startswith("0"):
        return None  # "1,500": a thousand and five hundred, or one and a half
    return DecimalStyle.COMMA if separator == COMMA else DecimalStyle.POINT


@dataclass
class DecimalStyleVote:
    """Collects the evidence of every amount of one file, and decides its style. ``examples`` keeps the first rows
    of each style, so a file that mixes them gets a report naming rows."""

    counts: dict[DecimalStyle, int] = field(default_factory=lambda: dict.fromkeys(DecimalStyle, 0))
    examples: dict[DecimalStyle, list[tuple[int, str, str]]] = field(
        default_factory=lambda: {style: [] for style in DecimalStyle}
    )
    keep: int = 200

    def add(self, text: str, *, row: int, column: str) -> None:
        style = style_evidence(text)
        if style is None:
            return
        self.counts[style] += 1
        if len(self.examples[style]) < self.keep:
            self.examples[style].append((row, column, text.strip()))

    @property
    def mixed(self) -> bool:
        return all(self.counts.values())

    @property
    def style(self) -> DecimalStyle | None:
        """The file's style: the only one its amounts show; None when they show none (or both, see ``mixed``)."""
        shown = [style for style, count in self.counts.items() if count]
        return shown[0] if len(shown) == 1 else None

    @property
    def reading_style(self) -> DecimalStyle | None:
        """The style the amounts are read with: the file's; of a file that mixes both, the one most amounts use (the
        others are reported for the mix)."""
        if self.mixed:
            return DecimalStyle.POINT if self.minority == DecimalStyle.COMMA else DecimalStyle.COMMA
        return self.style

    @property
    def minority(self) -> DecimalStyle:
        """Of a mixed file, the style fewer amounts use (the comma on a tie): the rows a report names."""
        return min(DecimalStyle, key=lambda s: (self.counts[s], s != DecimalStyle.COMMA))


def parse_amount(value: object, style: DecimalStyle | None) -> Decimal | None:
    """The cell as an amount, or None when it is empty. Raises :class:`ValueProblem` for text that is not an amount,
    and for a number with fractions of a cent."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueProblem(NOT_AN_AMOUNT % {"value": value})
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = _from_float(value)
    elif isinstance(value, Decimal):
        amount = value
    else:
        text = str(value).strip()
        if not text:
            return None
        amount = _from_text(text, style)
    if not amount.is_finite():
        raise ValueProblem(NOT_AN_AMOUNT % {"value": value})
    if abs(amount) >= limits.MONEY_LIMIT:
        raise ValueProblem(TOO_LARGE % {"value": _shown(value)})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueProblem(FRACTIONS_OF_A_CENT % {"value": _shown(value)})
    return amount.quantize(Decimal("0.01")) + Decimal("0.00")


def _from_float(value: float) -> Decimal:
    """A spreadsheet's number: binary floating point, so 0.1 + 0.2 is 0.30000000000000004. A value within a
    millionth of a cent is that cent (what the spreadsheet shows); anything further off is kept, and refused."""
    exact = Decimal(repr(value))
    cents = exact.quantize(Decimal("0.01"))
    return cents if abs(exact - cents) < Decimal("0.000001") else exact


def _from_text(text: str, style: DecimalStyle | None) -> Decimal:
    parts = _split_sign(text)
    if parts is None:
        raise ValueProblem(NOT_AN_AMOUNT % {"value": _shown(text)})
    digits = parts.digits
    decimal = COMMA if style == DecimalStyle.COMMA else POINT
    grouping = POINT if decimal == COMMA else COMMA
    if digits.count(decimal) > 1 or (
        decimal in digits and grouping in digits and digits.rfind(grouping) > digits.rfind(decimal)
    ):
        raise ValueProblem((NOT_DECIMAL_COMMA if decimal == COMMA else NOT_DECIMAL_POINT) % {"value": _shown(text)})
    if style is None and style_evidence(text) is None and (COMMA in digits or POINT in digits):
        # No amount of the file decides the style, and this one ("1,500") does not either: a thousands separator.
        digits = digits.replace(COMMA, "").replace(POINT, "")
    else:
        whole, _, fraction = digits.partition(decimal)
        if grouping in whole and not re.fullmatch(r"\d{1,3}(" + re.escape(grouping) + r"\d{3})+", whole):
            raise ValueProblem(BADLY_GROUPED % {"value": _shown(text)})
        digits = whole.replace(grouping, "") + ("." + fraction if fraction else "")
    try:
        amount = Decimal(digits)
    except InvalidOperation:
        raise ValueProblem(NOT_AN_AMOUNT % {"value": _shown(text)}) from None
    return -amount if parts.negative else amount


_ISO = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T].*)?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?: .*)?$")
# Excel's day numbers: 1 is 1900-01-01 (Excel's own 1900 leap-year bug is why openpyxl's converter is used).
_EXCEL_DAYS = (1, 2_958_465)


def parse_date(value: object) -> dt.date | None:
    """The cell as a date, or None when it is empty. Raises :class:`ValueProblem` for anything else, and for a date
    outside the years Monitr stores."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        day = _excel_day(value)
    else:
        text = str(value).strip()
        if not text:
            return None
        day = _date_from_text(text)
    if not limits.EARLIEST_DATE <= day <= limits.LATEST_DATE:
        raise ValueProblem(
            OUTSIDE_DATES
            % {"date": day.isoformat(), "earliest": limits.EARLIEST_DATE.year, "latest": limits.LATEST_DATE.year}
        )
    return day


def _excel_day(value: float) -> dt.date:
    from openpyxl.utils.datetime import from_excel

    if not (_EXCEL_DAYS[0] <= value <= _EXCEL_DAYS[1]) or value != int(value):
        raise ValueProblem(NUMBER_NOT_DATE % {"value": value})
    return from_excel(int(value)).date()


def _date_from_text(text: str) -> dt.date:
    if match := _ISO.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DAY_FIRST.match(text):
        day, month, year = (int(g) for g in match.groups())
    else:
        raise ValueProblem(NOT_A_DATE % {"value": _shown(text)})
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueProblem(NO_SUCH_DAY % {"value": _shown(text), "day": day, "month": month, "year": year}) from None


def cell_text(value: object) -> str:
    """A text cell as text: a spreadsheet's number 1300 (or 1300.0) is "1300", a date is written ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _shown(value: object) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")
