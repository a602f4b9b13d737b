"""Aging buckets as pure Python: their labels, and that every age falls in exactly one bucket."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from dashboards.aging import aging_buckets
from dashboards.models import AgingBasis

from .expected import bucket_index


def test_the_default_buckets_by_due_date_are_not_yet_due_then_up_to_over_ninety_days():
    buckets = aging_buckets(boundaries=[30, 60, 90], basis=AgingBasis.DUE_DATE)

    assert [b.label for b in buckets] == ["Not yet due", "1–30 days", "31–60 days", "61–90 days", "Over 90 days"]
    assert [b.key for b in buckets] == ["not_due", "1_30", "31_60", "61_90", "over_90"]


def test_by_invoice_date_the_first_bucket_starts_at_the_invoice():
    buckets = aging_buckets(boundaries=[30, 60, 90], basis=AgingBasis.INVOICE_DATE)

    assert [b.label for b in buckets] == ["0–30 days", "31–60 days", "61–90 days", "Over 90 days"]


def test_other_boundaries_give_other_buckets():
    buckets = aging_buckets(boundaries=[14, 45], basis=AgingBasis.DUE_DATE)

    assert [b.label for b in buckets] == ["Not yet due", "1–14 days", "15–45 days", "Over 45 days"]


boundaries_strategy = st.lists(st.integers(min_value=1, max_value=400), min_size=1, max_size=6, unique=True).map(sorted)


@given(
    boundaries=boundaries_strategy,
    basis=st.sampled_from(list(AgingBasis)),
    age=st.integers(min_value=-400, max_value=900),
)
def test_every_age_falls_in_exactly_one_bucket_the_one_expected(boundaries, basis, age):
    buckets = aging_buckets(boundaries=boundaries, basis=basis)
    holding = [n for n, b in enumerate(buckets) if b.holds(age)]

    assert holding == [bucket_index(age, boundaries, basis)]


@given(boundaries=boundaries_strategy, basis=st.sampled_from(list(AgingBasis)), age=st.integers(-400, 900))
def test_a_bucket_reference_range_holds_the_dates_of_its_ages(boundaries, basis, age):
    as_of = date(2025, 6, 30)
    reference = as_of - timedelta(days=age)
    for bucket in aging_buckets(boundaries=boundaries, basis=basis):
        earliest, latest = bucket.reference_range(as_of)
        inside = (earliest is None or reference >= earliest) and (latest is None or reference <= latest)
        assert inside == bucket.holds(age)
