"""Keeping the list of source records an import set aside: added as they are refused, removed once stored.

Full-refresh imports (the chart, relations, cost centres, open items) replace the list of their kind each run, so
what the source fixed or removed disappears. Transactions come in date windows: an entry goes when its transaction
is stored (:func:`set_aside_resolve`, called by ``transactions_upsert``) or when a window that covers its date no
longer lists it (:func:`set_aside_forget_missing`, called by ``transactions_delete_missing``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone

from ledger.models import Administration, SetAsideKind, SetAsideRecord
from ledger.records import SetAsideEntry

from .bulk import ORM_CHUNK, batched


def set_aside_record(*, administration: Administration, entries: Iterable[SetAsideEntry]) -> int:
    """Add or refresh an entry per record (the reason and label as now, ``first_seen_at`` kept); returns how many."""
    now = timezone.now()
    written = 0
    with transaction.atomic():
        for entry in {(e.kind, e.external_id): e for e in entries}.values():
            found = {"label": entry.label, "reason": entry.reason, "record_date": entry.record_date}
            found["last_seen_at"] = now
            SetAsideRecord.objects.update_or_create(
                administration=administration,
                kind=entry.kind,
                external_id=entry.external_id,
                defaults=found,
                create_defaults={**found, "first_seen_at": now},
            )
            written += 1
    return written


def set_aside_replace(*, administration: Administration, kind: SetAsideKind, entries: Iterable[SetAsideEntry]) -> int:
    """Make the entries of ``kind`` exactly ``entries``: for an import that read every record of the kind."""
    entries = [e for e in entries if e.kind == kind]
    with transaction.atomic():
        set_aside_record(administration=administration, entries=entries)
        keep = {e.external_id for e in entries}
        stale = [
            pk
            for pk, external_id in SetAsideRecord.objects.filter(administration=administration, kind=kind).values_list(
                "pk", "external_id"
            )
            if external_id not in keep
        ]
        SetAsideRecord.objects.filter(pk__in=stale).delete()
    return len(entries)


def set_aside_pending(*, administration: Administration, kind: SetAsideKind) -> set[str]:
    """The external ids of ``kind`` set aside now (one query; the list is short)."""
    return set(
        SetAsideRecord.objects.filter(administration=administration, kind=kind).values_list("external_id", flat=True)
    )


def set_aside_resolve(*, administration: Administration, kind: SetAsideKind, external_ids: Iterable[str]) -> int:
    """Remove the entries of records that have now been stored."""
    removed = 0
    for chunk in batched(set(external_ids), ORM_CHUNK):
        removed += SetAsideRecord.objects.filter(
            administration=administration, kind=kind, external_id__in=chunk
        ).delete()[0]
    return removed


def set_aside_forget_missing(
    *,
    administration: Administration,
    kind: SetAsideKind,
    window_start: date,
    window_end: date,
    seen_external_ids: Collection[str],
) -> int:
    """Remove the entries dated in the window whose record the source no longer lists there."""
    in_window = SetAsideRecord.objects.filter(
        administration=administration, kind=kind, record_date__range=(window_start, window_end)
    )
    listed = in_window.values_list("pk", "external_id")
    stale = [pk for pk, external_id in listed if external_id not in seen_external_ids]
    return SetAsideRecord.objects.filter(pk__in=stale).delete()[0] if stale else 0


def set_aside_months(*, administration: Administration, kind: SetAsideKind) -> dict[date, set[str]]:
    """The external ids of set-aside records of ``kind`` by the first day of their month, oldest month first."""
    months: dict[date, set[str]] = {}
    rows = SetAsideRecord.objects.filter(administration=administration, kind=kind, record_date__isnull=False)
    for day, external_id in rows.order_by("record_date").values_list("record_date", "external_id"):
        # record_date__isnull=False: never None, though django-stubs types the nullable column so.
        months.setdefault(day.replace(day=1), set()).add(external_id)  # type: ignore[union-attr]
    return months
