"""The Dutch SME chart of accounts and the VAT codes the sandbox books with.

Codes follow the Dutch decimal scheme most small businesses and their accountants know (0 fixed assets, 1 liquid
assets, receivables, payables and VAT, 4 costs, 7 purchases, 8 revenue, 9 other results). Categories are the REST
``Category`` values; VAT ledgers are system ledgers found by category.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class LedgerTemplate:
    code: str
    description: str
    category: str
    group: str


# (code, description, category, group). Groups are e-Boekhouden's free group codes; these mimic its default chart.
CHART: tuple[LedgerTemplate, ...] = tuple(
    LedgerTemplate(*row)
    for row in (
        ("0100", "Inventaris", "BAL", "010"),
        ("0110", "Afschrijving inventaris", "BAL", "010"),
        ("0200", "Vervoermiddelen", "BAL", "010"),
        ("0500", "Eigen vermogen", "BAL", "050"),
        ("0600", "Lening u/g", "BAL", "060"),
        ("1000", "Kas", "FIN", "100"),
        ("1100", "Bank", "FIN", "100"),
        ("1110", "Spaarrekening", "FIN", "100"),
        ("1300", "Debiteuren", "DEB", "130"),
        ("1500", "Af te dragen BTW hoog", "AF19", "150"),
        ("1510", "Af te dragen BTW laag", "AF6", "150"),
        ("1520", "Af te dragen BTW overig", "AFOVERIG", "150"),
        ("1525", "Af te dragen BTW", "AF", "150"),
        ("1530", "Voorbelasting", "VOOR", "150"),
        ("1540", "BTW rekening courant", "BTWRC", "150"),
        ("1600", "Crediteuren", "CRED", "160"),
        ("1700", "Nog te betalen kosten", "BAL", "170"),
        ("1800", "Vraagposten", "BAL", "180"),
        ("2000", "Privé", "BAL", "200"),
        ("4000", "Lonen en salarissen", "VW", "400"),
        ("4100", "Sociale lasten", "VW", "400"),
        ("4200", "Huisvestingskosten", "VW", "420"),
        ("4300", "Autokosten", "VW", "430"),
        ("4400", "Verkoopkosten", "VW", "440"),
        ("4500", "Kantoorkosten", "VW", "450"),
        ("4600", "Algemene kosten", "VW", "460"),
        ("4700", "Afschrijvingskosten", "VW", "470"),
        ("4900", "Bankkosten", "VW", "490"),
        ("7000", "Inkopen", "VW", "700"),
        ("7100", "Inkopen laag tarief", "VW", "700"),
        ("8000", "Omzet hoog tarief", "VW", "800"),
        ("8100", "Omzet laag tarief", "VW", "800"),
        ("8200", "Omzet export", "VW", "800"),
        ("8900", "Rentebaten", "VW", "890"),
        ("9000", "Diverse baten en lasten", "VW", "900"),
    )
)


@dataclass(frozen=True, slots=True)
class VatCode:
    code: str
    rate: Decimal
    # The category of the system ledger the VAT is booked on; None where no VAT amount arises.
    ledger_category: str | None


VAT_CODES: dict[str, VatCode] = {
    vat.code: vat
    for vat in (
        VatCode("HOOG_VERK_21", Decimal(21), "AF19"),
        VatCode("LAAG_VERK_9", Decimal(9), "AF6"),
        VatCode("BU_EU_VERK", Decimal(0), None),
        VatCode("HOOG_INK_21", Decimal(21), "VOOR"),
        VatCode("LAAG_INK_9", Decimal(9), "VOOR"),
        VatCode("GEEN", Decimal(0), None),
    )
}

# The revenue ledgers and the VAT code that goes with each when invoicing; costs likewise.
SALES_LEDGERS: tuple[tuple[str, str], ...] = (
    ("8000", "HOOG_VERK_21"),
    ("8000", "HOOG_VERK_21"),
    ("8000", "HOOG_VERK_21"),
    ("8100", "LAAG_VERK_9"),
    ("8200", "BU_EU_VERK"),
)
PURCHASE_LEDGERS: tuple[tuple[str, str], ...] = (
    ("7000", "HOOG_INK_21"),
    ("7000", "HOOG_INK_21"),
    ("7100", "LAAG_INK_9"),
    ("4200", "HOOG_INK_21"),
    ("4300", "HOOG_INK_21"),
    ("4400", "HOOG_INK_21"),
    ("4500", "HOOG_INK_21"),
    ("4600", "GEEN"),
)

COST_CENTRES: tuple[tuple[str, int | None], ...] = (
    # (description, index of the parent in this tuple)
    ("Algemeen", None),
    ("Verkoop", None),
    ("Projecten", None),
    ("Project Noord", 2),
    ("Project Zuid", 2),
    ("Webwinkel", 1),
)
