"""Keeping the monthly balances (:class:`~ledger.models.MonthlyBalance`) of the books.

The lines' rows follow every write of lines as a difference: what a batch adds per account, month and cost centre
is added to the row, what it removes (a changed transaction's old lines, a deleted transaction's lines) taken off,
in the same database transaction as the lines themselves. That costs one statement per batch whatever its size, and
is exact because the ledger's write services are the only writers of lines. A rebuild from the lines is there for
repairs (and is what the check compares against).

The source's rows are replaced a month at a time with what the provider's balances say.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db import connection
from django.db import transaction as db_transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce, TruncMonth

from ledger.models import (
    LINES_COMPLETE,
    Account,
    Administration,
    BalanceBasis,
    MonthlyBalance,
    TransactionLine,
)
from ledger.money import ZERO

from .bulk import ORM_CHUNK, batched
from .references import ids_by_external_id

# (account pk, first day of the month, cost centre pk or 0) → amount
BalanceKey = tuple[int, dt.date, int]
Deltas = dict[BalanceKey, Decimal]


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def line_deltas(rows: Iterable[tuple[int, dt.date, int | None, Decimal]]) -> Deltas:
    """The sums of ``(account pk, date, cost centre pk, amount)`` per monthly balance key."""
    deltas: Deltas = defaultdict(lambda: ZERO)
    for account_id, day, cost_center_id, amount in rows:
        deltas[(account_id, month_of(day), cost_center_id or 0)] += amount
    return deltas


def stored_line_deltas(*, transaction_ids: Iterable[int]) -> Deltas:
    """What the stored lines of these transactions add to the monthly balances, negated: the difference that
    removing them makes (one grouped query per chunk of transactions)."""
    deltas: Deltas = defaultdict(lambda: ZERO)
    for chunk in batched(list(transaction_ids), ORM_CHUNK):
        rows = (
            TransactionLine.objects.filter(transaction_id__in=chunk)
            .annotate(month=TruncMonth("date"), key=Coalesce("cost_center_id", 0))
            .values_list("account_id", "month", "key")
            .annotate(total=Sum("amount"))
            .order_by()
        )
        for account_id, month, key, total in rows:
            deltas[(account_id, _as_date(month), key)] -= total
    return deltas


def merge(*parts: Mapping[BalanceKey, Decimal]) -> Deltas:
    merged: Deltas = defaultdict(lambda: ZERO)
    for part in parts:
        for key, amount in part.items():
            merged[key] += amount
    return merged


def monthly_balances_add(*, administration_id: int, deltas: Mapping[BalanceKey, Decimal]) -> None:
    """Add ``deltas`` to the lines' monthly balances in one statement (a row that does not exist starts at 0).

    Written as SQL because the ORM's upsert cannot add to the stored value (``amount = amount + excluded.amount``);
    ``INSERT ... ON CONFLICT DO UPDATE`` reads the same on PostgreSQL and SQLite."""
    table = MonthlyBalance._meta.db_table
    _insert(
        administration_id,
        BalanceBasis.LINES,
        [(key, amount) for key, amount in deltas.items() if amount],
        "ON CONFLICT (administration_id, basis, account_id, month, cost_center_key) "
        f"DO UPDATE SET amount = {table}.amount + excluded.amount",
    )


def _insert(administration_id: int, basis: str, rows: list[tuple[BalanceKey, Decimal]], tail: str = "") -> None:
    """Insert the rows in one statement. SQL rather than ``bulk_create``: no model instance per row (a first import
    writes thousands of the source's), and the lines' rows need the ``ON CONFLICT`` tail."""
    if not rows:
        return
    table = MonthlyBalance._meta.db_table
    head = f"INSERT INTO {table} (administration_id, basis, account_id, month, cost_center_key, amount)"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement with the rows as arrays, whatever their number.
            # The statement holds the table's name and fixed text only; every value is a parameter.
            arrays = "unnest(%s::bigint[], %s::date[], %s::bigint[], %s::numeric[]) AS t(a, m, c, v)"
            cursor.execute(
                f"{head} SELECT %s, %s, a, m, c, v FROM {arrays} {tail}",  # noqa: S608
                [
                    administration_id,
                    str(basis),
                    [k[0] for k, _ in rows],
                    [k[1] for k, _ in rows],
                    [k[2] for k, _ in rows],
                    [v for _, v in rows],
                ],
            )
        else:
            cursor.executemany(
                f"{head} VALUES (%s, %s, %s, %s, %s, %s) {tail}",
                [(administration_id, str(basis), k[0], k[1], k[2], v) for k, v in rows],
            )


@db_transaction.atomic
def monthly_balances_rebuild(*, administration: Administration) -> int:
    """Compute the lines' monthly balances of the administration from its lines again; returns how many rows
    changed. A repair: the write services keep them exact as they go."""
    expected = {
        (account_id, _as_date(month), key): total
        for account_id, month, key, total in (
            TransactionLine.objects.filter(administration=administration)
            .annotate(month=TruncMonth("date"), key=Coalesce("cost_center_id", 0))
            .values_list("account_id", "month", "key")
            .annotate(total=Sum("amount"))
            .order_by()
        )
    }
    stored = {
        (account_id, month, key): amount
        for account_id, month, key, amount in MonthlyBalance.objects.filter(
            administration=administration, basis=BalanceBasis.LINES
        ).values_list("account_id", "month", "cost_center_key", "amount")
    }
    deltas = {
        key: expected.get(key, ZERO) - stored.get(key, ZERO)
        for key in expected.keys() | stored.keys()
        if expected.get(key, ZERO) != stored.get(key, ZERO)
    }
    monthly_balances_add(administration_id=administration.pk, deltas=deltas)
    return len(deltas)


def monthly_balances_from_source(
    *, administration: Administration, month: dt.date, balances: Mapping[str, Decimal]
) -> set[str]:
    """Replace the source's balances of ``month`` with ``balances`` ({account external id: movement in the month,
    debit positive}); returns the external ids it could not place (no such account stored), which are left out."""
    return monthly_balances_from_source_months(administration=administration, months={month: balances})


@db_transaction.atomic
def monthly_balances_from_source_months(
    *, administration: Administration, months: Mapping[dt.date, Mapping[str, Decimal]]
) -> set[str]:
    """Replace the source's balances of every month in ``months`` ({month: {account external id: movement}}) in
    three statements whatever their number: a first import writes a year of months at a time. Returns the external
    ids it could not place (no such account stored), which are left out."""
    by_month = {month_of(month): balances for month, balances in months.items()}
    wanted = {external_id for balances in by_month.values() for external_id in balances}
    ids = ids_by_external_id(model=Account, administration=administration, external_ids=wanted, strict=False)
    MonthlyBalance.objects.filter(
        administration=administration, basis=BalanceBasis.SOURCE, month__in=list(by_month)
    ).delete()
    _insert(
        administration.pk,
        BalanceBasis.SOURCE,
        [
            ((ids[external_id], month, 0), amount)
            for month, balances in by_month.items()
            for external_id, amount in balances.items()
            if external_id in ids and amount
        ],
    )
    return wanted - ids.keys()


def lines_complete_reset(*, administration: Administration, before: dt.date) -> None:
    """A first import starts: the lines of ``before``'s month and later are not in yet, so statements read the
    source's balances for them until the import reaches them."""
    through = month_of(before) - dt.timedelta(days=1)
    Administration.objects.filter(pk=administration.pk).update(lines_complete_through=through)
    administration.lines_complete_through = through


def lines_complete_advance(*, administration: Administration, window_start: dt.date, window_end: dt.date) -> None:
    """The lines dated ``window_start`` to ``window_end`` are all stored (committed): move the day up to which the
    lines are complete, when the window joins on to it (a window after a gap proves nothing of the gap)."""
    current = Administration.objects.filter(pk=administration.pk).values_list("lines_complete_through", flat=True)
    through = current.first()
    if through is None or through >= LINES_COMPLETE:
        return
    if window_start <= through + dt.timedelta(days=1) and window_end > through:
        Administration.objects.filter(pk=administration.pk).update(lines_complete_through=window_end)
        administration.lines_complete_through = window_end


def lines_complete_mark(*, administration: Administration) -> None:
    """Every line is in: statements read only the lines' monthly balances."""
    Administration.objects.filter(pk=administration.pk).update(lines_complete_through=LINES_COMPLETE)
    administration.lines_complete_through = LINES_COMPLETE


def _as_date(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
