"""VAT codes as people read them: a rate and a kind ("9% sales", "21% purchases, reverse charge") instead of the
bookkeeping's own code ("LAAG_VERK_9").

The ledger stores each line's VAT code as its source wrote it; a provider registers what its codes mean (when its
app is ready) and every page asks :func:`vat_code_label`. A code no provider describes is shown as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class VatKind(models.TextChoices):
    SALES = "sales", pgettext_lazy("VAT kind", "sales")
    PURCHASES = "purchases", pgettext_lazy("VAT kind", "purchases")


class VatTreatment(models.TextChoices):
    """What sets a code apart from plain domestic VAT at its rate."""

    DOMESTIC = "domestic", ""
    REVERSE_CHARGE = "reverse_charge", _("reverse charge")
    OUTSIDE_EU = "outside_eu", _("outside the EU")
    WITHIN_EU = "within_eu", _("within the EU")
    DISTANCE_SELLING = "distance_selling", _("distance selling within the EU")
    DIVERGENT = "divergent", _("divergent rate")
    NONE = "none", _("no VAT")


@dataclass(frozen=True, slots=True)
class VatCode:
    rate: Decimal | None  # None: the rate varies per line (a divergent code)
    kind: VatKind | None = None  # None: neither, as "no VAT"
    treatment: VatTreatment = VatTreatment.DOMESTIC

    def label(self) -> str:
        if self.treatment == VatTreatment.NONE:
            return gettext("no VAT")
        parts = []
        if self.rate is not None:
            parts.append(f"{number_format(self.rate.normalize(), use_l10n=True)}%")
        if self.kind:
            parts.append(str(self.kind.label))
        text = " ".join(parts)
        if self.treatment != VatTreatment.DOMESTIC:
            text = f"{text}, {self.treatment.label}" if text else str(self.treatment.label)
        return text


_CODES: dict[str, VatCode] = {}


def vat_codes_register(codes: Mapping[str, VatCode]) -> None:
    """What a provider's VAT codes mean; called once when its app is ready."""
    _CODES.update({code.upper(): meaning for code, meaning in codes.items()})


def vat_code_label(code: str | None) -> str:
    """``LAAG_VERK_9`` → ``9% sales``; an empty code → ``""``; a code no provider describes → the code itself."""
    if not code:
        return ""
    meaning = _CODES.get(code.upper())
    return meaning.label() if meaning else code
