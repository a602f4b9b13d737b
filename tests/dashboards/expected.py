"""Figures computed independently of the dashboards' code: plain Python over the records the tests imported."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from ledger.records import OutstandingItemRecord

ZERO = Decimal("0.00")


def reference(item: OutstandingItemRecord, basis: str) -> date:
    if basis == "invoice":
        return item.invoice_date
    return item.due_date or item.invoice_date


def bucket_index(age: int, boundaries: Sequence[int], basis: str) -> int:
    """By due date: 0 = not yet due, then one per boundary, then "over"; by invoice date no "not yet due"."""
    if basis == "due":
        if age <= 0:
            return 0
        for n, boundary in enumerate(boundaries, start=1):
            if age <= boundary:
                return n
        return len(boundaries) + 1
    for n, boundary in enumerate(boundaries):
        if age <= boundary:
            return n
    return len(boundaries)


def aging(
    items: Iterable[OutstandingItemRecord], *, as_of: date, boundaries: Sequence[int] = (30, 60, 90), basis: str = "due"
) -> dict:
    items = list(items)
    size = len(boundaries) + (2 if basis == "due" else 1)
    amounts, counts = [ZERO] * size, [0] * size
    for item in items:
        index = bucket_index((as_of - reference(item, basis)).days, boundaries, basis)
        amounts[index] += item.outstanding
        counts[index] += 1
    overdue = [i for i in items if (i.due_date or i.invoice_date) < as_of]
    return {
        "total": sum((i.outstanding for i in items), ZERO),
        "count": len(items),
        "overdue": sum((i.outstanding for i in overdue), ZERO),
        "overdue_count": len(overdue),
        "without_due_date": sum(1 for i in items if i.due_date is None),
        "amounts": amounts,
        "counts": counts,
    }


def by_relation(
    items: Iterable[OutstandingItemRecord], *, as_of: date, boundaries: Sequence[int] = (30, 60, 90), basis: str = "due"
) -> dict[str | None, dict]:
    """``{relation external id: figures}``."""
    groups: dict[str | None, list[OutstandingItemRecord]] = defaultdict(list)
    for item in items:
        groups[item.relation_external_id].append(item)
    rows = {}
    for relation, members in groups.items():
        figures = aging(members, as_of=as_of, boundaries=boundaries, basis=basis)
        rows[relation] = {
            "total": figures["total"],
            "overdue": figures["overdue"],
            "buckets": figures["amounts"],
            "items": figures["count"],
            "oldest_invoice": min(i.invoice_date for i in members),
            "oldest_due": min(i.due_date or i.invoice_date for i in members),
        }
    return rows
