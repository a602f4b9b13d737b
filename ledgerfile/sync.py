"""The Ledger file side of a sync: the administration's latest upload, read and written through the ledger's
services as the sync engine runs its streams.

Every run reads the latest upload whole (the file is the whole ledger, so there is no cursor): the chart of
accounts, relations and cost centres are upserted; every entry is upserted as a transaction (its entry number is
the external id, so an unchanged entry is left alone and a corrected one replaced), and the transactions the file no
longer has are deleted; the open items of both sides become the file's (none when the upload had no open items);
and a check compares, per account and month, the file's totals with what was stored, and the open items with the
receivable and payable accounts, for the Data checks page.

The upload was checked whole before it was stored, so nothing is set aside: a file that no longer reads cleanly
(which only a change of Monitr's rules could cause) fails the run with the report, and nothing of it is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

from django.utils.translation import gettext_noop

from integrations.sync.base import RecordKind, Stream, StreamContext, StreamCounts
from ledger import limits
from ledger.records import (
    AccountRole,
    OutstandingItemRecord,
    OutstandingSide,
    ReconciliationCheck,
    ReconciliationRecord,
    TransactionRecord,
    TransactionType,
    due_date_after,
)
from ledger.selectors import account_balances, line_totals_by_account_month, outstanding_totals, payment_terms
from ledger.services import (
    WriteCounts,
    accounts_upsert,
    cost_centers_upsert,
    outstanding_items_replace,
    outstanding_snapshot_record,
    reconciliation_record,
    relations_upsert,
    transactions_delete_missing,
    transactions_upsert,
)
from monitr.web.stored_text import stored_pattern
from monitr.web.text import end_sentence

from . import mapping
from .book import ZERO, LedgerFile, OpenItemLine
from .report import FileRefused
from .services import upload_latest, upload_sources

# Progress is reported every PROGRESS_EVERY entries.
PROGRESS_EVERY = 500


def _counts(result: WriteCounts) -> StreamCounts:
    return StreamCounts.of(result)


# Stored in English as a run's error; shown translated (monitr.web.stored_text).
NO_FILE = stored_pattern(gettext_noop("No ledger file has been uploaded for %(administration)s Upload one."))


class LedgerFileSource:
    """One administration's latest upload, opened for one run; the streams share the file, read and checked once."""

    def __init__(self, external_id: str) -> None:
        self.external_id = external_id
        self._stack = ExitStack()
        self._ledger: LedgerFile | None = None
        self.streams = [
            _ReferenceStream(
                self,
                "ledgers",
                gettext_noop("Chart of accounts"),
                RecordKind.ACCOUNTS,
                "account_records",
                accounts_upsert,
            ),
            _ReferenceStream(
                self, "relations", gettext_noop("Relations"), RecordKind.RELATIONS, "relation_records", relations_upsert
            ),
            _ReferenceStream(
                self,
                "cost_centres",
                gettext_noop("Cost centres"),
                RecordKind.COST_CENTRES,
                "cost_centre_records",
                cost_centers_upsert,
            ),
            TransactionsStream(self),
            OpenItemsStream(self),
            ChecksStream(self),
        ]

    def ledger(self, ctx: StreamContext) -> LedgerFile:
        if self._ledger is None:
            administration = ctx.administration
            upload = upload_latest(organization=administration.organization, external_id=self.external_id)
            if upload is None:
                raise FileRefused(NO_FILE % {"administration": end_sentence(administration.name)})
            journal, open_items = upload_sources(upload)
            ledger = self._stack.enter_context(LedgerFile(journal, open_items, upload.columns))
            if not ledger.report.ok:
                raise FileRefused(report=ledger.report)
            self._ledger = ledger
        return self._ledger

    def api_calls(self) -> dict[str, int]:
        return {}  # a file is read, no service is called

    def close(self) -> None:
        self._stack.close()


class _FileStream(Stream):
    def __init__(self, source: LedgerFileSource) -> None:
        self.source = source


class _ReferenceStream(_FileStream):
    """Accounts, relations or cost centres: every one the file names, upserted."""

    def __init__(
        self, source: LedgerFileSource, name: str, label: str, records: RecordKind, reader: str, write
    ) -> None:
        super().__init__(source)
        self.name, self.label, self.records, self.reader, self.write = name, label, records, reader, write

    def run(self, ctx: StreamContext) -> StreamCounts:
        rows = getattr(self.source.ledger(ctx), self.reader)()
        counts = _counts(self.write(administration=ctx.administration, rows=rows))
        ctx.progress(1, 1)
        return counts


class TransactionsStream(_FileStream):
    """Every entry as a transaction; the transactions the file no longer has are deleted (the file is the whole
    ledger)."""

    name = "transactions"
    label = gettext_noop("Transactions")
    records = RecordKind.TRANSACTIONS

    def run(self, ctx: StreamContext) -> StreamCounts:
        ledger = self.source.ledger(ctx)
        total = ledger.summary.entries if ledger.summary else 0
        seen: set[str] = set()

        def records() -> Iterator[TransactionRecord]:
            for done, record in enumerate(ledger.transaction_records(), start=1):
                seen.add(record.external_id)
                yield record
                if done % PROGRESS_EVERY == 0:
                    ctx.progress(done, total)

        counts = _counts(transactions_upsert(administration=ctx.administration, transactions=records()))
        counts += _counts(
            transactions_delete_missing(
                administration=ctx.administration,
                window_start=limits.EARLIEST_DATE,
                window_end=limits.LATEST_DATE,
                seen_external_ids=seen,
            )
        )
        ctx.progress(total, total)
        return counts


SIDES = {"receivable": OutstandingSide.RECEIVABLE, "payable": OutstandingSide.PAYABLE}
INVOICE_TYPES = {
    OutstandingSide.RECEIVABLE: TransactionType.SALES_INVOICE,
    OutstandingSide.PAYABLE: TransactionType.PURCHASE_INVOICE,
}


class OpenItemsStream(_FileStream):
    """The open items of both sides, as the file lists them, and today's snapshot of them. An item without a due
    date gets its invoice's term (the entry with its invoice number and a due date), else the organisation's."""

    name = "outstanding_items"
    label = gettext_noop("Open items")
    records = RecordKind.OPEN_ITEMS

    def run(self, ctx: StreamContext) -> StreamCounts:
        ledger = self.source.ledger(ctx)
        by_side: dict[OutstandingSide, list[OpenItemLine]] = {side: [] for side in SIDES.values()}
        for item in ledger.open_items():
            by_side[SIDES[item.side]].append(item)
        counts = StreamCounts()
        for done, (side, items) in enumerate(by_side.items(), start=1):
            records = self._records(ctx, side, items)
            counts += _counts(outstanding_items_replace(administration=ctx.administration, side=side, items=records))
            ctx.progress(done, len(by_side))
        outstanding_snapshot_record(administration=ctx.administration, as_of=ctx.today)
        return counts

    @staticmethod
    def _records(ctx: StreamContext, side: OutstandingSide, items: list[OpenItemLine]) -> list[OutstandingItemRecord]:
        undated = [item for item in items if item.due_date is None]
        terms = payment_terms(
            administration=ctx.administration,
            transaction_external_ids=(),
            relation_external_ids=[mapping.text_id(i.relation) for i in undated if i.relation],
            invoice_numbers=[i.invoice_number for i in undated if i.invoice_number],
            invoice_type=INVOICE_TYPES[side],
        )
        default_term = ctx.administration.organization.default_payment_term_days
        records = []
        for item in items:
            relation = mapping.text_id(item.relation) if item.relation else None
            due = item.due_date
            if due is None:
                term = terms.for_item(
                    transaction_external_id=None, relation_external_id=relation, invoice_number=item.invoice_number
                )
                due = due_date_after(item.invoice_date, default_term if term is None else term)
            total = item.total if item.total is not None else item.amount_open
            records.append(
                OutstandingItemRecord(
                    external_id=item.external_id,
                    source_external_id="",
                    invoice_number=item.invoice_number,
                    relation_external_id=relation,
                    invoice_date=item.invoice_date,
                    due_date=due,
                    total=total,
                    paid=total - item.amount_open,
                    outstanding=item.amount_open,
                )
            )
        return records


class ChecksStream(_FileStream):
    """The file's totals per account and month against the stored lines, and the open items against the receivable
    and payable accounts: what the Data checks page shows. Only differences are stored."""

    name = "checks"
    label = gettext_noop("Checking totals")

    def run(self, ctx: StreamContext) -> StreamCounts:
        ledger = self.source.ledger(ctx)
        summary = ledger.summary
        assert summary is not None
        stored = line_totals_by_account_month(
            administration=ctx.administration, date_from=limits.EARLIEST_DATE, date_to=limits.LATEST_DATE
        )
        results = [
            ReconciliationRecord(
                kind=ReconciliationCheck.LEDGER_MONTH,
                subject=account,
                period_start=month,
                expected=summary.account_months.get((account, month), ZERO),
                actual=stored.get((account, month), ZERO),
                account_external_id=account,
            )
            for account, month in sorted(set(summary.account_months) | set(stored))
            if summary.account_months.get((account, month), ZERO) != stored.get((account, month), ZERO)
        ]
        if ledger.has_open_items:
            results += self._open_items(ctx, ledger)
        reconciliation_record(
            administration=ctx.administration,
            results=results,
            checked_through=max(ctx.today, summary.last_date or ctx.today),
        )
        ctx.progress(1, 1)
        return StreamCounts()

    @staticmethod
    def _open_items(ctx: StreamContext, ledger: LedgerFile) -> list[ReconciliationRecord]:
        open_items = outstanding_totals(administration=ctx.administration)
        accounts = ledger.summary.accounts if ledger.summary else {}
        results = []
        for side, role, sign in (
            (OutstandingSide.RECEIVABLE, AccountRole.RECEIVABLE, 1),
            (OutstandingSide.PAYABLE, AccountRole.PAYABLE, -1),
        ):
            codes = [code for code, info in accounts.items() if info.role == role]
            if not codes:
                continue
            balances = account_balances(
                administration=ctx.administration, as_of=limits.LATEST_DATE, account_external_ids=codes
            )
            results.append(
                ReconciliationRecord(
                    kind=ReconciliationCheck.OPEN_ITEMS,
                    subject=str(side),
                    period_start=ctx.today,
                    expected=sign * sum(balances.values(), ZERO),
                    actual=open_items.get(side, ZERO),
                )
            )
        return results
