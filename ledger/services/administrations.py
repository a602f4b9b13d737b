"""Deleting an administration with all of its imported books."""

from __future__ import annotations

from django.db import transaction

from ledger.models import (
    Account,
    Administration,
    CostCenter,
    MonthlyBalance,
    OutstandingItem,
    OutstandingSnapshot,
    Reconciliation,
    Relation,
    SetAsideRecord,
    Transaction,
    TransactionLine,
)


@transaction.atomic
def administration_delete(*, administration: Administration) -> None:
    """Delete the administration and everything imported into it. Tables go in dependency order, each with one
    set-based delete: lines and transactions keep accounts from being deleted one by one (they protect them), and a
    large administration would otherwise be collected object by object."""
    for model in (
        MonthlyBalance,
        TransactionLine,
        OutstandingSnapshot,
        OutstandingItem,
        Reconciliation,
        SetAsideRecord,
        Transaction,
        Account,
        CostCenter,
        Relation,
    ):
        model.objects.filter(administration=administration).delete()
    administration.delete()
