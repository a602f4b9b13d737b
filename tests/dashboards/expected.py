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


def overdue(item: OutstandingItemRecord, as_of: date) -> bool:
    """An invoice due (else invoiced) before ``as_of``; a credit (a negative item) never is."""
    return item.outstanding >= 0 and (item.due_date or item.invoice_date) < as_of


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
    """Credits (negative items) are in no bucket and never overdue; the total is net of them."""
    items = list(items)
    invoices = [i for i in items if i.outstanding >= 0]
    credits = [i for i in items if i.outstanding < 0]
    size = len(boundaries) + (2 if basis == "due" else 1)
    amounts, counts = [ZERO] * size, [0] * size
    for item in invoices:
        index = bucket_index((as_of - reference(item, basis)).days, boundaries, basis)
        amounts[index] += item.outstanding
        counts[index] += 1
    late = [i for i in invoices if overdue(i, as_of)]
    return {
        "total": sum((i.outstanding for i in items), ZERO),
        "count": len(items),
        "overdue": sum((i.outstanding for i in late), ZERO),
        "overdue_count": len(late),
        "without_due_date": sum(1 for i in invoices if i.due_date is None),
        "credit": sum((i.outstanding for i in credits), ZERO),
        "credit_count": len(credits),
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
            "credit": figures["credit"],
            "items": figures["count"],
            "oldest_invoice": min((i.invoice_date for i in members if i.outstanding >= 0), default=None),
            "oldest_due": min((i.due_date or i.invoice_date for i in members if i.outstanding >= 0), default=None),
        }
    return rows
