"""Aging buckets: which days-past-a-date fall in which bucket, as pure Python the selectors turn into SQL.

An item's age on day D is D minus its *reference date*:

- by due date (the default), the due date; an item without one (the importer could find no term on the invoice,
  the relation or the organisation) is aged by its invoice date, i.e. as if due on the day it was invoiced, and the
  page counts such items and links to them;
- by invoice date, the invoice date.

With boundaries ``[30, 60, 90]`` the buckets by due date are Not yet due (age ≤ 0), 1–30, 31–60, 61–90 and over 90
days; by invoice date there is no "not yet due", so they are 0–30 (age ≤ 30, which also takes an invoice dated after
D), 31–60, 61–90 and over 90 days. The first bucket is open below and the last open above, and each starts the day
after the one before ends, so every open invoice falls in exactly one bucket.

Credits (credit notes and payments not applied to an invoice: items with a negative amount) are in no bucket and
never overdue, as in Xero's and Exact's aged receivables. The pages, exports and API show them on their own
("Credit"), and the totals are net: the buckets plus the credit add up to the total.

"Overdue" does not depend on the basis: an invoice is overdue when its due date (else its invoice date) is before D.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy, ngettext

from .models import AgingBasis


def _days_between(low: int, high: int) -> str:
    return ngettext("%(low)d–%(high)d day", "%(low)d–%(high)d days", high) % {"low": low, "high": high}


def _days_over(days: int) -> str:
    return ngettext("Over %(days)d day", "Over %(days)d days", days) % {"days": days}


# A bucket's label is translated when it is shown, in the language of whoever reads it (a page, an export).
_days_between_lazy = lazy(_days_between, str)
_days_over_lazy = lazy(_days_over, str)
NOT_YET_DUE = gettext_lazy("Not yet due")


@dataclass(frozen=True, slots=True)
class Bucket:
    """Ages from ``low`` through ``high`` days, both included; ``None`` leaves that end open."""

    key: str
    label: str | Promise  # translated when shown
    low: int | None
    high: int | None

    def reference_range(self, as_of: date) -> tuple[date | None, date | None]:
        """The reference dates whose age on ``as_of`` falls in this bucket, as ``(earliest, latest)``, both
        included; ``None`` leaves that end open. Comparing dates (not computing ages) keeps the SQL portable."""
        earliest = as_of - timedelta(days=self.high) if self.high is not None else None
        latest = as_of - timedelta(days=self.low) if self.low is not None else None
        return earliest, latest

    def holds(self, age: int) -> bool:
        return (self.low is None or age >= self.low) and (self.high is None or age <= self.high)


def aging_buckets(*, boundaries: Sequence[int], basis: AgingBasis | str) -> list[Bucket]:
    """The buckets for ascending positive ``boundaries`` (validated by the settings model and form)."""
    bounds = list(boundaries)
    buckets: list[Bucket] = []
    if basis == AgingBasis.DUE_DATE:
        buckets.append(Bucket(key="not_due", label=NOT_YET_DUE, low=None, high=0))
        low = 1
    else:
        buckets.append(Bucket(key=f"0_{bounds[0]}", label=_days_between_lazy(0, bounds[0]), low=None, high=bounds[0]))
        low, bounds = bounds[0] + 1, bounds[1:]
    for high in bounds:
        buckets.append(Bucket(key=f"{low}_{high}", label=_days_between_lazy(low, high), low=low, high=high))
        low = high + 1
    buckets.append(Bucket(key=f"over_{low - 1}", label=_days_over_lazy(low - 1), low=low, high=None))
    return buckets


def age_in_days(*, as_of: date, reference: date) -> int:
    return (as_of - reference).days
