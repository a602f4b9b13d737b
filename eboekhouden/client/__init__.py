"""The only code in Monitr that speaks e-Boekhouden: REST and SOAP clients behind one gateway of typed DTOs.

Start at :func:`open_gateway`; the DTOs are in :mod:`.dto`, the errors it raises in :mod:`integrations.errors`.
"""

from __future__ import annotations

# The shared HTTP base's options that open_gateway takes, for the callers' convenience.
from integrations.http import CallCounter, RetryPolicy, Timeouts

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
