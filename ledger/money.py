"""Money as the ledger holds it: ``Decimal`` with two places, never float.

:func:`cents` is how a sum read from the database becomes an amount: SQLite adds decimals as floating point (a sum
comes back as a float or a long ``Decimal`` with crumbs in its last places), and rounding to cents gives back the
exact sum of two-place amounts; PostgreSQL's exact sums pass unchanged. :func:`sum_or_zero` is the sum in the query
itself, for ordering or filtering by it, 0.00 over no rows instead of NULL.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum, Value
from django.db.models.functions import Coalesce

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def cents(value: Decimal | float | int | None) -> Decimal:
    """A sum from the database in whole cents; None (the sum of no rows) is 0.00."""
    if value is None:
        return ZERO
    # Through str(): a float's shortest repr is the number SQLite meant, its exact binary value is not.
    return (value if isinstance(value, Decimal) else Decimal(str(value))).quantize(CENT)


def sum_or_zero(expression: Any, *, filter: Q | None = None) -> Coalesce:
    """``Sum(expression)`` in the query, 0.00 when no row is summed."""
    return Coalesce(Sum(expression, filter=filter), Value(ZERO))
