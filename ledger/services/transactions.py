"""Writing transactions with their lines, and removing the transactions the source no longer lists.

Transactions are written in batches of about ``BATCH_LINES`` lines, each batch in one database transaction: a
batch is stored whole or not at all, and memory holds one batch however many transactions stream in. A transaction
that is stored exactly as given (header, fingerprint and lines) is not rewritten. A changed one has all of its lines
replaced, so a line removed at the source disappears here too, and a line is never stored twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import date

import structlog
from django.db import transaction as db_transaction

from ledger.models import Account, Administration, CostCenter, Relation, SetAsideKind, Transaction, TransactionLine
from ledger.money import ZERO
from ledger.records import TransactionRecord

from . import bulk
from .balances import line_deltas, merge, monthly_balances_add, stored_line_deltas
from .references import References, missing_references_reason
from .results import WriteCounts
from .set_aside import set_aside_forget_missing, set_aside_pending, set_aside_resolve

# Told of a record that cannot be stored, with the reason; the record is left out and the rest are written.
Refuse = Callable[[TransactionRecord, str], None]

logger = structlog.get_logger(__name__)

BATCH_LINES = 10_000

_TRANSACTIONS = bulk.Table(
    model=Transaction,
    key=("administration_id", "external_id"),
    columns=(
        "external_id",
        "transaction_type",
        "date",
        "description",
        "invoice_number",
        "entry_number",
        "relation_id",
        "account_id",
        "vat_inclusive",
        "payment_term_days",
        "fingerprint",
        "lines_digest",
        "imbalance",
    ),
)
_LINE_COLUMNS = (
    "transaction_id",
    "administration_id",
    "date",
    "line_number",
    "account_id",
    "amount",
    "vat_code",
    "vat_amount",
    "description",
    "invoice_number",
    "relation_id",
    "cost_center_id",
)


def transactions_upsert(
    *,
    administration: Administration,
    transactions: Iterable[TransactionRecord],
    batch_lines: int = BATCH_LINES,
    refuse: Refuse | None = None,
) -> WriteCounts:
    """Store the transactions as given, each with exactly the given lines.

    New transactions are added; changed ones are updated and their lines replaced; unchanged ones are not touched.
    Accounts, relations and cost centres must be stored first (else :class:`UnknownReferenceError`); with
    ``refuse``, a transaction that names one not stored is handed to it with the reason and left out instead.
    A stored transaction that was set aside before is no longer listed as set aside.
    """
    references = _References(
        accounts=References(model=Account, administration=administration),
        relations=References(model=Relation, administration=administration),
        cost_centers=References(model=CostCenter, administration=administration),
    )
    counts = WriteCounts()
    # One query per call: set-aside transactions are rare, and only theirs need an entry removed when stored.
    pending = set_aside_pending(administration=administration, kind=SetAsideKind.TRANSACTION)
    with bulk.without_cyclic_gc():
        for batch in _batches(transactions, batch_lines):
            with db_transaction.atomic():
                written, stored = _write_batch(administration, references, batch, refuse)
                counts += written
                if pending and (resolved := pending.intersection(stored)):
                    set_aside_resolve(
                        administration=administration, kind=SetAsideKind.TRANSACTION, external_ids=resolved
                    )
                    pending -= resolved
    return counts


def transactions_delete_missing(
    *,
    administration: Administration,
    window_start: date,
    window_end: date,
    seen_external_ids: Collection[str],
    stored_before: Collection[str] | None = None,
) -> WriteCounts:
    """Delete, with their lines, the transactions dated in the window (both ends included) whose external id the
    source no longer lists; transactions outside the window are never touched.

    ``stored_before``: the external ids the window held before the caller wrote what the source lists in it, when
    the caller read them. Only those can be missing now, so the window is not read again (a first import's window
    held none: nothing to read at all)."""
    seen = seen_external_ids if isinstance(seen_external_ids, set | frozenset) else set(seen_external_ids)
    in_window = Transaction.objects.filter(administration=administration, date__range=(window_start, window_end))
    if stored_before is not None:
        gone = [external_id for external_id in stored_before if external_id not in seen]
        if not gone:
            in_window = in_window.none()  # nothing to read
        elif len(gone) <= bulk.ORM_CHUNK:  # (a longer list: the window is read instead)
            in_window = in_window.filter(external_id__in=gone)
    # Only the ids to delete are held, never the window's transactions.
    stale = [
        pk
        for pk, external_id in in_window.values_list("pk", "external_id").iterator(chunk_size=5_000)
        if external_id not in seen
    ]
    with db_transaction.atomic():
        # The monthly balances lose what the deleted lines added, in the same database transaction.
        monthly_balances_add(administration_id=administration.pk, deltas=stored_line_deltas(transaction_ids=stale))
        for chunk in bulk.batched(stale, bulk.ORM_CHUNK):
            TransactionLine.objects.filter(transaction_id__in=chunk).delete()
            Transaction.objects.filter(pk__in=chunk).delete()
        # A transaction set aside and since removed at the source is no longer something to look at.
        set_aside_forget_missing(
            administration=administration,
            kind=SetAsideKind.TRANSACTION,
            window_start=window_start,
            window_end=window_end,
            seen_external_ids=seen,
        )
    if stale:
        logger.info("ledger.transactions.deleted", administration_id=administration.pk, rows=len(stale))
    return WriteCounts(deleted=len(stale))


def _batches(transactions: Iterable[TransactionRecord], batch_lines: int) -> Iterator[list[TransactionRecord]]:
    batch: list[TransactionRecord] = []
    size = 0
    for record in transactions:
        batch.append(record)
        size += len(record.lines) or 1
        if size >= batch_lines:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


@dataclass(frozen=True)
class _References:
    accounts: References
    relations: References
    cost_centers: References


def _write_batch(
    administration: Administration, references: _References, batch: list[TransactionRecord], refuse: Refuse | None
) -> tuple[WriteCounts, list[str]]:
    """Write one batch; returns the counts and the external ids of the transactions now stored as given."""
    records = list({r.external_id: r for r in batch}.values())  # the last version of a repeated id wins
    administration_id = administration.pk
    # Every reference of the batch is resolved before anything of it is written.
    strict = refuse is None
    wanted_accounts = {r.account_external_id for r in records} | {
        line.account_external_id for r in records for line in r.lines
    }
    wanted_relations = {r.relation_external_id for r in records} | {
        line.relation_external_id for r in records for line in r.lines
    }
    wanted_cost_centers = {line.cost_center_external_id for r in records for line in r.lines}
    accounts = references.accounts.resolve(wanted_accounts, strict=strict)
    relations = references.relations.resolve(wanted_relations, strict=strict)
    cost_centers = references.cost_centers.resolve(wanted_cost_centers, strict=strict)
    if refuse is not None and (
        # Looked at record by record only when the batch names something not stored: a rare case.
        (wanted_accounts - {None}) - accounts.keys()
        or (wanted_relations - {None}) - relations.keys()
        or (wanted_cost_centers - {None}) - cost_centers.keys()
    ):
        records = _with_known_references(records, accounts, relations, cost_centers, refuse)
    account, relation, cost_center = accounts, relations.get, cost_centers.get

    rows = []
    lines_by_id: dict[str, list[list]] = {}
    for record in records:
        day = record.date
        # The lines as they will be stored; their first column, the transaction's id, is known once it is written.
        # Records keep amounts with exactly two places, so equal lines have equal digests.
        lines = [
            [
                None,
                administration_id,
                day,
                number,
                account[line.account_external_id],
                line.amount,
                line.vat_code,
                line.vat_amount,
                line.description,
                line.invoice_number,
                relation(line.relation_external_id),  # type: ignore[arg-type]
                cost_center(line.cost_center_external_id),  # type: ignore[arg-type]
            ]
            for number, line in enumerate(record.lines, start=1)
        ]
        rows.append(
            (
                record.external_id,
                str(record.transaction_type),
                day,
                record.description,
                record.invoice_number,
                record.entry_number,
                relation(record.relation_external_id),  # type: ignore[arg-type]
                account.get(record.account_external_id),  # type: ignore[arg-type]
                record.vat_inclusive,
                record.payment_term_days,
                record.fingerprint,
                # From the account on: the rest is the transaction's, or its position in the list.
                hashlib.blake2b(repr([line[4:] for line in lines]).encode(), digest_size=16).hexdigest(),
                sum([line.amount for line in record.lines], ZERO),
            )
        )
        lines_by_id[record.external_id] = lines

    outcome = bulk.upsert(
        table=_TRANSACTIONS, fixed={"administration_id": administration_id}, rows=rows, returning_ids=True
    )
    changed = [pk for pk, is_new in outcome.ids.values() if not is_new]
    # The monthly balances follow the lines: a changed transaction's old lines come off, the written lines go on.
    removed = stored_line_deltas(transaction_ids=changed) if changed else {}
    for chunk in bulk.batched(changed, bulk.ORM_CHUNK):
        TransactionLine.objects.filter(transaction_id__in=chunk).delete()
    line_rows: list[list] = []
    for (external_id,), (pk, _) in outcome.ids.items():
        lines = lines_by_id[external_id]
        for line in lines:
            line[0] = pk
        line_rows += lines
    bulk.insert(model=TransactionLine, columns=_LINE_COLUMNS, rows=line_rows)
    added = line_deltas((line[4], line[2], line[11], line[5]) for line in line_rows)
    monthly_balances_add(administration_id=administration_id, deltas=merge(removed, added) if removed else added)
    return (
        WriteCounts.of(outcome),
        [r.external_id for r in records],
    )


def _with_known_references(
    records: list[TransactionRecord],
    accounts: dict[str, int],
    relations: dict[str, int],
    cost_centers: dict[str, int],
    refuse: Refuse,
) -> list[TransactionRecord]:
    """The records whose accounts, relations and cost centres are all stored; each other one goes to ``refuse``."""
    kept = []
    for record in records:
        missing = [
            (model, external_id)
            for model, known, external_ids in (
                (Account, accounts, (record.account_external_id, *(line.account_external_id for line in record.lines))),
                (
                    Relation,
                    relations,
                    (record.relation_external_id, *(line.relation_external_id for line in record.lines)),
                ),
                (CostCenter, cost_centers, (line.cost_center_external_id for line in record.lines)),
            )
            for external_id in external_ids
            if external_id is not None and external_id not in known
        ]
        if missing:
            refuse(record, missing_references_reason(missing))
        else:
            kept.append(record)
    return kept
