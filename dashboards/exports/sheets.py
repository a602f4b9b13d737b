"""What each export of the dashboards holds: its columns (titles translated) and its rows, read from the same
selectors as the page, with exactly the rows the page would show with the same filters (all pages of them).
The rows are produced lazily from the database cursor in chunks; :mod:`.writer` writes them as CSV or XLSX."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ledger.forecast import Forecast
from ledger.money import ZERO, cents
from ledger.services.bulk import batched

from ..aging import age_in_days
from ..behaviour import Behaviour, behaviours_of
from ..selectors.notes import NextFollowUp, next_follow_ups
from ..selectors.scope import OutstandingScope
from .writer import Column, Sheet

TABLES = ("relations", "items")
CHUNK = 2_000
# The column and the bucket of credit notes and unapplied payments, which are in no aging bucket.
CREDIT = _("Credit")


def _chunked(rows: QuerySet) -> Iterator[Any]:
    return rows.iterator(chunk_size=CHUNK)


def relation_sheet(*, scope: OutstandingScope, rows: QuerySet) -> Sheet:
    """The per-relation rows of :func:`~dashboards.selectors.outstanding.outstanding_by_relation`."""
    buckets = scope.buckets
    columns = [
        Column(_("Administration"), width=28),
        Column(_("Relation code")),
        Column(_("Relation"), width=36),
        Column(_("Total"), "money"),
        Column(_("Overdue"), "money"),
        *(Column(bucket.label, "money") for bucket in buckets),
        Column(CREDIT, "money"),
        Column(_("Oldest invoice date"), "date"),
        Column(_("Most days overdue"), "int"),
        Column(_("Items"), "int"),
        Column(_("Payment behaviour"), width=22),
        Column(_("Days late, by amount"), "days"),
        Column(_("Next follow-up"), "date"),
    ]

    def produce() -> Iterator[tuple[Any, ...]]:
        no_relation = gettext("(no relation)")
        # How each relation pays and its next follow-up, looked up a chunk of rows at a time (a query each per chunk).
        for chunk in batched(_chunked(rows), CHUNK):
            ids = [row["relation_id"] for row in chunk]
            behaviours = behaviours_of(scope=scope, relation_ids=ids)
            follow_ups = next_follow_ups(organization=scope.organization, side=scope.side, relation_ids=ids)
            yield from (
                _relation_row(
                    scope, row, behaviours.get(row["relation_id"]), follow_ups.get(row["relation_id"]), no_relation
                )
                for row in chunk
            )

    return Sheet(title=_("Relations"), columns=columns, rows=produce())


def _relation_row(
    scope: OutstandingScope,
    row: dict,
    behaviour: Behaviour | None,
    follow_up: NextFollowUp | None,
    no_relation: str,
) -> tuple[Any, ...]:
    buckets = scope.buckets
    return (
        row["administration_name"],
        row["relation_code"] or "",
        row["relation_name"] or no_relation,
        cents(row["total"]),
        cents(row["overdue"]),
        *(cents(row[f"bucket_{i}"]) for i in range(len(buckets))),
        cents(row["credit"]),
        row["oldest_invoice"],
        # Empty for a relation with only credits open: nothing of it is overdue.
        max(0, age_in_days(as_of=scope.as_of, reference=row["oldest_due"])) if row["oldest_due"] else None,
        row["items"],
        behaviour.label if behaviour else "",
        behaviour.habit.days_late_weighted if behaviour else None,
        # The earliest follow-up or promised day of the relation's notes that is not done.
        follow_up.day if follow_up else None,
    )


def item_sheet(*, scope: OutstandingScope, rows: QuerySet) -> Sheet:
    """The items of :func:`~dashboards.selectors.outstanding.outstanding_items_list`."""
    columns = [
        Column(_("Administration"), width=28),
        Column(_("Relation code")),
        Column(_("Relation"), width=36),
        Column(_("Invoice number"), width=18),
        Column(_("Invoice date"), "date"),
        Column(_("Due date"), "date"),
        Column(_("Days overdue"), "int"),
        Column(_("Bucket"), width=16),
        Column(_("Total"), "money"),
        Column(_("Paid"), "money"),
        Column(_("Outstanding"), "money"),
    ]

    def produce() -> Iterator[tuple[Any, ...]]:
        no_relation = gettext("(no relation)")
        for item in _chunked(rows):
            age = age_in_days(as_of=scope.as_of, reference=item.reference)
            # A credit (a negative item) is in no bucket and never overdue: its days overdue are left empty.
            credit = item.outstanding < 0
            bucket = CREDIT if credit else next(b for b in scope.buckets if b.holds(age)).label
            yield (
                item.administration.name,
                item.relation.code if item.relation else "",
                item.relation.name if item.relation else no_relation,
                item.invoice_number,
                item.invoice_date,
                item.due_date,
                None if credit else max(0, age_in_days(as_of=scope.as_of, reference=item.effective_due)),
                bucket,
                item.total,
                item.paid,
                item.outstanding,
            )

    return Sheet(title=_("Items"), columns=columns, rows=produce())


def transaction_sheet(*, rows: QuerySet) -> Sheet:
    """The transactions explorer's rows (:func:`~dashboards.selectors.transactions.transactions_list`), one a row."""
    columns = [
        Column(_("Date"), "date", 12),
        Column(_("Administration"), width=24),
        Column(_("Number"), width=14),
        Column(_("Type"), width=22),
        Column(_("Relation"), width=28),
        Column(_("Description"), width=40),
        Column(_("Invoice number"), width=18),
        Column(_("Amount"), "money"),
        Column(_("Lines"), "int", 8),
        Column(_("Imbalance"), "money"),
    ]
    return Sheet(
        title=_("Transactions"),
        columns=columns,
        rows=(
            (
                t.date,
                t.administration.name,
                t.external_id,
                str(t.get_transaction_type_display()),
                t.relation.name if t.relation else "",
                t.description,
                t.invoice_number,
                cents(t.amount),
                t.line_count,
                t.imbalance,
            )
            for t in _chunked(rows)
        ),
    )


def forecast_sheet(*, forecast: Forecast) -> Sheet:
    """The cash forecast's weeks as the page shows them, then what is expected later, what is set apart as unlikely,
    and the open total they add up to."""
    columns = [
        Column(_("Week"), width=22),
        Column(_("From"), "date", 12),
        Column(_("To"), "date", 12),
        Column(_("By the relation's habit"), "money", 18),
        Column(_("By the collection curve"), "money", 18),
        Column(_("Expected"), "money"),
        Column(_("Cumulative"), "money"),
    ]

    def produce() -> Iterator[tuple[Any, ...]]:
        running = ZERO
        for week in forecast.weeks:
            running += week.total
            label = gettext("Week %(number)s") % {"number": week.number}
            yield (label, week.start, week.end, week.by_habit, week.by_curve, week.total, running)
        after = forecast.weeks[-1].end
        yield (gettext("Later"), after, None, None, None, forecast.later, running + forecast.later)
        yield (gettext("Unlikely to be paid"), None, None, None, None, forecast.unlikely, None)
        yield (gettext("Open total"), None, None, None, None, forecast.open_total, None)

    return Sheet(title=_("Expected cash"), columns=columns, rows=produce())
