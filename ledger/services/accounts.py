"""Writing the chart of accounts and the cost centres."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models.functions import Now

from ledger.models import Account, Administration, CostCenter
from ledger.records import AccountRecord, CostCenterRecord

from . import bulk
from .results import WriteCounts

BATCH_SIZE = 5_000

_ACCOUNTS = bulk.Table(
    model=Account,
    key=("administration_id", "external_id"),
    columns=("external_id", "code", "name", "category", "kind", "group", "role"),
)
_COST_CENTERS = bulk.Table(
    model=CostCenter,
    key=("administration_id", "external_id"),
    columns=("external_id", "name", "parent_external_id", "active"),
)


def accounts_upsert(
    *, administration: Administration, rows: Iterable[AccountRecord], batch_size: int = BATCH_SIZE
) -> WriteCounts:
    """Store the accounts as given: new ones are added, changed ones updated, the others left untouched.

    The first chart stored for an administration is its baseline: it is marked reviewed, so that only accounts that
    appear later are listed as new (``Account.first_seen_at`` after ``Administration.accounts_reviewed_at``).
    """
    counts = bulk.upsert_in_batches(
        table=_ACCOUNTS,
        fixed={"administration_id": administration.pk},
        rows=((r.external_id, r.code, r.name, r.category, str(r.kind), r.group, str(r.role)) for r in rows),
        batch_size=batch_size,
    )
    if administration.accounts_reviewed_at is None:
        Administration.objects.filter(pk=administration.pk, accounts_reviewed_at__isnull=True).update(
            accounts_reviewed_at=Now()
        )
        administration.refresh_from_db(fields=["accounts_reviewed_at"])
    return counts


def accounts_mark_reviewed(*, administrations: Iterable[Administration]) -> int:
    """An admin has looked at the chart: no account of these administrations is new any more. Returns how many."""
    return Administration.objects.filter(pk__in=[a.pk for a in administrations]).update(accounts_reviewed_at=Now())


def cost_centers_upsert(
    *, administration: Administration, rows: Iterable[CostCenterRecord], batch_size: int = BATCH_SIZE
) -> WriteCounts:
    """Store the cost centres as given: new ones are added, changed ones updated, the others left untouched."""
    return bulk.upsert_in_batches(
        table=_COST_CENTERS,
        fixed={"administration_id": administration.pk},
        rows=((r.external_id, r.name, r.parent_external_id, r.active) for r in rows),
        batch_size=batch_size,
    )
