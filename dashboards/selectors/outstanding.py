"""Reads of the open items for the Outstanding Items dashboard, its exports and its API, aggregated in the database.

- :func:`outstanding_aging`: one query for the total, the overdue part, the count, the items without a due date and
  every bucket's amount and count (the items grouped by bucket), however many items there are.
- :func:`outstanding_by_relation`: one grouped queryset with the same figures per relation; the page shows one
  page of it with the count in the same query (:func:`outstanding_relations_page`), the exports stream all of it.
- :func:`outstanding_items_list`: the items themselves, for the drill-down, the item export and the API.

The per-relation table sorts by any of its figures, and by how late each relation pays ("behaviour": its days late by
amount from the open-item ledger's payment habits, rated by ``dashboards.behaviour``'s rules in the database, so
"does not pay" is the latest and too little history comes last either way).

Credits (credit notes and unapplied payments: an open item with a negative amount) are never overdue and never in an
aging bucket, as in Xero's and Exact's aged receivables: the buckets hold the open invoices, the credits are shown
on their own ("Credit"), and the total is the net of both (invoices plus credits), so buckets plus credit add up to
the total. Overdue counts invoices only; a relation's oldest item and days overdue are its oldest invoice's.

Sums of two-place amounts come back as exact ``Decimal`` (SQLite sums in floating point; rounding to cents gives
the exact sum back).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    OrderBy,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from ledger.models import Relation
from ledger.money import ZERO, cents, sum_or_zero

from ..aging import Bucket
from ..behaviour import relation_lateness
from .kept import kept
from .scope import OutstandingScope, age_reference, due_reference, open_items

# The per-relation table's sort keys (the form offers these; "-" in front sorts descending).
RELATION_SORTS: dict[str, str] = {
    "name": "relation_name",
    "total": "total",
    "overdue": "overdue",
    "items": "items",
    "oldest": "oldest_due",
    "credit": "credit",
    "behaviour": "lateness",
}
DEFAULT_RELATION_SORT = "-total"

ITEM_SORTS: dict[str, str] = {
    "invoice": "invoice_number",
    "date": "invoice_date",
    "due": "effective_due",
    "relation": "relation__name",
    "total": "total",
    "outstanding": "outstanding",
}
DEFAULT_ITEM_SORT = "due"


@dataclass(frozen=True, slots=True)
class BucketTotal:
    bucket: Bucket
    amount: Decimal
    count: int
    share: Decimal | None  # of the total, in percent; None when the total is zero


@dataclass(frozen=True, slots=True)
class Aging:
    total: Decimal  # net: the open invoices plus the credits
    count: int
    overdue: Decimal
    overdue_count: int
    without_due_date: int  # invoices without a due date (a credit is never due)
    buckets: list[BucketTotal]  # the open invoices by age; with ``credit`` they add up to ``total``
    credit: Decimal = ZERO  # credit notes and unapplied payments: zero or negative, in no bucket
    credit_count: int = 0

    @property
    def invoiced(self) -> Decimal:
        """The open invoices alone: what the buckets add up to."""
        return self.total - self.credit

    @property
    def overdue_share(self) -> Decimal | None:
        return _percent(self.overdue, self.invoiced)


# An open item with a negative amount is a credit (a credit note, a payment not applied to an invoice): never due.
IS_CREDIT = Q(outstanding__lt=0)
IS_INVOICE = ~IS_CREDIT


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part * 100 / whole).quantize(Decimal("0.1")) if whole else None


def _in_bucket(bucket: Bucket, as_of: date, reference: str = "reference") -> Q:
    earliest, latest = bucket.reference_range(as_of)
    condition = Q()
    if earliest is not None:
        condition &= Q(**{f"{reference}__gte": earliest})
    if latest is not None:
        condition &= Q(**{f"{reference}__lte": latest})
    return condition


def _figures(scope: OutstandingScope) -> dict:
    """The conditional aggregates of the per-relation rows; they read the annotations ``reference`` (the aging
    date) and ``effective_due`` that :func:`_annotated` adds."""
    figures = {
        "total": sum_or_zero("outstanding"),
        "overdue": sum_or_zero("outstanding", filter=IS_INVOICE & Q(effective_due__lt=scope.as_of)),
        "credit": sum_or_zero("outstanding", filter=IS_CREDIT),
    }
    for index, bucket in enumerate(scope.buckets):
        figures[f"bucket_{index}"] = sum_or_zero("outstanding", filter=IS_INVOICE & _in_bucket(bucket, scope.as_of))
    return figures


def _annotated(scope: OutstandingScope, rows: QuerySet | None = None) -> QuerySet:
    rows = open_items(scope=scope) if rows is None else rows
    return rows.annotate(reference=age_reference(scope.basis), effective_due=due_reference())


def outstanding_aging(*, scope: OutstandingScope) -> Aging:
    """Totals and the bucket split of the scope's side, in one query: the items grouped by their bucket, whether
    they are overdue and whether they have a due date (a few rows, however many items), added up here. One sum
    and one count per group cost the database less than a conditional sum and count per bucket and figure over
    every item, and the query is a fraction of the SQL to build."""
    buckets = Case(
        When(IS_CREDIT, then=Value(None)),
        *(When(_in_bucket(bucket, scope.as_of), then=Value(i)) for i, bucket in enumerate(scope.buckets)),
        output_field=IntegerField(),
    )
    groups = (
        _annotated(scope)
        .annotate(
            bucket=buckets,
            is_credit=ExpressionWrapper(IS_CREDIT, output_field=BooleanField()),
            is_overdue=ExpressionWrapper(Q(effective_due__lt=scope.as_of), output_field=BooleanField()),
            no_due_date=ExpressionWrapper(Q(due_date__isnull=True), output_field=BooleanField()),
        )
        .values("bucket", "is_credit", "is_overdue", "no_due_date")
        .annotate(amount=Sum("outstanding"), items=Count("pk"))
        .order_by()
    )
    amounts = [ZERO] * len(scope.buckets)
    counts = [0] * len(scope.buckets)
    total, count, overdue, overdue_count, without_due_date = ZERO, 0, ZERO, 0, 0
    credit, credit_count = ZERO, 0
    for group in groups:
        amount = cents(group["amount"])
        total, count = total + amount, count + group["items"]
        if group["is_credit"]:
            credit, credit_count = credit + amount, credit_count + group["items"]
            continue
        amounts[group["bucket"]] += amount
        counts[group["bucket"]] += group["items"]
        if group["is_overdue"]:
            overdue, overdue_count = overdue + amount, overdue_count + group["items"]
        if group["no_due_date"]:
            without_due_date += group["items"]
    invoiced = total - credit
    return Aging(
        total=total,
        count=count,
        overdue=overdue,
        overdue_count=overdue_count,
        without_due_date=without_due_date,
        buckets=[
            BucketTotal(bucket=bucket, amount=amounts[i], count=counts[i], share=_percent(amounts[i], invoiced))
            for i, bucket in enumerate(scope.buckets)
        ],
        credit=credit,
        credit_count=credit_count,
    )


def _relation_figures(scope: OutstandingScope) -> dict:
    """The per-relation annotations of :func:`outstanding_by_relation`, by name."""
    return {
        "administration_name": Max("administration__name"),
        "relation_name": Max("relation__name"),
        "relation_code": Max("relation__code"),
        **_figures(scope),
        "items": Count("pk"),
        # Of the invoices only: a credit is never the oldest item to chase, nor overdue.
        "oldest_invoice": Min("invoice_date", filter=IS_INVOICE),
        "oldest_due": Min(Coalesce(F("due_date"), F("invoice_date"), output_field=DateField()), filter=IS_INVOICE),
        # Not an aggregate: the relation's habit, read once per group (annotated after the aggregates, see below).
        "lateness": relation_lateness(scope=scope),
    }


def _relation_groups(scope: OutstandingScope, search: str, figures: list[str], sort: str) -> QuerySet:
    """The open items grouped per (administration, relation) with the annotations ``figures``, in table order."""
    rows = open_items(scope=scope)
    if search:
        rows = rows.filter(Q(relation__name__icontains=search) | Q(relation__code__icontains=search))
    every = _relation_figures(scope)
    wanted = {name: every[name] for name in figures}
    # The aggregates first, which group the items; then what is read per group (the relation's habit): annotated
    # before them, the database would group by it too, reading it for every item instead of once per group.
    rows = (
        _annotated(scope, rows)
        .values("administration_id", "relation_id")
        .annotate(**{name: value for name, value in wanted.items() if value.contains_aggregate})
        .annotate(**{name: value for name, value in wanted.items() if not value.contains_aggregate})
    )
    # Nulls last, as in :func:`_page_keys`, whatever the database's default (SQLite puts them first).
    return rows.order_by(
        *_ordering(sort, RELATION_SORTS, DEFAULT_RELATION_SORT),
        F("relation_name").asc(nulls_last=True),
        F("relation_id").asc(nulls_last=True),
        "administration_id",
    )


def outstanding_by_relation(
    *, scope: OutstandingScope, search: str = "", sort: str = DEFAULT_RELATION_SORT
) -> QuerySet:
    """One row per relation (per administration: relations belong to one), as dicts: ``administration_id``,
    ``administration_name``, ``relation_id`` (None for items without a relation), ``relation_name``,
    ``relation_code``, ``total`` (net), ``overdue``, ``credit`` (zero or negative), ``bucket_<i>`` per bucket (of
    the invoices), ``items``, ``oldest_invoice`` (the earliest invoice date of the open invoices), ``oldest_due``
    (their earliest due date, else invoice date: the most overdue invoice); both None when only credits are open;
    and ``lateness`` (``dashboards.behaviour.lateness``: None without enough history).

    Sorted by ``sort`` (a key of :data:`RELATION_SORTS`, "-" for descending), then by name and ids so that pages
    never repeat or skip a row. ``search`` matches the relation's name or code."""
    return _relation_groups(scope, search, list(_relation_figures(scope)), sort)


def outstanding_relations_page(
    *, scope: OutstandingScope, search: str = "", sort: str = DEFAULT_RELATION_SORT, number: int = 1, per_page: int
) -> Page:
    """One page of :func:`outstanding_by_relation`, as ``Paginator.get_page`` gives it (a number past the end shows
    the last page), in two queries however many relations there are:

    1. which rows are on the page, and how many rows there are in all (:func:`_page_keys`);
    2. every figure of those rows only (their items, through the (administration, side, relation) index).

    Summing every bucket of every relation to show 25 of them cost more than the rest of the page together
    (50,000 open items: about 60 ms of the 100 ms the two queries took before). The rows are kept until the books
    change (``dashboards.selectors.kept``)."""
    rows, number, count = kept(
        "relations",
        scope,
        [scope.side, scope.as_of, scope.today, scope.basis, *scope.boundaries, search, sort, number, per_page],
        lambda: _relations_rows(scope, search, sort, number, per_page),
    )
    paginator = Paginator(rows, per_page)
    paginator.count = count  # the page's rows are the list; the count is the first query's
    return Page(rows, number, paginator)


def _relations_rows(
    scope: OutstandingScope, search: str, sort: str, number: int, per_page: int
) -> tuple[list[dict], int, int]:
    """The rows of the asked page, its number (the last page's, past the end) and the number of rows in all."""
    chosen = _page_keys(scope, search, sort, number, per_page)
    if not chosen:
        return [], 1, 0
    named = [k["relation_id"] for k in chosen if k["relation_id"] is not None]
    unnamed = [k["administration_id"] for k in chosen if k["relation_id"] is None]
    found = outstanding_by_relation(scope=scope, search=search, sort=sort).filter(
        Q(relation_id__in=named) | Q(relation__isnull=True, administration_id__in=unnamed)
    )
    by_key = {(r["administration_id"], r["relation_id"]): r for r in found}
    rows = [by_key[(k["administration_id"], k["relation_id"])] for k in chosen]
    return rows, (chosen[0]["place"] - 1) // per_page + 1, chosen[0]["rows_in_all"]


def _page_keys(scope: OutstandingScope, search: str, sort: str, number: int, per_page: int) -> list[dict]:
    """The (administration, relation) keys of the asked page (or of the last page, when the number is past the
    end), each with its place in the table order and ``rows_in_all``, the number of rows of the table.

    The open items are grouped by their ids alone, with only the figure the order needs; the relations' names
    are joined to the groups (a few thousand rows), not to every item: the join and a ``MAX(name)`` over 35,000
    items took half the time of the grouping. The order is :func:`outstanding_by_relation`'s: the sort's figure,
    then the name and the ids, nulls last. Around the ORM, which cannot yet compare two window functions: the
    grouping's own SQL, scoped like every query here."""
    if sort.removeprefix("-") not in RELATION_SORTS:
        sort = DEFAULT_RELATION_SORT
    figure = RELATION_SORTS[sort.removeprefix("-")]
    rows = open_items(scope=scope)
    if search:
        rows = rows.filter(Q(relation__name__icontains=search) | Q(relation__code__icontains=search))
    groups = _annotated(scope, rows).values("administration_id", "relation_id")
    if figure == "relation_name":
        groups = groups.distinct()
    else:
        value = _relation_figures(scope)[figure]
        if not value.contains_aggregate:  # read once per group (the relation's habit): the items grouped first
            groups = groups.annotate(items=Count("pk"))
        groups = groups.annotate(**{figure: value})
    sql, params = groups.order_by().query.sql_with_params()
    connection = connections[groups.db]
    # A concrete field always has a column; django-stubs types Field.column as str | None.
    name = f"r.{connection.ops.quote_name(Relation._meta.get_field('name').column)}"  # type: ignore[arg-type]
    first = name if figure == "relation_name" else f"g.{connection.ops.quote_name(figure)}"
    order = (
        f"{first} {'DESC' if sort.startswith('-') else 'ASC'} NULLS LAST, {name} ASC NULLS LAST, "
        "g.relation_id ASC NULLS LAST, g.administration_id ASC"
    )
    relations = connection.ops.quote_name(Relation._meta.db_table)
    relation_id = f"r.{connection.ops.quote_name(Relation._meta.pk.column)}"  # type: ignore[arg-type]  # as name
    wanted = (max(number, 1) - 1) * per_page
    last = f"(k.rows_in_all - 1) / {per_page:d} * {per_page:d}"  # the last page's first place, less one
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT k.administration_id, k.relation_id, k.place, k.rows_in_all FROM ("  # noqa: S608
            f"SELECT g.administration_id, g.relation_id, ROW_NUMBER() OVER (ORDER BY {order}) AS place, "
            f"COUNT(*) OVER () AS rows_in_all FROM ({sql}) g LEFT JOIN {relations} r ON {relation_id} = g.relation_id"
            f") k WHERE k.place > CASE WHEN %s < {last} THEN %s ELSE {last} END ORDER BY k.place LIMIT %s",
            (*params, wanted, wanted, per_page),
        )
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def outstanding_top_relations(*, scope: OutstandingScope, limit: int = 5) -> list[dict]:
    """The relations with the most outstanding: top debtors for receivables, top creditors for payables."""
    return list(outstanding_by_relation(scope=scope, sort="-total")[:limit])


def outstanding_items_list(
    *,
    scope: OutstandingScope,
    relation: Relation | None = None,
    without_relation: bool = False,
    without_due_date: bool = False,
    overdue: bool | None = None,
    search: str = "",
    relation_search: str = "",
    sort: str = DEFAULT_ITEM_SORT,
    both_sides: bool = False,
) -> QuerySet:
    """The open items themselves, with ``reference`` (the aging date) and ``effective_due`` annotated and their
    relation and administration joined in; sorted by ``sort`` (a key of :data:`ITEM_SORTS`), then by id.

    ``search`` matches the invoice number or the relation's name or code; ``relation_search`` only the relation's
    name or code, as the relation table's search does, so that "the items of the relations shown" is exact."""
    rows = open_items(scope=scope, side=not both_sides)
    if relation is not None:
        rows = rows.filter(relation=relation)
    if without_relation:
        rows = rows.filter(relation__isnull=True)
    if without_due_date:
        rows = rows.filter(due_date__isnull=True)
    if search:
        rows = rows.filter(
            Q(invoice_number__icontains=search)
            | Q(relation__name__icontains=search)
            | Q(relation__code__icontains=search)
        )
    if relation_search:
        rows = rows.filter(Q(relation__name__icontains=relation_search) | Q(relation__code__icontains=relation_search))
    rows = _annotated(scope, rows).annotate(is_credit=ExpressionWrapper(IS_CREDIT, output_field=BooleanField()))
    if overdue is not None:
        is_overdue = IS_INVOICE & Q(effective_due__lt=scope.as_of)
        rows = rows.filter(is_overdue) if overdue else rows.exclude(is_overdue)
    ordering = _ordering(sort, ITEM_SORTS, DEFAULT_ITEM_SORT)
    return rows.select_related("relation", "administration").order_by(*ordering, "pk")


def _ordering(sort: str, allowed: dict[str, str], default: str) -> list[str | OrderBy]:
    key = sort.removeprefix("-")
    if key not in allowed:
        return _ordering(default, allowed, default)
    field = allowed[key]
    descending = sort.startswith("-")
    # Nulls (items without a relation) last either way, so the named relations stay on top.
    expression = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
    return [expression]


def outstanding_items_summary(*, rows: QuerySet, as_of: date) -> dict[str, Decimal | int]:
    """Outstanding (net), overdue (invoices only), credit and the number of items of a selection from
    :func:`outstanding_items_list`."""
    row = rows.order_by().aggregate(
        total=Sum("outstanding"),
        overdue=Sum("outstanding", filter=IS_INVOICE & Q(effective_due__lt=as_of)),
        credit=Sum("outstanding", filter=IS_CREDIT),
        count=Count("pk"),
    )
    return {
        "total": cents(row["total"]),
        "overdue": cents(row["overdue"]),
        "credit": cents(row["credit"]),
        "count": row["count"],
    }
