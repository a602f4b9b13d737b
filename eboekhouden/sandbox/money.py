"""Money for the sandbox: exact two-place Decimals, never floats.

Every amount the sandbox generates, stores, sums or emits passes through here, so that rounding happens in one
place and in one way (half up, away from zero, as Dutch invoices round VAT).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def q2(value: Decimal | int | str) -> Decimal:
    """Round to cents, half away from zero (so a negated amount rounds to the negated result)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def cents(amount: int) -> Decimal:
    """An integer number of cents as a two-place Decimal."""
    return Decimal(amount).scaleb(-2).quantize(CENT)


def vat_on_excl(amount_excl: Decimal, rate: Decimal) -> Decimal:
    """VAT on an amount excluding VAT."""
    return q2(amount_excl * rate / HUNDRED)


def vat_in_incl(amount_incl: Decimal, rate: Decimal) -> Decimal:
    """The VAT contained in an amount including VAT."""
    return q2(amount_incl * rate / (HUNDRED + rate))


def parse_amount(value: object) -> Decimal:
    """An amount from JSON or a form: a number's text or a string, never via float."""
    if isinstance(value, bool) or value is None:
        raise ValueError("amount expected")
    if isinstance(value, float):
        # json.loads(parse_float=Decimal) is the normal path; a float here means a caller lost precision.
        value = repr(value)
    return q2(Decimal(str(value)))
