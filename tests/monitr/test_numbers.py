"""Numbers on pages in the user's language: money, counts and percentages, one style per language."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from monitr.web.numbers import format_amount, format_count, format_money, format_percent


@pytest.mark.parametrize(
    ("language", "value", "written"),
    [
        ("nl", Decimal("89568.74"), "€\u00a089.568,74"),
        ("en", Decimal("89568.74"), "€89,568.74"),
        ("nl", Decimal("-80"), "-€\u00a080,00"),
        ("en", Decimal("-1234567.5"), "-€1,234,567.50"),
        ("nl", Decimal("-0.004"), "€\u00a00,00"),
        ("en", Decimal("0.005"), "€0.01"),
    ],
)
def test_money_is_written_in_the_language(language, value, written):
    with translation.override(language):
        assert format_money(value) == written


@pytest.mark.parametrize(("language", "written"), [("nl", "1.562"), ("en", "1,562")])
def test_counts_are_grouped_as_the_language_groups_them(language, written):
    with translation.override(language):
        assert format_count(1562) == written
        assert format_count(999) == "999"


@pytest.mark.parametrize(("language", "written"), [("nl", "42,5%"), ("en", "42.5%")])
def test_percentages_use_the_language_decimal_separator(language, written):
    with translation.override(language):
        assert format_percent(Decimal("42.46")) == written


def test_whole_amounts_round_half_up_and_lose_the_sign_of_a_zero():
    with translation.override("nl"):
        assert format_amount(Decimal("-1234.5"), 0) == "-1.235"
        assert format_amount(Decimal("-0.4"), 0) == "0"


def test_nothing_known_is_an_en_dash():
    assert format_money(None) == format_count(None) == format_percent(None) == format_amount(None) == "–"


@pytest.mark.parametrize(
    ("language", "written"), [("nl", "1.562 · €\u00a01.234,50 · 12,5%"), ("en", "1,562 · €1,234.50 · 12.5%")]
)
def test_the_template_filters_write_the_same(language, written):
    template = Template("{% load monitr_ui %}{{ n|count }} · {{ m|money }} · {{ p|percent }}")
    with translation.override(language):
        rendered = template.render(Context({"n": 1562, "m": Decimal("1234.5"), "p": Decimal("12.5")}))
    assert rendered == written
