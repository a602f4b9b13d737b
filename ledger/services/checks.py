"""Recording the outcome of the sync's checks for the Data checks page."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone

from ledger.models import Account, Administration, Reconciliation
from ledger.records import ReconciliationRecord

from . import bulk
from .results import WriteCounts

_RECONCILIATIONS = bulk.Table(
    model=Reconciliation,
    key=("administration_id", "kind", "subject", "period_start"),
    columns=(
        "kind",
        "subject",
        "period_start",
        "account_id",
        "expected",
        "actual",
        "difference",
        "recorded_at",
        "reason",
    ),
    # A check that finds the same figures again is unchanged: recorded_at keeps the first time they were found.
    volatile=("recorded_at",),
)


def reconciliation_record(
    *,
    administration: Administration,
    results: Iterable[ReconciliationRecord],
    checked_through: date | None = None,
) -> WriteCounts:
    """Store each check's expected and actual figures and their difference, replacing an earlier result of the
    same check, subject and period. An account the provider reports but that was not imported is kept, unlinked:
    that is one of the things the Data checks page is for.

    ``checked_through`` says the checks covered every period up to that day: earlier results for periods up to it
    that ``results`` does not repeat are deleted, as they no longer differ, and the administration records when it
    was checked (the Data checks page says "all match" only after a check). Without it nothing is deleted.
    """
    now = timezone.now()
    counts = WriteCounts()
    seen: set[tuple[str, str, date]] = set()
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
                    accounts.get(r.account_external_id) if r.account_external_id else None,
                    r.expected,
                    r.actual,
                    r.actual - r.expected,
                    now,
                    r.reason,
                )
                for r in batch
            ]
            outcome = bulk.upsert(table=_RECONCILIATIONS, fixed={"administration_id": administration.pk}, rows=rows)
            counts += outcome
            seen.update((str(r.kind), r.subject, r.period_start) for r in batch)
        if checked_through is not None:
            earlier = Reconciliation.objects.filter(administration=administration, period_start__lte=checked_through)
            stale = [
                pk
                for pk, *key in earlier.values_list("pk", "kind", "subject", "period_start")
                if tuple(key) not in seen
            ]
            for chunk in bulk.batched(stale, bulk.ORM_CHUNK):
                Reconciliation.objects.filter(pk__in=chunk).delete()
            counts += WriteCounts(deleted=len(stale))
            Administration.objects.filter(pk=administration.pk).update(ledger_checked_at=now)
    return counts
