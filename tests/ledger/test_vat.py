"""VAT codes shown as their rate and kind, from the one table a provider registers; unknown codes as they are."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from eboekhouden.vat_codes import VAT_CODES
from ledger.vat import VatCode, VatKind, vat_code_label


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("LAAG_VERK_9", "9% sales"),
        ("HOOG_INK_21", "21% purchases"),
        ("VERL_INK", "21% purchases, reverse charge"),
        ("BU_EU_VERK", "0% sales, outside the EU"),
        ("AFW_VERK", "sales, divergent rate"),
        ("GEEN", "no VAT"),
        ("hoog_verk_21", "21% sales"),
    ],
)
def test_e_boekhouden_codes_read_as_rate_and_kind(code, label):
    with translation.override("en"):
        assert vat_code_label(code) == label


def test_an_unknown_code_is_shown_as_it_is_and_no_code_as_nothing():
    assert vat_code_label("BE_21_INK") == "BE_21_INK"
    assert vat_code_label("") == vat_code_label(None) == ""


def test_a_rate_with_a_fraction_is_written_in_the_language():
    with translation.override("nl"):
        assert VatCode(Decimal("5.5"), VatKind.SALES).label().startswith("5,5%")


def test_every_documented_dutch_code_is_described():
    documented = {
        "LAAG_VERK", "LAAG_VERK_9", "HOOG_VERK_21", "AFW_VERK", "VERL_VERK", "VERL_VERK_L9", "BU_EU_VERK",
        "AFST_VERK", "BI_EU_VERK_D", "LAAG_INK", "LAAG_INK_9", "HOOG_INK_21", "AFW", "VERL_INK_L9", "VERL_INK_L",
        "VERL_INK", "BU_EU_INK", "BI_EU_VERK", "BI_EU_INK", "GEEN",
    }  # fmt: skip
    assert set(VAT_CODES) == documented


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("LAAG_VERK_9", "9% verkoop"),
        ("HOOG_INK_21", "21% inkoop"),
        ("VERL_INK", "21% inkoop, verlegd"),
        ("BU_EU_VERK", "0% verkoop, buiten de EU"),
        ("AFW_VERK", "verkoop, afwijkend tarief"),
        ("GEEN", "geen btw"),
    ],
)
def test_in_dutch_a_code_reads_as_rate_and_kind_in_dutch(code, label):
    with translation.override("nl"):
        assert vat_code_label(code) == label
