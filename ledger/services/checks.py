"""Recording the outcome of the sync's checks for the Data checks page."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from ledger.models import Account, Administration, Reconciliation
from ledger.records import ReconciliationRecord

from . import bulk
from .results import WriteCounts

_RECONCILIATIONS = bulk.Table(
    model=Reconciliation,
    key=("administration_id", "kind", "subject", "period_start"),
    columns=("kind", "subject", "period_start", "account_id", "expected", "actual", "difference", "recorded_at"),
    # A check that finds the same figures again is unchanged: recorded_at keeps the first time they were found.
    volatile=("recorded_at",),
)


def reconciliation_record(*, administration: Administration, results: Iterable[ReconciliationRecord]) -> WriteCounts:
    """Store each check's expected and actual figures and their difference, replacing an earlier result of the
    same check, subject and period. An account the provider reports but that was not imported is kept, unlinked:
    that is one of the things the Data checks page is for."""
    now = timezone.now()
    counts = WriteCounts()
    with transaction.atomic():
        for batch in bulk.batched(results, bulk.ORM_CHUNK):
            wanted = {r.account_external_id for r in batch if r.account_external_id}
            accounts = dict(
                Account.objects.filter(administration=administration, external_id__in=wanted).values_list(
                    "external_id", "pk"
                )
            )
            rows = [
                (
                    str(r.kind),
                    r.subject,
                    r.period_start,
                    accounts.get(r.account_external_id),  # type: ignore[arg-type]
                    r.expected,
                    r.actual,
                    r.actual - r.expected,
                    now,
                )
                for r in batch
            ]
            outcome = bulk.upsert(table=_RECONCILIATIONS, fixed={"administration_id": administration.pk}, rows=rows)
            counts += WriteCounts(new=outcome.new, changed=outcome.changed, unchanged=outcome.unchanged)
    return counts
