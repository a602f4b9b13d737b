"""The incremental and checking streams: mutations, outstanding items, and the balance check.

Mutations are read per calendar month. A window's headers are compared with the fingerprints stored for that
window; details are fetched, concurrently, only for new or changed ones; ids the source no longer lists in the
window are deleted; and the cursor moves only after the window is committed. Every run re-reads the look-back
period before the cursor, because bookkeeping is edited back-dated.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections import defaultdict
from collections.abc import Iterator, Sequence
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_noop

from integrations.errors import NotFound
from integrations.http import fetch_concurrently
from integrations.sync.base import RecordKind, SliceOver, Stream, StreamContext, StreamCounts
from ledger.imports import Arrival
from ledger.open_items import agreement_records, open_item_ledger_agreement
from ledger.records import (
    OutstandingItemRecord,
    OutstandingSide,
    ReconciliationCheck,
    ReconciliationRecord,
    SetAsideKind,
    TransactionRecord,
    TransactionType,
    due_date_after,
    stored_text,
)
from ledger.selectors import (
    PaymentTerms,
    account_balances,
    invoice_numbers_stored,
    line_totals_by_account_month,
    payment_terms,
    transaction_date_range,
    transaction_fingerprints,
    transactions_in_rotation,
    transactions_stored,
)
from ledger.services import (
    WriteCounts,
    lines_complete_advance,
    lines_complete_mark,
    monthly_balances_from_source,
    open_item_ledger_build,
    outstanding_items_replace,
    outstanding_snapshot_record,
    reconciliation_record,
    set_aside_months,
    transactions_delete_missing,
    transactions_upsert,
)
from monitr.logs import get_logger
from monitr.web.stored_text import stored_pattern

from ..client.dto import LedgerBalance, Mutation, MutationHeader, MutationType, OutstandingItem, Side, Unreadable
from ..mapping import (
    mutation_label,
    mutation_record,
    opening_balance_id,
    opening_balance_record,
)
from .kept import KeptMutations
from .month_balances import source_balances
from .prefetch import WindowPrefetch, compare
from .set_aside import REFUSED, SetAside
from .state import SourceState
from .windows import (
    EARLIEST,
    OPEN_END,
    SPANNED_FROM_MONTHS,
    closed_months,
    earliest_date,
    month_end,
    month_start,
    monthly_windows,
    spanned_windows,
)

logger = get_logger(__name__)

ZERO = Decimal("0.00")
# The key of the mutations stream's cursor that holds the rotating re-read of details: {"after": key, "at": time}.
REREAD = "reread"
# Progress is reported every DETAIL_BATCH fetched mutations; a write commits about that many (three lines each).
DETAIL_BATCH = 500
DETAIL_BATCH_LINES = 1_500


def _add(counts: StreamCounts, result: WriteCounts) -> None:
    counts += result


# How a record set aside is named in the sync history, in English as the run stores it; shown translated
# (monitr.web.stored_text).
OPENING_BALANCE = gettext_noop("Opening balance")
RECEIVABLE_INVOICE = stored_pattern(gettext_noop("Receivable invoice %(invoice)s"))
PAYABLE_INVOICE = stored_pattern(gettext_noop("Payable invoice %(invoice)s"))
RECEIVABLE_UNNUMBERED = gettext_noop("Receivable invoice without a number")
PAYABLE_UNNUMBERED = gettext_noop("Payable invoice without a number")
BALANCE_CHECK = stored_pattern(gettext_noop("Balance check of %(subject)s, %(period)s"))


class MutationsStream(Stream):
    name = "mutations"
    label = gettext_noop("Transactions")
    brings = Arrival.TRANSACTIONS
    records = RecordKind.TRANSACTIONS

    def __init__(self, gateway, state: SourceState) -> None:
        self.gateway, self.state = gateway, state
        self._windows_total = 0

    def run(self, ctx: StreamContext) -> StreamCounts:
        start = self._start(ctx)
        counts = StreamCounts()
        if start is None:
            lines_complete_mark(administration=ctx.administration)  # an empty administration is complete
            return counts
        cursor = dict(ctx.cursor)
        windows = self._windows(ctx, start)
        # A run that goes on from an earlier slice goes on counting where that one stopped: the bar does not restart.
        done = seen = int(cursor.get("listed", 0)) if ctx.resumed else 0
        before = int(cursor.get("windows_done", 0)) if ctx.resumed else 0
        # Each window is read one ahead (its headers listed, its details fetched) while the one before is written, so
        # the fetch threads never drain between months; writing, deleting and the cursor still go window by window.
        # ``reading`` holds the current window's read and the next one's; each is closed when done with or on the way
        # out (closing stops a read the stream no longer needs).
        reading: list[WindowPrefetch] = []
        try:
            for index, (first, last) in enumerate(windows):
                if not reading:
                    reading.append(self._read_ahead(ctx, first, last))
                # The slice's time is up: this window is its last, and the next is read by the next slice, not ahead.
                last_of_slice = last != OPEN_END and index + 1 < len(windows) and ctx.slice_over()
                if index + 1 < len(windows) and not last_of_slice:
                    reading.append(self._read_ahead(ctx, *windows[index + 1], after=reading[-1].last_round))
                # A full run reads every detail again: an edit the list does not show is found only that way.
                window_counts, listed = self.sync_window(
                    ctx,
                    first,
                    last,
                    progress=(done, seen, before + index, before + len(windows)),
                    refetch=ctx.full,
                    ahead=reading[0],
                )
                reading.pop(0).close()
                counts += window_counts
                seen += listed
                done += listed
                if last != OPEN_END:
                    cursor["through"] = last.isoformat()
                    cursor["listed"], cursor["windows_done"] = seen, before + index + 1  # for a next slice's bar
                    ctx.save_cursor(dict(cursor))
                # The window is committed: the statements read its lines from now on (month_balances.py).
                lines_complete_advance(administration=ctx.administration, window_start=first, window_end=last)
                if last_of_slice:
                    raise SliceOver(counts)  # the run goes on from the cursor just saved, in another task
        finally:
            for prefetch in reading:
                prefetch.close()
        if ctx.administration.lines_complete_through >= OPEN_END:  # the windows reached the open end unbroken
            lines_complete_mark(administration=ctx.administration)
        counts += self._reread(ctx, cursor)
        return counts

    def _windows(self, ctx: StreamContext, start: dt.date) -> list[tuple[dt.date, dt.date]]:
        """The windows from ``start`` on: months, joined over a long and thin stretch (a first import of a small
        administration: :func:`~.windows.spanned_windows`) where the source tells how many mutations it holds."""
        return self.joined(list(monthly_windows(start, ctx.today)), start)

    def joined(self, months: list[tuple[dt.date, dt.date]], start: dt.date) -> list[tuple[dt.date, dt.date]]:
        """``months`` (from ``start``'s on) joined into windows of several months where the stretch is long and the
        source tells how many mutations it holds from ``start`` on (:func:`~.windows.spanned_windows`)."""
        if len(months) < SPANNED_FROM_MONTHS:
            return months
        count = self.gateway.mutation_count(start, months[-1][1])
        return months if count is None else spanned_windows(months, count)

    def _read_ahead(
        self, ctx: StreamContext, first: dt.date, last: dt.date, *, after: threading.Event | None = None
    ) -> WindowPrefetch:
        """Start reading a window in the background; its stored fingerprints are read here, in the stream's thread
        (the database is this thread's). Read before the window ahead of it is written, which is safe: a mutation
        listed in a window is not listed in another, so no write of the one ahead changes what this one compares."""
        stored = (
            {}
            if ctx.full
            else transaction_fingerprints(administration=ctx.administration, window_start=first, window_end=last)
        )
        return WindowPrefetch(self.gateway, first, last, stored, after=after)

    def _reread(self, ctx: StreamContext, cursor: dict) -> StreamCounts:
        """Read again the next share of the stored history, round and round, so that an edit the mutation list
        does not show arrives within ``reread_days``.

        The REST list shows a few header fields only: an edit of a description, a relation or a payment term
        changes nothing it shows, so the details of the next share of the stored mutations (in key order) are read
        again. The SOAP list carries whole mutations, whose digests are in the headers' fingerprints: there the next
        share of the months is listed again, and only a changed mutation is rewritten. Each run takes the share that
        the time since the last one stands for, so all of the history comes round once every ``reread_days``
        however often the syncs run (about ``total / reread_days`` detail calls a day over REST, a list call per
        month over SOAP). The rotation's place and clock live in the stream's cursor; a full run starts them
        afresh, since it has just read everything.
        """
        counts = StreamCounts()
        now = timezone.now()
        by = "month" if self.gateway.lists_whole_mutations else "mutation"
        state = cursor.get(REREAD)
        if ctx.full or not state or state.get("by") != by:
            cursor[REREAD] = {"by": by, "after": 0, "at": now.isoformat()}
            ctx.save_cursor(dict(cursor))
            return counts
        after = int(state["after"])
        if by == "month":
            span = transaction_date_range(administration=ctx.administration)
            months = [first.toordinal() for first, _ in monthly_windows(span[0], span[1])] if span else []
            total = len(months)
        else:
            rotation = transactions_in_rotation(administration=ctx.administration)
            total = rotation.count()
        period = dt.timedelta(days=max(1, ctx.reread_days))
        at = dt.datetime.fromisoformat(state["at"])
        share = min(total, int(total * max(0.0, (now - at) / period)))
        if share == 0:
            return counts  # too little time has passed for one more: the clock keeps running
        # The clock moves on by exactly the time the share stands for, so no fraction is lost between runs; after a
        # long pause (a whole period or more) one full round is enough.
        at = now if share == total else at + period * share / total
        if by == "month":
            picked = ([m for m in months if m > after] + [m for m in months if m <= after])[:share]
            for number, ordinal in enumerate(picked, start=1):
                first = dt.date.fromordinal(ordinal)
                window_counts, _ = self.sync_window(ctx, first, month_end(first))
                counts.new += window_counts.new
                counts.changed += window_counts.changed
                counts.deleted += window_counts.deleted
                ctx.progress(number, len(picked))
            last_key = picked[-1]
        else:
            keys = ("pk", "external_id", "fingerprint")
            rows = list(rotation.filter(pk__gt=after).values_list(*keys)[:share])
            if len(rows) < share:  # round again from the start
                rows += rotation.filter(pk__lte=after).values_list(*keys)[: share - len(rows)]
            wanted = {int(external_id): fingerprint for _, external_id, fingerprint in rows}
            set_aside = SetAside(ctx.administration, SetAsideKind.TRANSACTION, tried=self.state.set_aside_tried)
            result = transactions_upsert(
                administration=ctx.administration,
                transactions=self._detail_records(ctx, wanted, set_aside, already=0, estimate=len(wanted)),
                batch_lines=DETAIL_BATCH_LINES,
                refuse=self._refuser(set_aside),
            )
            counts.new, counts.changed = result.new, result.changed
            counts += set_aside.save()
            last_key = rows[-1][0]
        cursor[REREAD] = {"by": by, "after": last_key, "at": at.isoformat()}
        ctx.save_cursor(dict(cursor))
        return counts

    def _detail_records(
        self,
        ctx: StreamContext,
        wanted: dict[int, str],
        set_aside: SetAside,
        *,
        window: tuple[dt.date, dt.date] | None = None,
        already: int,
        estimate: int,
        estimated: bool = False,
        details: Iterator[Mutation | Unreadable] | None = None,
    ) -> Iterator[TransactionRecord]:
        """The records of the wanted mutations ({id: fingerprint}), their details fetched concurrently (or taken from
        ``details``, fetched ahead); a mutation that cannot be read or booked is set aside (dated in ``window`` when
        one is given) and left out."""
        vat_ledgers = self.state.vat_ledgers
        first, last = window or (None, None)
        fetched_details = details if details is not None else self.gateway.mutations(list(wanted))
        for fetched, mutation in enumerate(fetched_details, start=1):
            record = None
            if not set_aside.took(mutation, record_date=first):
                in_window = first is None or first <= mutation.date <= last
                record = set_aside.attempt(
                    lambda mutation=mutation: mutation_record(mutation, wanted[mutation.id], vat_ledgers),
                    str(mutation.id),
                    label=mutation_label(mutation.id, mutation.date, mutation.invoice_number),
                    record_date=mutation.date if in_window else first,
                )
            if record is not None:
                yield record
            if fetched % DETAIL_BATCH == 0:
                ctx.progress(already + fetched, estimate, estimated=estimated)

    @staticmethod
    def _refuser(set_aside: SetAside):
        """What the write service calls for a record it refuses (one naming a record that was set aside)."""
        return lambda record, reason: set_aside.add(
            record.external_id,
            reason,
            label=mutation_label(record.external_id, record.date, record.invoice_number),
            record_date=record.date,
        )

    def _start(self, ctx: StreamContext) -> dt.date | None:
        if ctx.since is not None:
            return ctx.since
        through = ctx.cursor.get("through")
        if through and ctx.resumed:  # this run's own cursor: go on after it
            return dt.date.fromisoformat(through) + dt.timedelta(days=1)
        if through and not ctx.full:
            return dt.date.fromisoformat(through) - dt.timedelta(days=ctx.lookback_days)
        # Shared with the balances per month, which searched already on a first import: the search runs once.
        return self.state.history_start(self.gateway)

    def sync_window(
        self,
        ctx: StreamContext,
        first: dt.date,
        last: dt.date,
        *,
        progress: tuple[int, int, int, int] = (0, 0, 0, 1),
        refetch: bool = False,
        ahead: WindowPrefetch | None = None,
    ) -> tuple[StreamCounts, int]:
        """Bring one window in line with the source; returns the counts and how many mutations it lists.
        ``refetch`` fetches every mutation's detail, also those whose header did not change (a row can move to
        another ledger without changing the header). ``ahead`` is the window being read in the background (its
        headers and details are taken from it; it compared them with what was stored, or nothing for ``refetch``)."""
        done_before, seen_before, index, windows = progress
        if ahead is not None:
            listed = ahead.listed()
            headers, stored, wanted, unchanged = listed.headers, ahead.stored, listed.wanted, listed.unchanged
        else:
            headers = list(self.gateway.mutation_headers(first, last))
            stored = (
                {}
                if refetch
                else transaction_fingerprints(administration=ctx.administration, window_start=first, window_end=last)
            )
            wanted, unchanged = compare(headers, stored)
        counts = StreamCounts(unchanged=unchanged)
        opening: dict[str, list[MutationHeader]] = defaultdict(list)
        seen_ids: set[str] = set()
        # A record that cannot be read or stored is set aside with its reason; the window goes on without it.
        set_aside = SetAside(ctx.administration, SetAsideKind.TRANSACTION, tried=self.state.set_aside_tried)
        for header in headers:
            if set_aside.took(header, record_date=first):
                seen_ids.add(header.external_id)
                continue
            if header.is_opening_balance:
                opening[opening_balance_id(header)].append(header)
                continue
            seen_ids.add(str(header.id))
        seen_ids.update(opening)
        records = [
            record
            for key, items in opening.items()
            if (
                record := set_aside.attempt(
                    lambda items=items: opening_balance_record(items, default_date=first),
                    key,
                    label=OPENING_BALANCE,
                    record_date=items[0].date or first,
                )
            )
            is not None
        ]
        records = [r for r in records if stored.get(r.external_id) != r.fingerprint]
        counts.unchanged += len(opening) - len(records)
        # Estimate the whole stream from what the windows so far held, so the bar moves evenly.
        listed_so_far = seen_before + len(headers)
        estimate = max(listed_so_far, round(listed_so_far / (index + 1) * windows))
        estimated = index + 1 < windows  # the last window's total is the real one
        already = done_before + len(headers) - len(wanted)

        def window_records() -> Iterator[TransactionRecord]:
            yield from records
            yield from self._detail_records(
                ctx,
                wanted,
                set_aside,
                window=(first, last),
                already=already,
                estimate=estimate,
                estimated=estimated,
                details=ahead.details() if ahead is not None else None,
            )

        # One write call per window, committing every DETAIL_BATCH_LINES lines while the fetch threads go on: the
        # accounts and relations the window's mutations name are looked up once per window, not once per batch
        # (per batch, 9.3 s of a 167 s import of 100,000 mutations; see bench/README.md).
        _add(
            counts,
            transactions_upsert(
                administration=ctx.administration,
                transactions=window_records(),
                batch_lines=DETAIL_BATCH_LINES,
                refuse=self._refuser(set_aside),
            ),
        )
        # A mutation listed by its header but gone by the time its detail was asked for is deleted below.
        _add(
            counts,
            transactions_delete_missing(
                administration=ctx.administration,
                window_start=first,
                window_end=last,
                seen_external_ids=seen_ids,
                # What the window held was read before it was written (but not for a refetch): only that can be gone.
                stored_before=None if refetch else stored.keys(),
            ),
        )
        counts += set_aside.save()
        ctx.progress(done_before + len(headers), estimate, estimated=estimated)
        return counts, len(headers)


@dataclasses.dataclass
class _SourceTerms:
    """The payment terms the source gave of invoices that were not stored when their open items were listed: by
    mutation id, and per side by invoice number (as the ledger stores it); None where the invoice has no term of its
    own (or several invoices of one number have different ones)."""

    by_mutation: dict[str, int | None] = dataclasses.field(default_factory=dict)
    by_number: dict[Side, dict[str, int | None]] = dataclasses.field(default_factory=dict)


class OutstandingItemsStream(Stream):
    """The open items of both sides, as a snapshot: what is listed now replaces what was stored; today's daily
    snapshot is recorded too, so aging can be shown as of any past day.

    An item's due date is its date plus its invoice's own payment term, else its relation's, else the organisation's
    default (``ledger.selectors.payment_terms``). Open items come before the mutations, so that a first import shows
    them complete and right within seconds; so an invoice may not be stored yet when its open item lands (on a first
    import none is), and its term is read from the source first (:meth:`_source_terms`). Once the mutations stream
    has stored the run's mutations, :meth:`follow_stored_terms` (called by the check) gives the items the stored
    terms, which are then as new as anything the run read: an invoice the run changed moves its item's due date in
    the same run.
    """

    name = "outstanding_items"
    label = gettext_noop("Open items")
    brings = Arrival.OUTSTANDING_ITEMS
    records = RecordKind.OPEN_ITEMS

    SIDES = ((Side.DEBTORS, OutstandingSide.RECEIVABLE), (Side.CREDITORS, OutstandingSide.PAYABLE))
    INVOICE_TYPES = {Side.DEBTORS: TransactionType.SALES_INVOICE, Side.CREDITORS: TransactionType.PURCHASE_INVOICE}
    INVOICE_MUTATIONS = {Side.DEBTORS: MutationType.INVOICE_SENT, Side.CREDITORS: MutationType.INVOICE_RECEIVED}

    def __init__(self, gateway, state: SourceState) -> None:
        # The run's gateway keeps what it fetched for the mutations stream (EboekhoudenSource shares one); any other
        # gateway gets a keeper of its own.
        self.gateway = gateway if isinstance(gateway, KeptMutations) else KeptMutations(gateway)
        self.state = state
        self._listed: dict[Side, list[OutstandingItem]] = {}
        self._due: dict[Side, dict[str, dt.date | None]] = {}
        self._source = _SourceTerms()

    def run(self, ctx: StreamContext) -> StreamCounts:
        counts = StreamCounts()
        set_aside = SetAside(ctx.administration, SetAsideKind.OPEN_ITEM)
        self._listed, self._due = {}, {}
        for source_side, _side in self.SIDES:
            items = self._listed[source_side] = []
            for item in self.gateway.outstanding_items(source_side):
                if isinstance(item, Unreadable):
                    set_aside.took(_side_item(item, source_side))
                else:
                    items.append(item)
        # Written at once with the terms already known (a stored invoice's, else the relation's, else the
        # organisation's): the amounts, the relations and the count are the source's from this moment. The terms of
        # invoices not stored yet are read next (:meth:`read_source_terms`, after the balances per month, so that
        # the statements do not wait for them either).
        self._source = _SourceTerms()
        for done, (source_side, side) in enumerate(self.SIDES):
            _add(counts, self._write(ctx, source_side, side, set_aside))
            ctx.progress(done + 1, len(self.SIDES))
        counts += set_aside.replace()
        outstanding_snapshot_record(administration=ctx.administration, as_of=ctx.today)
        return counts

    def read_source_terms(self, ctx: StreamContext) -> WriteCounts:
        """Read the own terms of the listed items' invoices that are not stored (:meth:`_source_terms`) and date
        again the items whose due date they change. An invoice normally takes its relation's term, so on most books
        this changes few items, if any; until it has run, an item whose invoice has a term of its own is dated by
        its relation's."""
        self._source = self._source_terms(ctx)
        return self._follow_terms(ctx)

    def follow_stored_terms(self, ctx: StreamContext) -> None:
        """After the mutations stream: where the stored invoices now give an item another due date (an invoice this
        run stored or changed), write that side's items again, and today's snapshot. No call to the source."""
        changed = self._follow_terms(ctx).changed
        if changed:
            logger.info("eboekhouden.open_items.terms_followed", changed=changed)

    def _follow_terms(self, ctx: StreamContext) -> WriteCounts:
        """Write again the sides whose items the terms now known date otherwise, and today's snapshot."""
        set_aside = SetAside(ctx.administration, SetAsideKind.OPEN_ITEM)
        counts = WriteCounts()
        for source_side, side in self.SIDES:
            if source_side not in self._listed:
                continue
            records = self._records(ctx, source_side, set_aside)
            if {r.external_id: r.due_date for r in records} != self._due[source_side]:
                counts += self._write(ctx, source_side, side, set_aside, records=records)
        if counts.changed:
            set_aside.save()
            outstanding_snapshot_record(administration=ctx.administration, as_of=ctx.today)
        return counts

    def _write(
        self,
        ctx: StreamContext,
        source_side: Side,
        side: OutstandingSide,
        set_aside: SetAside,
        *,
        records: list[OutstandingItemRecord] | None = None,
    ) -> WriteCounts:
        if records is None:
            records = self._records(ctx, source_side, set_aside)
        self._due[source_side] = {r.external_id: r.due_date for r in records}
        return outstanding_items_replace(
            administration=ctx.administration,
            side=side,
            items=records,
            # mypy cannot infer a lambda whose extra parameter binds a loop value as its default.
            refuse=lambda record, reason, side=side: set_aside.add(  # type: ignore[misc]
                record.external_id, reason, label=_open_item_label(record, side)
            ),
        )

    def _records(self, ctx: StreamContext, source_side: Side, set_aside: SetAside) -> list[OutstandingItemRecord]:
        side = dict(self.SIDES)[source_side]
        items = self._listed[source_side]
        organization_term = ctx.administration.organization.default_payment_term_days
        terms = self._terms(ctx, source_side, items)
        records = []
        for item in items:
            term = terms.for_item(
                transaction_external_id=str(item.mutation_id) if item.mutation_id else None,
                relation_external_id=str(item.relation_id) if item.relation_id else None,
                invoice_number=item.invoice_number,
            )
            if term is None:
                term = organization_term
            external_id = f"{source_side.value}-{item.mutation_id or item.invoice_number}"
            record = set_aside.attempt(
                lambda item=item, term=term, external_id=external_id: OutstandingItemRecord(
                    external_id=external_id,
                    source_external_id=str(item.mutation_id or ""),
                    invoice_number=item.invoice_number or "",
                    relation_external_id=str(item.relation_id) if item.relation_id else None,
                    invoice_date=item.date,
                    # Refused (the item set aside) when the date plus the term runs out of range.
                    due_date=due_date_after(item.date, term) if term is not None else None,
                    total=item.total_amount,
                    paid=item.paid_amount,
                    outstanding=item.outstanding_amount,
                ),
                external_id,
                label=_open_item_label(item, side),
            )
            if record is not None:
                records.append(record)
        return records

    def _terms(self, ctx: StreamContext, source_side: Side, items: list[OutstandingItem]) -> PaymentTerms:
        """The terms of the items' invoices and relations: the stored ones, and the source's of invoices not stored."""
        administration = ctx.administration
        invoice_type = self.INVOICE_TYPES[source_side]
        ids = [str(i.mutation_id) for i in items if i.mutation_id]
        # SOAP's open items name no mutation: their invoice's own term is found by its number.
        numbers = [i.invoice_number for i in items if i.invoice_number and not i.mutation_id]
        terms = payment_terms(
            administration=administration,
            transaction_external_ids=ids,
            relation_external_ids=[str(i.relation_id) for i in items if i.relation_id],
            invoice_numbers=numbers,
            invoice_type=invoice_type,
        )
        by_transaction, by_number = dict(terms.by_transaction), dict(terms.by_invoice_number)
        fetched = {key: self._source.by_mutation[key] for key in ids if key in self._source.by_mutation}
        if fetched:
            stored = transactions_stored(administration=administration, external_ids=fetched)
            by_transaction.update({k: t for k, t in fetched.items() if k not in stored and t is not None})
        fetched = self._source.by_number.get(source_side, {})
        if fetched:
            stored = invoice_numbers_stored(
                administration=administration, invoice_type=invoice_type, invoice_numbers=fetched
            )
            by_number.update({k: t for k, t in fetched.items() if k not in stored and t is not None})
        return dataclasses.replace(terms, by_transaction=by_transaction, by_invoice_number=by_number)

    def _source_terms(self, ctx: StreamContext) -> _SourceTerms:
        """The terms of the listed items' invoices that are not stored: on a first import every one, later the few
        invoices booked since the last sync. Stored invoices are not read again (their terms are the stored ones).

        - An item named by its mutation (REST): the mutation's detail, fetched concurrently and kept by the run's
          gateway, from which the mutations stream takes it instead of fetching it again. Of the ways to the terms
          this is the cheapest: a detail is the only call that shows a term, the import fetches each once anyway,
          and nothing is written twice (writing the invoices early would need the headers' fingerprints, which only
          their month's list gives). One call per open item not stored (853 in the sandbox's books of 20,000
          mutations, 10,251 of 200,000): it runs after the open items and the balances per month are written, so
          the first numbers do not wait for it (bench/README.md).
        - An item named by its invoice number only (SOAP): the list of the mutations of its date, which carries
          whole mutations with their terms; one call per date that has such items (a date's list is short, where a
          month's would run past GetMutaties's 500 and have to be walked). Those lists are not kept: the mutations
          stream lists by month.
        """
        administration = ctx.administration
        source = _SourceTerms()
        named = {str(i.mutation_id): i.mutation_id for items in self._listed.values() for i in items if i.mutation_id}
        stored = transactions_stored(administration=administration, external_ids=named)
        wanted = [mutation_id for key, mutation_id in named.items() if key not in stored]
        for fetched, mutation in enumerate(self.gateway.fetch_and_keep(wanted), start=1):
            if isinstance(mutation, Mutation):
                source.by_mutation[str(mutation.id)] = self._own_term(mutation)
            if fetched % DETAIL_BATCH == 0:
                ctx.progress(fetched, len(wanted))
        for source_side, items in self._listed.items():
            by_date = defaultdict(set)
            for item in items:
                if item.invoice_number and not item.mutation_id:
                    by_date[item.date].add(stored_text(item.invoice_number, "invoice_number"))
            known = invoice_numbers_stored(
                administration=administration,
                invoice_type=self.INVOICE_TYPES[source_side],
                invoice_numbers={n for numbers in by_date.values() for n in numbers},
            )
            wanted_dates = {day: numbers - known for day, numbers in by_date.items() if numbers - known}
            source.by_number[source_side] = self._terms_by_number(source_side, wanted_dates)
        return source

    def _terms_by_number(self, source_side: Side, wanted: dict[dt.date, set[str]]) -> dict[str, int | None]:
        """{invoice number: its own term, or None} of the invoices of the side with these numbers on these dates."""
        if not wanted:
            return {}
        invoice_type = self.INVOICE_MUTATIONS[source_side]

        def invoices_of(day: dt.date) -> list[Mutation]:
            numbers = wanted[day]
            ids = [
                header.id
                for header in self.gateway.mutation_headers(day, day)
                if isinstance(header, MutationHeader)
                and header.type == invoice_type
                and header.invoice_number
                and stored_text(header.invoice_number, "invoice_number") in numbers
            ]
            # Whole mutations over SOAP: the list just read holds them, so this asks nothing more of the source.
            return [mutation for mutation in map(self._mutation_or_none, ids) if isinstance(mutation, Mutation)]

        terms: dict[str, set[int | None]] = defaultdict(set)
        workers = max(1, min(getattr(self.gateway, "parallelism", 1), len(wanted)))
        listed = fetch_concurrently(wanted, invoices_of, max_workers=workers, thread_name_prefix="eboekhouden-days")
        for _day, invoices in listed:
            for mutation in invoices:
                terms[stored_text(mutation.invoice_number or "", "invoice_number")].add(self._own_term(mutation))
        # A number that several invoices carry with different terms is not guessed: the relation's term applies.
        return {number: found.pop() if len(found) == 1 else None for number, found in terms.items()}

    def _own_term(self, mutation: Mutation) -> int | None:
        """The invoice's own term as the mutations stream will store it; None when it will set the invoice aside (a
        term out of range, say): its item then takes the relation's term, as it would from a stored invoice."""
        try:
            return mutation_record(mutation, "", self.state.vat_ledgers).payment_term_days
        except REFUSED:
            return None

    def _mutation_or_none(self, mutation_id: int) -> Mutation | Unreadable | None:
        try:
            # Past the keeper: nothing of this is the mutations stream's to take.
            return self.gateway.gateway.mutation(mutation_id)
        except NotFound:
            return None


class OpenItemTermsStream(Stream):
    """The open items' own payment terms, read from the source for the invoices not stored yet (a first import's
    every one): one detail call per such invoice over REST, kept for the mutations stream so none is fetched
    twice. It runs after the balances per month, so that the open items and the statements are both right before
    the longest wait of a first import's first minute."""

    name = "open_item_terms"
    label = gettext_noop("Open items' payment terms")
    records = RecordKind.OPEN_ITEMS

    def __init__(self, open_items: OutstandingItemsStream) -> None:
        self.open_items = open_items

    def run(self, ctx: StreamContext) -> StreamCounts:
        counts = StreamCounts()
        counts += self.open_items.read_source_terms(ctx)
        return counts


def _side_item(item: Unreadable, side: Side) -> Unreadable:
    # Open items are keyed by side and mutation id ("D-123"), as stored ones are.
    return dataclasses.replace(item, external_id=f"{side.value}-{item.external_id}")


def _open_item_label(item, side: OutstandingSide) -> str:
    receivable = side == OutstandingSide.RECEIVABLE
    if not item.invoice_number:
        return RECEIVABLE_UNNUMBERED if receivable else PAYABLE_UNNUMBERED
    return (RECEIVABLE_INVOICE if receivable else PAYABLE_INVOICE) % {"invoice": item.invoice_number}


class BalancesCheckStream(Stream):
    """The check: per ledger and month, imported lines against the source's balances. Years are compared first
    (one call each) and only a year that differs is compared month by month. A differing month is synced again:
    first by its headers' fingerprints (details of changed mutations only), then, if it still differs, in full;
    what differs after that is recorded for the Data checks page. Open items are compared with the debtors and
    creditors ledgers, after their due dates have followed the terms the run stored
    (:meth:`OutstandingItemsStream.follow_stored_terms`). A whole month's balances, once fetched, are kept as the
    source's monthly balances too (``monthly_balances_from_source``), at no extra call."""

    name = "balances"
    label = gettext_noop("Checking balances")
    brings = Arrival.CHECKS

    def __init__(
        self,
        gateway,
        state: SourceState,
        mutations: MutationsStream,
        open_items: OutstandingItemsStream | None = None,
    ) -> None:
        self.gateway, self.state, self.mutations, self.open_items = gateway, state, mutations, open_items

    def run(self, ctx: StreamContext) -> StreamCounts:
        """Returns what re-fetching differing months changed (new, changed and deleted transactions)."""
        self.repairs = StreamCounts()
        self.set_aside = SetAside(ctx.administration, SetAsideKind.BALANCE)
        # The month balances set aside earlier in this run stay listed (counted where they were set aside).
        self.set_aside.entries.update(self.state.balances_set_aside)
        self._retry_set_aside(ctx)
        span = transaction_date_range(administration=ctx.administration)
        if span is not None and self._earlier_history(ctx, before=dt.date(span[0].year, 1, 1)):
            span = transaction_date_range(administration=ctx.administration)
        results: list[ReconciliationRecord] = []
        if span is not None:
            first, last = span
            years = list(range(first.year, last.year + 1))
            # Every year's balances asked together (one round trip, not one a year); each year's imported totals are
            # still read when it is compared, after the repairs of the years before it.
            fetched = dict(self.gateway.balances_each([(dt.date(y, 1, 1), dt.date(y, 12, 31)) for y in years]))
            for done, year in enumerate(years):
                start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
                if self._differences(ctx, start, end, fetched=fetched[(start, end)]):
                    # A month's repair reports progress as often as an import (it keeps the lock's lease alive),
                    # but the bar stays on the year being checked instead of showing the month's mutations.
                    in_year = dataclasses.replace(
                        ctx, progress=lambda *_, done=done, **__: ctx.progress(done, len(years))
                    )
                    results += self._check_months(in_year, start, end)
                ctx.progress(done + 1, len(years))
        if self.open_items is not None:
            self.open_items.follow_stored_terms(ctx)
        results += self._open_items(ctx)
        # The open-item ledger from the books as they now stand, and whether it agrees with the source's list.
        open_item_ledger_build(administration=ctx.administration, today=ctx.today)
        results += agreement_records(open_item_ledger_agreement(administration=ctx.administration), today=ctx.today)
        reconciliation_record(administration=ctx.administration, results=results, checked_through=ctx.today)
        self.repairs += self.set_aside.replace()
        return self.repairs

    def _earlier_history(self, ctx: StreamContext, *, before: dt.date) -> bool:
        """Read the mutations dated before ``before`` (the first stored year) that the source holds now: booked
        there after the first import searched the history (an earlier year entered later), they lie before every
        window the syncs read and every year the check compares, so they would never come in. One call asks whether
        there are any (none when this run searched the history itself, a first import); those found are read as a
        first import reads a history, and counted as the check's repairs. Returns whether any were read. Not for
        books imported from a chosen day on (``--since``: their lines are never complete), whose earlier years were
        left out on purpose."""
        if before <= EARLIEST or self.state.history_searched() or not ctx.administration.lines_complete:
            return False
        last = before - dt.timedelta(days=1)
        # One part a round: its first round is the one question (the rest, a bisection, only where there are some).
        start = earliest_date(self.gateway.has_mutations_each, until=last)
        if start is None:
            return False
        windows = self.mutations.joined(closed_months(start, last), start)
        logger.info("sync.earlier_history", start=start.isoformat(), windows=len(windows))
        quiet = self._quiet(ctx)
        for first, end in windows:
            repaired, _ = self.mutations.sync_window(quiet, first, end)
            self.repairs += repaired
        return True

    @staticmethod
    def _quiet(ctx: StreamContext) -> StreamContext:
        """``ctx`` whose bar stays at the check's start while months are read before the check proper (each step
        still renews the lock's lease)."""
        return dataclasses.replace(ctx, progress=lambda *_, **__: ctx.progress(0, 1))

    def _retry_set_aside(self, ctx: StreamContext) -> None:
        """Read again the months of transactions that earlier runs set aside and this run has not tried: the source
        may have fixed them, and a month whose lines still match its balance would not be re-read otherwise."""
        tried = {external_id for kind, external_id in self.state.set_aside_tried if kind == SetAsideKind.TRANSACTION}
        months = set_aside_months(administration=ctx.administration, kind=SetAsideKind.TRANSACTION)
        quiet = self._quiet(ctx)
        for month, external_ids in months.items():
            if external_ids - tried:
                repaired, _ = self.mutations.sync_window(quiet, month, month_end(month))
                self.repairs += repaired

    def _reconciliation(self, subject: str, period: str, **fields) -> ReconciliationRecord | None:
        """The check's record, or None after setting the figures aside when they are beyond what is stored."""
        return self.set_aside.attempt(
            lambda: ReconciliationRecord(subject=subject, **fields),
            f"{subject}:{period}",
            label=BALANCE_CHECK % {"subject": subject, "period": period},
        )

    def _differences(
        self,
        ctx: StreamContext,
        start: dt.date,
        end: dt.date,
        *,
        fetched: Sequence[LedgerBalance | Unreadable] | None = None,
    ) -> dict[str, tuple[Decimal, Decimal]]:
        """{ledger id: (source, imported)} where they differ over the period (the source's balances as ``fetched``
        already, else asked now). A ledger whose source balance cannot
        be stored is set aside for the period and left out: comparing without it would report a made-up difference.
        The balances of a whole month before the current one are kept as the source's monthly balances too (no
        call more: the current month's are the open-ended window's, see month_balances.py)."""
        balances = fetched if fetched is not None else self.gateway.balances(start, end)
        source, unreadable = source_balances(balances, self.state, self.set_aside, start, end)
        if start.day == 1 and end == month_end(start) and end < month_start(ctx.today):
            monthly_balances_from_source(administration=ctx.administration, month=start, balances=source)
        imported: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for (ledger, _month), amount in line_totals_by_account_month(
            administration=ctx.administration, date_from=start, date_to=end
        ).items():
            imported[ledger] += amount
        return {
            ledger: (source.get(ledger, ZERO), imported.get(ledger, ZERO))
            for ledger in (set(source) | set(imported)) - unreadable
            if source.get(ledger, ZERO) != imported.get(ledger, ZERO)
        }

    def _check_months(self, ctx: StreamContext, start: dt.date, end: dt.date) -> list[ReconciliationRecord]:
        results = []
        for month, last in closed_months(start, end):
            if self._differences(ctx, month, last):
                # Most changes show in the mutation list (a new total, a deletion): comparing the month's headers
                # with the stored fingerprints repairs them with a detail call per changed mutation only. A change
                # the list does not show (a row moved to another ledger, the total kept) still differs after that,
                # and only then is every mutation of the month fetched again.
                repaired, _ = self.mutations.sync_window(ctx, month, last)
                self.repairs += repaired
                if self._differences(ctx, month, last):
                    repaired, _ = self.mutations.sync_window(ctx, month, last, refetch=True)
                    self.repairs += repaired
                for ledger, (expected, actual) in self._differences(ctx, month, last).items():
                    code = next((c for c, i in self.state.ledger_ids_by_code.items() if i == ledger), ledger)
                    record = self._reconciliation(
                        code,
                        month_start(month).strftime("%Y-%m"),
                        kind=ReconciliationCheck.LEDGER_MONTH,
                        period_start=month_start(month),
                        expected=expected,
                        actual=actual,
                        account_external_id=ledger,
                    )
                    if record is not None:
                        results.append(record)
        return results

    def _open_items(self, ctx: StreamContext) -> list[ReconciliationRecord]:
        from ledger.selectors import outstanding_totals

        open_items = outstanding_totals(administration=ctx.administration)
        results = []
        for side, categories, sign in (
            (OutstandingSide.RECEIVABLE, ("DEB",), 1),
            (OutstandingSide.PAYABLE, ("CRED",), -1),
        ):
            ledgers = self.state.ledgers_of(*categories)
            if not ledgers:
                continue
            balances = account_balances(administration=ctx.administration, as_of=OPEN_END, account_external_ids=ledgers)
            record = self._reconciliation(
                str(side),
                ctx.today.isoformat(),
                kind=ReconciliationCheck.OPEN_ITEMS,
                period_start=ctx.today,
                expected=sign * sum(balances.values(), ZERO),
                actual=open_items.get(side, ZERO),
            )
            if record is not None:
                results.append(record)
        return results
