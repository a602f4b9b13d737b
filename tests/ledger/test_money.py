"""A database sum becomes an amount with exactly two places, whichever database added it up."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ledger.models import Transaction
from ledger.money import ZERO, cents, sum_or_zero


@pytest.mark.parametrize(
    ("summed", "amount"),
    [
        (None, "0.00"),  # the sum of no rows
        (0.1 + 0.2, "0.30"),  # SQLite adds decimals as floating point: 0.30000000000000004
        (1234.5600000000002, "1234.56"),
        (Decimal("-12.5"), "-12.50"),
        (Decimal("7.00000000000000000001"), "7.00"),
        (3, "3.00"),
    ],
)
def test_a_sum_is_read_in_whole_cents(summed, amount):
    assert str(cents(summed)) == amount


@pytest.mark.django_db
def test_the_sum_of_no_rows_is_zero_in_the_query_too(administration):
    row = Transaction.objects.filter(administration=administration).aggregate(total=sum_or_zero("imbalance"))

    assert row["total"] == ZERO
