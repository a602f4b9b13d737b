"""Days outstanding by countback: the open amount matched against the latest months' sales, month by month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dashboards.selectors.figures import countback_days

MARCH, FEBRUARY, JANUARY = dt.date(2025, 3, 31), dt.date(2025, 2, 28), dt.date(2025, 1, 31)


def test_the_open_amount_uses_up_the_latest_months_whole_then_a_share_of_the_last():
    months = [(MARCH, Decimal("100")), (FEBRUARY, Decimal("100")), (JANUARY, Decimal("100"))]

    assert countback_days(Decimal("50"), months) == Decimal("15.5")  # half of March's 31 days
    assert countback_days(Decimal("150"), months) == Decimal("45.0")  # March whole, half of February's 28
    assert countback_days(Decimal("0"), months) == Decimal("0.0")


def test_a_month_without_sales_counts_whole_and_an_amount_beyond_every_month_counts_them_all():
    assert countback_days(Decimal("60"), [(MARCH, Decimal("0")), (FEBRUARY, Decimal("120"))]) == Decimal("45.0")
    assert countback_days(Decimal("500"), [(MARCH, Decimal("100")), (FEBRUARY, Decimal("100"))]) == Decimal("59.0")
    assert countback_days(Decimal("10"), [(MARCH, Decimal("0"))]) is None  # nothing invoiced: no figure
