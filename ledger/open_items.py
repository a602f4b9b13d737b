"""Reading the open-item ledger (``ledger.models.open_items``): what was open on a day, and whether what it says is
open now agrees with the source's own list.

- :func:`open_items_on`: the items open at the end of a day with ``total``, ``paid`` and ``outstanding`` as of that
  day (``OpenItemPeriod``), the columns the source's list and the daily snapshots have, so the Outstanding Items
  dashboard, its exports and its API read a past day from the ledger as they read today from the list.
- :func:`open_item_ledger_agreement`: today's open items by the ledger against the source's list, item by item,
  each difference with its reason, for the sync's check and the Data checks page.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_noop

from monitr.web.stored_text import stored_pattern

from .models import Administration, OutstandingItem, OutstandingSide
from .models.open_items import LedgerOpenItem, OpenItemKind, OpenItemPeriod, OpenItemSettlement
from .money import ZERO


def open_items_on(rows: QuerySet[OpenItemPeriod], day: date) -> QuerySet[OpenItemPeriod]:
    """The items of ``rows`` (open-item periods) open at the end of ``day``, with ``total``, ``paid`` and
    ``outstanding`` as of that day: the period of each item that holds the day."""
    if connection.vendor == "postgresql":
        # The periods as date ranges, which the GiST index of migration 0013 finds exactly: for a day far back it
        # reads the few periods that hold the day, not the many that end after it (bench/README.md, Part 3).
        holds = RawSQL("daterange(valid_from, valid_to, '[)') @> %s::date", (day,), output_field=BooleanField())
        return rows.filter(holds)
    return rows.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))


# Why an item differs, in English as the check stores it; shown translated (monitr.web.stored_text).
NOT_IN_BOOKS = stored_pattern(gettext_noop("The books hold no invoice %(number)s of this relation."))
OTHER_RELATION = stored_pattern(gettext_noop("The books hold invoice %(number)s under another relation."))
SETTLED_IN_BOOKS = stored_pattern(
    gettext_noop("The books settle it in full; the source still lists %(source)s open (a payment it does not count?)."),
    numbers=("source",),
)
OPEN_IN_BOOKS = stored_pattern(
    gettext_noop("The books leave %(ledger)s open; the source lists it as paid (a payment that names no invoice?)."),
    numbers=("ledger",),
)
AMOUNTS_DIFFER = stored_pattern(
    gettext_noop("The books leave %(ledger)s open, the source %(source)s."), numbers=("ledger", "source")
)
SPELLED_OTHERWISE = stored_pattern(
    gettext_noop("The payment names invoice %(named)s, which the books spell %(number)s: it is not applied.")
)
NAMES_UNKNOWN = stored_pattern(
    gettext_noop("A payment of %(date)s names invoice %(named)s, which the books do not hold: an unapplied credit.")
)
NAMES_NOTHING = stored_pattern(
    gettext_noop("A payment of %(date)s names no invoice: an unapplied credit, which the source's list leaves out.")
)


@dataclass(frozen=True, slots=True)
class ItemDifference:
    side: OutstandingSide
    subject: str  # the source's item, or the ledger's
    expected: Decimal  # what the source's list leaves open
    actual: Decimal  # what the ledger leaves open
    reason: str  # English, stored as such (monitr.web.stored_text)


@dataclass(frozen=True, slots=True)
class Agreement:
    totals: dict[OutstandingSide, tuple[Decimal, Decimal]]  # per side: (the source's list, the ledger)
    differences: list[ItemDifference]


def _spelling(number: str) -> str:
    """An invoice number as people misspell it alike: case, spaces, dots, dashes and slashes, leading zeros."""
    return re.sub(r"[\s./\-_]+", "", number).casefold().lstrip("0")


def _open_now(administration: Administration) -> list[dict[str, Any]]:
    """The ledger's items with what every settlement leaves open (the source's list counts every payment booked,
    whatever its date)."""
    settled: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for item, amount in (
        OpenItemSettlement.objects.filter(administration=administration)
        .values("open_item")
        .annotate(total=Sum("amount"))
        .values_list("open_item", "total")
    ):
        settled[item] = amount
    rows: list[dict[str, Any]] = []
    for row in LedgerOpenItem.objects.filter(administration=administration).values(
        "pk",
        "side",
        "kind",
        "external_id",
        "source_external_id",
        "invoice_number",
        "relation_id",
        "invoice_date",
        "amount",
    ):
        rows.append({**row, "outstanding": row["amount"] - settled[row["pk"]]})
    return rows


def open_item_ledger_agreement(*, administration: Administration) -> Agreement:
    """Today's open items by the ledger against the source's list (``OutstandingItem``), item by item.

    A source item is the ledger's item made by the same transaction; an item the source names by number only (no
    transaction: SOAP, the opening balance) is the ledger's of the same side, relation and number. Each difference
    says why, where the books show it: no such invoice, an invoice under another relation, a payment that names the
    invoice spelled otherwise, a payment that names nothing."""
    ledger = _open_now(administration)
    by_source: dict[tuple[str, str], dict] = {}
    by_number: dict[tuple[str, int | None, str], dict] = {}
    numbers_of_side: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for entry in ledger:
        if entry["kind"] == OpenItemKind.OPENING:
            by_source[(entry["side"], entry["external_id"].removeprefix("opening:"))] = entry
        elif entry["source_external_id"] and entry["kind"] != OpenItemKind.UNAPPLIED:
            by_source[(entry["side"], entry["source_external_id"])] = entry
        if entry["invoice_number"] and entry["kind"] != OpenItemKind.UNAPPLIED:
            by_number.setdefault((entry["side"], entry["relation_id"], entry["invoice_number"]), entry)
            numbers_of_side[(entry["side"], _spelling(entry["invoice_number"]))].append(entry)

    differences: list[ItemDifference] = []
    matched: set[int] = set()
    totals: dict[OutstandingSide, list[Decimal]] = {side: [ZERO, ZERO] for side in OutstandingSide}
    for item in OutstandingItem.objects.filter(administration=administration).order_by("side", "invoice_date", "pk"):
        side = OutstandingSide(item.side)
        totals[side][0] += item.outstanding
        row: dict[str, Any] | None = (
            by_source.get((item.side, item.source_external_id))
            if item.source_external_id
            else by_source.get((item.side, item.external_id))
        ) or by_number.get((item.side, item.relation_id, item.invoice_number))
        subject = _subject(side, item.invoice_number or item.external_id)
        if row is None:
            elsewhere = any(
                r["invoice_number"] == item.invoice_number
                for r in numbers_of_side.get((item.side, _spelling(item.invoice_number)), [])
            )
            pattern = OTHER_RELATION if elsewhere else NOT_IN_BOOKS
            differences.append(
                ItemDifference(side, subject, item.outstanding, ZERO, pattern % {"number": item.invoice_number})
            )
            continue
        matched.add(row["pk"])
        if row["outstanding"] == item.outstanding:
            continue
        if row["outstanding"] == 0:
            reason = SETTLED_IN_BOOKS % {"source": item.outstanding}
        else:
            reason = AMOUNTS_DIFFER % {"ledger": row["outstanding"], "source": item.outstanding}
        differences.append(ItemDifference(side, subject, item.outstanding, row["outstanding"], reason))

    for row in ledger:
        if not row["outstanding"]:
            continue
        side = OutstandingSide(row["side"])
        totals[side][1] += row["outstanding"]
        if row["pk"] in matched:
            continue
        differences.append(
            ItemDifference(
                side,
                _subject(side, row["invoice_number"] or row["external_id"]),
                ZERO,
                row["outstanding"],
                _unmatched_reason(row, numbers_of_side),
            )
        )
    return Agreement(totals={side: (a, b) for side, (a, b) in totals.items()}, differences=differences)


def _unmatched_reason(row: dict, numbers_of_side: dict[tuple[str, str], list[dict]]) -> str:
    named, day = row["invoice_number"], row["invoice_date"].isoformat()
    if row["kind"] != OpenItemKind.UNAPPLIED:
        return OPEN_IN_BOOKS % {"ledger": row["outstanding"]}
    if not named:
        return NAMES_NOTHING % {"date": day}
    alike = [r for r in numbers_of_side.get((row["side"], _spelling(named)), []) if r["invoice_number"] != named]
    if alike:
        return SPELLED_OTHERWISE % {"named": named, "number": alike[0]["invoice_number"]}
    return NAMES_UNKNOWN % {"date": day, "named": named}


def _subject(side: OutstandingSide, name: str) -> str:
    return f"{side}:{name}"[:100]


def agreement_records(agreement: Agreement, *, today: date) -> Iterable:
    """The agreement as the checks store it: per side the totals, then each difference."""
    from .models import ReconciliationCheck
    from .records import ReconciliationRecord

    for side, (source, ledger) in agreement.totals.items():
        yield ReconciliationRecord(
            kind=ReconciliationCheck.OPEN_ITEM_LEDGER,
            subject=str(side),
            period_start=today,
            expected=source,
            actual=ledger,
        )
    for difference in agreement.differences:
        yield ReconciliationRecord(
            kind=ReconciliationCheck.OPEN_ITEM_LEDGER,
            subject=difference.subject,
            period_start=today,
            expected=difference.expected,
            actual=difference.actual,
            reason=difference.reason,
        )
