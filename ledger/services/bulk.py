"""Bulk, idempotent writes of many rows into one table: the machinery under every ledger write service.

:func:`upsert` inserts or updates a batch of rows on a unique key and says which rows were new, which changed and
how many were already as given. On PostgreSQL the batch goes by binary COPY into a temporary table, then one
``INSERT ... ON CONFLICT DO UPDATE ... WHERE (old) IS DISTINCT FROM (new)``: a row that is already as given is not
rewritten (no new row version, no WAL, no index churn), so re-running a sync costs little and changes nothing.
:func:`insert` appends rows that cannot exist yet (the lines of a new or just-emptied transaction) by plain COPY.
On other databases (SQLite, for development) both keep the same contract through the ORM.

Callers batch: each call holds one batch in memory, and the functions never read more than the batch's own keys.
Rows are sequences of column values in the order of ``Table.columns``; columns are model attnames (``account_id``).
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter
from typing import Any, TypeVar

from django.db import connection, models, transaction

from .results import WriteCounts

T = TypeVar("T")

# SQLite allows 32,766 parameters per statement, older builds 999: ORM lookups stay far below either.
ORM_CHUNK = 500

# Binary COPY needs the PostgreSQL type of each column; text and varchar share their wire format.
_PG_TYPES = {
    "AutoField": "int4",
    "BigAutoField": "int8",
    "BigIntegerField": "int8",
    "BooleanField": "bool",
    "CharField": "text",
    "DateField": "date",
    "DateTimeField": "timestamptz",
    "DecimalField": "numeric",
    "IntegerField": "int4",
    "PositiveIntegerField": "int4",
    "PositiveSmallIntegerField": "int2",
    "SmallIntegerField": "int2",
    "TextField": "text",
}


@dataclass(frozen=True)
class Table:
    """What to write: a model, its unique key and the columns every row carries.

    ``key`` names the unique constraint's columns. Key columns that are the same for the whole call (usually the
    administration) are passed as ``fixed`` values and left out of the rows; the others lead ``columns``.
    ``volatile`` columns are written with a row but do not count as a change (a "recorded at" time).
    """

    model: type[models.Model]
    key: tuple[str, ...]
    columns: tuple[str, ...]
    volatile: tuple[str, ...] = ()

    @property
    def db_table(self) -> str:
        return self.model._meta.db_table

    def field(self, attname: str) -> models.Field:
        for f in self.model._meta.concrete_fields:
            if f.attname == attname:
                return f
        raise ValueError(f"{self.model.__name__} has no column {attname!r}.")


@dataclass(slots=True)
class UpsertOutcome(WriteCounts):
    """What one :func:`upsert` did: its counts (an upsert deletes nothing), and in ``ids`` a row's key (its non-fixed
    key values) mapped to ``(pk, is_new)`` for the rows that were written, when the caller asked for them."""

    ids: dict[tuple[Any, ...], tuple[int, bool]] = field(default_factory=dict)


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Successive lists of at most ``size`` items, reading ``items`` lazily."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


@contextmanager
def without_cyclic_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a bulk write runs.

    A bulk write makes millions of short-lived tuples without cycles: reference counting frees them, while the
    cyclic collector would rescan them, and in its full passes the whole heap, over and over; a quarter of the
    write time at a million lines. Garbage with cycles made meanwhile is collected once the collector resumes.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def uses_copy() -> bool:
    return connection.vendor == "postgresql"


def upsert(
    *, table: Table, fixed: Mapping[str, Any], rows: Iterable[tuple[Any, ...]], returning_ids: bool = False
) -> UpsertOutcome:
    """Insert the rows that are new, rewrite those that differ, leave the rest alone; in the caller's transaction.

    Two rows of one batch with the same key are one row: the last one wins.
    """
    if not set(fixed) <= set(table.key) or set(fixed) == set(table.key):
        raise ValueError("fixed must name some, not all, of the key's columns.")
    positions = [table.columns.index(c) for c in table.key if c not in fixed]
    if len(positions) == 1:
        (position,) = positions
        distinct = {(row[position],): row for row in rows}
    else:
        key_of = itemgetter(*positions)
        distinct = {key_of(row): row for row in rows}
    if not distinct:
        return UpsertOutcome()
    if uses_copy():
        return _pg_upsert(table, fixed, distinct, returning_ids)
    return _orm_upsert(table, fixed, distinct, returning_ids)


def upsert_in_batches(
    *, table: Table, fixed: Mapping[str, Any], rows: Iterable[tuple[Any, ...]], batch_size: int
) -> WriteCounts:
    """:func:`upsert` of any number of rows, one committed batch at a time; the counts of all batches."""
    counts = WriteCounts()
    for batch in batched(rows, batch_size):
        with transaction.atomic():
            outcome = upsert(table=table, fixed=fixed, rows=batch)
        counts += outcome
    return counts


def insert(*, model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Append rows that do not exist yet; a duplicate key is an error, never a second row."""
    if not rows:
        return 0
    if uses_copy():
        connection.ensure_connection()
        _pg_copy(connection.connection, model._meta.db_table, _pg_types(model, columns), columns, rows)
    else:
        model._default_manager.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=ORM_CHUNK
        )
    return len(rows)


# --- PostgreSQL: COPY into a temporary table, then one INSERT ... ON CONFLICT ------------------------------------


def _pg_types(model: type[models.Model], columns: Sequence[str]) -> list[str]:
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    types = []
    for column in columns:
        f = by_attname[column]
        target = f.target_field if isinstance(f, models.ForeignKey) else f
        types.append(_PG_TYPES[target.get_internal_type()])
    return types


def _pg_copy(
    raw_connection: Any, db_table: str, types: list[str], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    sql = f"COPY {_qn(db_table)} ({', '.join(_qn(c) for c in columns)}) FROM STDIN (FORMAT BINARY)"
    with raw_connection.cursor() as cursor, cursor.copy(sql) as copy:
        copy.set_types(types)
        for row in rows:
            copy.write_row(row)


def _pg_upsert(
    table: Table, fixed: Mapping[str, Any], distinct: dict[tuple, tuple], returning_ids: bool
) -> UpsertOutcome:
    columns = table.columns
    # One temporary table per table and column list, reused by the batches of one transaction and dropped with it.
    signature = hashlib.blake2b(",".join(columns).encode(), digest_size=4).hexdigest()
    staging = f"_upsert_{table.db_table}_{signature}"
    names = ", ".join(_qn(c) for c in columns)
    target_columns = ", ".join(_qn(c) for c in (*fixed, *columns))
    source_values = ", ".join(["%s"] * len(fixed) + [f"s.{_qn(c)}" for c in columns])
    updated = [c for c in columns if c not in table.key]
    compared = [c for c in updated if c not in table.volatile]
    varying_key = [c for c in table.key if c not in fixed]
    if updated:
        on_conflict = "DO UPDATE SET " + ", ".join(f"{_qn(c)} = EXCLUDED.{_qn(c)}" for c in updated)
        if compared:
            old = ", ".join(f"t.{_qn(c)}" for c in compared)
            new = ", ".join(f"EXCLUDED.{_qn(c)}" for c in compared)
            # ROW(...) keeps a single column a row, so both sides compare alike.
            on_conflict += f" WHERE ROW({old}) IS DISTINCT FROM ROW({new})"
    else:
        on_conflict = "DO NOTHING"
    returned = ", ".join(f"t.{_qn(c)}" for c in varying_key)
    # Every name in these statements comes from the model's metadata and is quoted; values travel as parameters.
    # xmax is 0 on a freshly inserted row version and set on one that replaced a conflicting row.
    statement = (
        f"INSERT INTO {_qn(table.db_table)} AS t ({target_columns}) SELECT {source_values} FROM {_qn(staging)} AS s "  # noqa: S608
        f"ON CONFLICT ({', '.join(_qn(c) for c in table.key)}) {on_conflict} "
        f"RETURNING t.id, t.xmax = 0, {returned}"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {_qn(staging)} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {names} FROM {_qn(table.db_table)} WITH NO DATA"
        )
        cursor.execute(f"TRUNCATE {_qn(staging)}")
        _pg_copy(connection.connection, staging, _pg_types(table.model, columns), columns, distinct.values())
        cursor.execute(statement, list(fixed.values()))
        written = cursor.fetchall()
    outcome = UpsertOutcome()
    for pk, is_new, *key in written:
        if is_new:
            outcome.new += 1
        else:
            outcome.changed += 1
        if returning_ids:
            outcome.ids[tuple(key)] = (pk, is_new)
    outcome.unchanged = len(distinct) - outcome.new - outcome.changed
    return outcome


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


# --- Elsewhere: the same contract through the ORM ----------------------------------------------------------------


def _orm_upsert(
    table: Table, fixed: Mapping[str, Any], distinct: dict[tuple, tuple], returning_ids: bool
) -> UpsertOutcome:
    model = table.model
    columns = table.columns
    varying_key = [c for c in table.key if c not in fixed]
    compared = [c for c in columns if c not in table.key and c not in table.volatile]
    compared_positions = [columns.index(c) for c in compared]
    outcome = UpsertOutcome()
    # The last key column is the most selective (the external id): one query per chunk narrows by it.
    lead = len(varying_key) - 1
    for chunk in batched(distinct.items(), ORM_CHUNK):
        existing: dict[tuple, tuple[int, tuple]] = {}
        lookup = {**fixed, f"{varying_key[lead]}__in": {key[lead] for key, _ in chunk}}
        for pk, *values in model._default_manager.filter(**lookup).values_list("pk", *varying_key, *compared):
            existing[tuple(values[: len(varying_key)])] = (pk, tuple(values[len(varying_key) :]))
        new_objects: list[tuple[tuple, models.Model]] = []
        changed_objects: list[tuple[tuple, models.Model]] = []
        for key, row in chunk:
            values = dict(zip(columns, row, strict=True))
            found = existing.get(key)
            if found is None:
                new_objects.append((key, model(**fixed, **values)))
            elif found[1] != tuple(row[i] for i in compared_positions):
                changed_objects.append((key, model(pk=found[0], **fixed, **values)))
        model._default_manager.bulk_create([obj for _, obj in new_objects])
        updated = [table.field(c).name for c in columns if c not in table.key]
        if changed_objects and updated:
            model._default_manager.bulk_update([obj for _, obj in changed_objects], updated)
        outcome.new += len(new_objects)
        outcome.changed += len(changed_objects)
        outcome.unchanged += len(chunk) - len(new_objects) - len(changed_objects)
        if returning_ids:
            for is_new, objects in ((True, new_objects), (False, changed_objects)):
                for key, obj in objects:
                    outcome.ids[key] = (obj.pk, is_new)
    return outcome
