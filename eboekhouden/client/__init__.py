"""The only code in Monitr that speaks e-Boekhouden: REST and SOAP clients behind one gateway of typed DTOs.

Start at :func:`open_gateway`; the DTOs are in :mod:`.dto`, the errors it raises in :mod:`integrations.errors`.
"""

from __future__ import annotations

from .dto import (
    Administration,
    ApiTokenCredentials,
    CostCentre,
    Ledger,
    LedgerBalance,
    Mutation,
    MutationHeader,
    MutationRow,
    MutationType,
    OutstandingItem,
    Relation,
    Side,
    SoapCredentials,
    VatLine,
)
from .gateway import BookkeepingGateway, open_gateway
from .metrics import CallCounter
from .retry import RetryPolicy
from .transport import Timeouts

__all__ = [
    "Administration",
    "ApiTokenCredentials",
    "BookkeepingGateway",
    "CallCounter",
    "CostCentre",
    "Ledger",
    "LedgerBalance",
    "Mutation",
    "MutationHeader",
    "MutationRow",
    "MutationType",
    "OutstandingItem",
    "Relation",
    "RetryPolicy",
    "Side",
    "SoapCredentials",
    "Timeouts",
    "VatLine",
    "open_gateway",
]
