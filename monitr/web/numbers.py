"""Numbers as the user reads them, in the active language: money, counts and percentages.

The one place that writes a number for a page; the templates reach it through the ``money``, ``count`` and
``percent`` filters of ``monitr_ui``. Grouping and decimal separators are Django's formats for the language
(``1.562`` and ``€ 89.568,74`` in Dutch, ``1,562`` and ``€89,568.74`` in English), so a page never mixes styles.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils import translation
from django.utils.formats import number_format

DASH = "–"
# Where the euro sign goes, by language: Django's formats have no currency pattern, and a library for currency
# formatting (Babel) would be a dependency for this one pattern. Dutch writes a space after the sign: a no-break
# space, so that a line never ends between the sign and its amount.
_EURO_PREFIX = {"nl": "€\u00a0"}
_EURO_PREFIX_DEFAULT = "€"


def format_number(value: Decimal | int, places: int = 0) -> str:
    """``1234567.5`` → ``1.234.567,50`` (Dutch) or ``1,234,567.50`` (English), rounded half up to ``places``."""
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    # A figure that rounds to zero has no sign: -0.004 is 0,00, not -0,00.
    return number_format(rounded or abs(rounded), decimal_pos=places, use_l10n=True, force_grouping=True)


def format_count(value: int | str | None) -> str:
    """A count with the language's grouping: ``1562`` → ``1.562`` / ``1,562``; nothing known (None, or a
    template's empty string) → an en dash."""
    return DASH if value is None or value == "" else format_number(int(value))


def format_money(value: Decimal | int | None, places: int = 2) -> str:
    """An amount in euro: ``€ 1.234.567,50`` (Dutch, a no-break space after the sign), ``€1,234,567.50``
    (English), ``-€ 80,00`` when negative."""
    if value is None or value == "":
        return DASH
    amount = Decimal(value)
    prefix = _EURO_PREFIX.get((translation.get_language() or "").split("-")[0], _EURO_PREFIX_DEFAULT)
    text = format_number(abs(amount), int(places))
    # The sign of the rounded figure: -0.004 is € 0,00, not -€ 0,00.
    negative = amount.quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP) < 0
    return f"{'-' if negative else ''}{prefix}{text}"


def format_amount(value: Decimal | int | None, places: int = 2) -> str:
    """An amount without the symbol, for tables whose header says "in euro": ``-1.234,50`` / ``-1,234.50``."""
    if value is None or value == "":
        return DASH
    return format_number(Decimal(value), int(places))


def format_percent(value: Decimal | float | None, places: int = 1) -> str:
    """``42.5`` → ``42,5%`` (Dutch) / ``42.5%`` (English); nothing known → an en dash."""
    if value is None or value == "":
        return DASH
    return f"{format_number(Decimal(str(value)), int(places))}%"
