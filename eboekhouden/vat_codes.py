"""e-Boekhouden's VAT codes for Dutch administrations and what each means, as the REST API's documentation
(``openapi-v1.json``, "VAT codes", NL) lists them. Registered with the ledger when the app is ready, so that pages
show "9% sales" for ``LAAG_VERK_9``; a code not listed here (a Belgian one, a new one) is shown as it is."""

from __future__ import annotations

from decimal import Decimal

from ledger.vat import VatCode, VatKind, VatTreatment

_SALES, _PURCHASES = VatKind.SALES, VatKind.PURCHASES
_0, _6, _9, _21 = Decimal(0), Decimal(6), Decimal(9), Decimal(21)

VAT_CODES: dict[str, VatCode] = {
    "LAAG_VERK": VatCode(_6, _SALES),  # until 2019
    "LAAG_VERK_9": VatCode(_9, _SALES),
    "HOOG_VERK_21": VatCode(_21, _SALES),
    "AFW_VERK": VatCode(None, _SALES, VatTreatment.DIVERGENT),
    "VERL_VERK": VatCode(_21, _SALES, VatTreatment.REVERSE_CHARGE),
    "VERL_VERK_L9": VatCode(_9, _SALES, VatTreatment.REVERSE_CHARGE),
    "BU_EU_VERK": VatCode(_0, _SALES, VatTreatment.OUTSIDE_EU),
    "AFST_VERK": VatCode(_0, _SALES, VatTreatment.DISTANCE_SELLING),
    "BI_EU_VERK_D": VatCode(_0, _SALES, VatTreatment.WITHIN_EU),
    "LAAG_INK": VatCode(_6, _PURCHASES),  # until 2019
    "LAAG_INK_9": VatCode(_9, _PURCHASES),
    "HOOG_INK_21": VatCode(_21, _PURCHASES),
    "AFW": VatCode(None, _PURCHASES, VatTreatment.DIVERGENT),
    "VERL_INK_L9": VatCode(_9, _PURCHASES, VatTreatment.REVERSE_CHARGE),
    "VERL_INK_L": VatCode(_6, _PURCHASES, VatTreatment.REVERSE_CHARGE),  # until 2019
    "VERL_INK": VatCode(_21, _PURCHASES, VatTreatment.REVERSE_CHARGE),
    "BU_EU_INK": VatCode(_0, _PURCHASES, VatTreatment.OUTSIDE_EU),
    # The documentation lists this "delivery within the EU" code as a purchase code.
    "BI_EU_VERK": VatCode(_0, _PURCHASES, VatTreatment.WITHIN_EU),
    "BI_EU_INK": VatCode(_0, _PURCHASES, VatTreatment.WITHIN_EU),
    "GEEN": VatCode(_0, None, VatTreatment.NONE),
}
