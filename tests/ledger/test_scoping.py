"""Every ledger model is scoped to its organisation: another organisation's rows are never returned."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ledger import models
from ledger.records import ReconciliationCheck, ReconciliationRecord
from ledger.services import (
    outstanding_items_replace,
    outstanding_snapshot_record,
    reconciliation_record,
    transactions_upsert,
)

from .factories import open_item, sale

pytestmark = pytest.mark.django_db

SCOPED = [
    models.Account,
    models.CostCenter,
    models.Relation,
    models.Transaction,
    models.TransactionLine,
    models.OutstandingItem,
    models.OutstandingSnapshot,
    models.Reconciliation,
]


def _fill(administration):
    transactions_upsert(administration=administration, transactions=[sale("1")])
    outstanding_items_replace(
        administration=administration, side=models.OutstandingSide.RECEIVABLE, items=[open_item("1")]
    )
    outstanding_snapshot_record(administration=administration, as_of=date(2025, 4, 1))
    reconciliation_record(
        administration=administration,
        results=[
            ReconciliationRecord(
                kind=ReconciliationCheck.LEDGER_MONTH,
                subject="1000",
                period_start=date(2025, 3, 1),
                expected=Decimal("0.00"),
                actual=Decimal("0.00"),
            )
        ],
    )


@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m.__name__)
def test_for_organization_returns_only_the_organisations_own_rows(model, administration, other_administration):
    _fill(administration)
    _fill(other_administration)

    scoped = model.objects.for_organization(administration.organization)

    assert scoped.exists()
    assert not scoped.filter(administration=other_administration).exists()
    assert scoped.count() * 2 == model.objects.count()
