"""Writing the open items of one side, and recording the day's snapshot of them.

The provider lists what is open now, per side. :func:`outstanding_items_replace` makes the stored list of a side
exactly that list in one database transaction, so a dashboard never reads half of an update; an item that is no
longer listed (paid, credited, deleted) disappears. :func:`outstanding_snapshot_record` then keeps a copy of the open
items as of a day, which is what aging on a past date is computed from, and the day's totals per side, which the
history chart reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from ledger.models import (
    Administration,
    OutstandingItem,
    OutstandingSide,
    OutstandingSnapshot,
    OutstandingSnapshotTotal,
    Relation,
)
from ledger.money import cents
from ledger.records import OutstandingItemRecord

from . import bulk
from .references import ids_by_external_id, missing_references_reason
from .results import WriteCounts

BATCH_SIZE = 5_000

_ITEM_COLUMNS = (
    "external_id",
    "source_external_id",
    "invoice_number",
    "relation_id",
    "invoice_date",
    "due_date",
    "total",
    "paid",
    "outstanding",
)
_ITEMS = bulk.Table(model=OutstandingItem, key=("administration_id", "side", "external_id"), columns=_ITEM_COLUMNS)
_SNAPSHOTS = bulk.Table(
    model=OutstandingSnapshot,
    key=("administration_id", "as_of", "side", "external_id"),
    columns=("side", *_ITEM_COLUMNS),
)


def outstanding_items_replace(
    *,
    administration: Administration,
    side: OutstandingSide,
    items: Iterable[OutstandingItemRecord],
    batch_size: int = BATCH_SIZE,
    refuse: Callable[[OutstandingItemRecord, str], None] | None = None,
) -> WriteCounts:
    """Make the stored open items of ``side`` exactly ``items``: add, update, and delete the ones not listed.

    An item naming a relation that is not stored raises :class:`UnknownReferenceError`; with ``refuse``, it is
    handed to it with the reason instead and left out (so a stored earlier version of it is deleted)."""
    fixed = {"administration_id": administration.pk, "side": str(side)}
    counts = WriteCounts()
    seen: set[str] = set()
    with transaction.atomic():
        for batch in bulk.batched(items, batch_size):
            relations = ids_by_external_id(
                model=Relation,
                administration=administration,
                external_ids=(i.relation_external_id for i in batch),
                strict=refuse is None,
            )
            if refuse is not None:
                batch = _with_known_relations(batch, relations, refuse)
            rows = [
                (
                    i.external_id,
                    i.source_external_id,
                    i.invoice_number,
                    relations.get(i.relation_external_id),  # type: ignore[arg-type]
                    i.invoice_date,
                    i.due_date,
                    i.total,
                    i.paid,
                    i.outstanding,
                )
                for i in batch
            ]
            outcome = bulk.upsert(table=_ITEMS, fixed=fixed, rows=rows)
            counts += outcome
            seen.update(i.external_id for i in batch)
        stale = [
            pk
            for pk, external_id in OutstandingItem.objects.filter(**fixed).values_list("pk", "external_id")
            if external_id not in seen
        ]
        for chunk in bulk.batched(stale, bulk.ORM_CHUNK):
            OutstandingItem.objects.filter(pk__in=chunk).delete()
        counts += WriteCounts(deleted=len(stale))
        if counts.new or counts.changed or counts.deleted:
            outstanding_changed(administration)
    return counts


def outstanding_changed(administration: Administration) -> None:
    """Say that what the open items' pages are figured from changed (``Administration.outstanding_changed_at``):
    the open items themselves, their relations' names, or the payment habits."""
    Administration.objects.filter(pk=administration.pk).update(outstanding_changed_at=timezone.now())


def _with_known_relations(
    batch: list[OutstandingItemRecord],
    relations: dict[str, int],
    refuse: Callable[[OutstandingItemRecord, str], None],
) -> list[OutstandingItemRecord]:
    kept = []
    for item in batch:
        if item.relation_external_id is not None and item.relation_external_id not in relations:
            refuse(item, missing_references_reason([(Relation, item.relation_external_id)]))
        else:
            kept.append(item)
    return kept


def outstanding_snapshot_record(*, administration: Administration, as_of: date) -> WriteCounts:
    """Keep the open items of both sides as they are now as the snapshot of ``as_of``.

    Recording the same day again makes that day's snapshot the latest state (a second sync that night wins), and
    changes nothing when nothing changed.
    """
    fixed = {"administration_id": administration.pk, "as_of": as_of}
    current = OutstandingItem.objects.filter(administration=administration).values_list("side", *_ITEM_COLUMNS)
    counts = WriteCounts()
    seen: set[tuple[str, str]] = set()
    with transaction.atomic():
        for batch in bulk.batched(current.iterator(chunk_size=BATCH_SIZE), BATCH_SIZE):
            outcome = bulk.upsert(table=_SNAPSHOTS, fixed=fixed, rows=batch)
            counts += outcome
            seen.update((row[0], row[1]) for row in batch)
        stale = [
            pk
            for pk, side, external_id in OutstandingSnapshot.objects.filter(**fixed).values_list(
                "pk", "side", "external_id"
            )
            if (side, external_id) not in seen
        ]
        for chunk in bulk.batched(stale, bulk.ORM_CHUNK):
            OutstandingSnapshot.objects.filter(pk__in=chunk).delete()
        outstanding_snapshot_totals_record(administration=administration, as_of=as_of)
    return counts + WriteCounts(deleted=len(stale))


def outstanding_snapshot_totals_record(*, administration: Administration, as_of: date) -> None:
    """Add up the snapshot of ``as_of`` per side into ``OutstandingSnapshotTotal`` (replacing that day's totals):
    the total (net of credits), the part overdue on that day (invoices due, else invoiced, before it; a credit, an
    item with a negative amount, is never overdue) and the number of items."""
    overdue = Q(outstanding__gte=0) & (Q(due_date__lt=as_of) | Q(due_date__isnull=True, invoice_date__lt=as_of))
    sums = (
        OutstandingSnapshot.objects.filter(administration=administration, as_of=as_of)
        .values("side")
        .annotate(total=Sum("outstanding"), overdue=Sum("outstanding", filter=overdue), items=Count("pk"))
        .order_by("side")
    )
    with transaction.atomic():
        OutstandingSnapshotTotal.objects.filter(administration=administration, as_of=as_of).delete()
        OutstandingSnapshotTotal.objects.bulk_create(
            OutstandingSnapshotTotal(
                administration=administration,
                as_of=as_of,
                side=row["side"],
                total=cents(row["total"]),
                overdue=cents(row["overdue"]),
                items=row["items"],
            )
            for row in sums
        )
