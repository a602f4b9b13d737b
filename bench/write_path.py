"""Benchmark of the ledger's write path: transactions and their lines through ``transactions_upsert`` on PostgreSQL,
against a plain COPY of the same rows into empty tables of the same shape, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/monitr .venv/bin/python bench/write_path.py [--lines N] [--quick]

Runs in a throwaway database created next to the one ``DATABASE_URL`` names, and drops it at the end. Prints the
time of each phase, the ratios to COPY, and the process's peak memory (RSS). Targets: a first upsert at most 2× COPY,
an unchanged re-write at most 2.5× COPY, peak memory at most 300 MB.

The phases, each reading the same deterministic stream of records (never all of them in memory):
1. COPY: rows straight into copies of the ledger's tables (``LIKE ... INCLUDING ALL``: same columns, defaults and
   indexes, no foreign keys; ``--baseline bare``: columns only), in batches of the same size, one COPY per table
   and batch, with the same pause of the cyclic garbage collector as the upsert path.
2. upsert: ``transactions_upsert`` into the empty ledger tables.
3. unchanged: ``transactions_upsert`` of the same records again, after ``VACUUM ANALYZE`` (as autovacuum would have
   done between two nightly syncs).
The phases run ``--rounds`` times (default 3) on emptied tables, each after a CHECKPOINT; the ratios are the medians
of the rounds' ratios, which holds up better than one run on a machine whose disk latency varies.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_UPSERT = 2.0
TARGET_UNCHANGED = 2.5
TARGET_RSS_MB = 300
LINES_PER_TRANSACTION = 4
ACCOUNTS = 80
RELATIONS = 2_000
BASELINES = {
    "indexed": "the same columns, defaults and indexes, no foreign keys",
    "bare": "the same columns and defaults only",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="transaction lines to write (default 1,000,000)")
    parser.add_argument("--quick", action="store_true", help="20,000 lines: a smoke run")
    parser.add_argument("--batch-lines", type=int, default=None, help="lines per batch (default: the service's)")
    parser.add_argument("--rounds", type=int, default=3, help="repeat the phases; the ratios reported are medians")
    parser.add_argument(
        "--baseline",
        choices=sorted(BASELINES),
        default="indexed",
        help="what the COPY tables have besides the columns (default: the ledger tables' indexes)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database for inspection")
    args = parser.parse_args()
    lines = 20_000 if args.quick else args.lines

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        print("DATABASE_URL must name a PostgreSQL database: the benchmark measures COPY.", file=sys.stderr)
        return 2
    bench_url, bench_name = _throwaway_database(url)
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monitr.settings")
    try:
        import django

        django.setup()
        return _run(lines, args.batch_lines, args.rounds, args.baseline)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _drop_database(url, bench_name)


def _throwaway_database(url: str) -> tuple[str, str]:
    import psycopg

    name = f"monitr_bench_{os.getpid()}"
    with psycopg.connect(_with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return _with_database(url, name), name


def _drop_database(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(_with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _with_database(url: str, name: str) -> str:
    # The server's maintenance database "postgres" is where databases are created and dropped from.
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _records(count_lines: int, seed: int = 7) -> Iterator:
    """A deterministic stream of balanced sales invoices, four lines each, over three years."""
    from ledger.records import LineRecord, TransactionRecord, TransactionType

    rng = random.Random(seed)
    start = date(2023, 1, 1)
    cent = Decimal("0.01")
    for n in range(count_lines // LINES_PER_TRANSACTION):
        relation = f"rel-{rng.randrange(RELATIONS)}"
        a = Decimal(rng.randrange(100, 500_000)) * cent
        b = Decimal(rng.randrange(100, 100_000)) * cent
        vat = ((a + b) * Decimal("0.21")).quantize(cent)
        total = a + b + vat
        revenue = f"acc-{rng.randrange(10, ACCOUNTS)}"
        yield TransactionRecord(
            external_id=str(100_000 + n),
            transaction_type=TransactionType.SALES_INVOICE,
            date=start + timedelta(days=n % 1_095),
            fingerprint=f"{n}:{total}",
            description=f"Invoice {2023 + n % 3}-{n:07d} for services",
            invoice_number=f"F{n:08d}",
            payment_term_days=30,
            relation_external_id=relation,
            account_external_id="acc-1",
            vat_inclusive=False,
            lines=(
                LineRecord(account_external_id="acc-1", amount=total, relation_external_id=relation),
                LineRecord(account_external_id=revenue, amount=-a, vat_code="HOOG_VERK_21", vat_amount=-vat),
                LineRecord(account_external_id="acc-9", amount=-b, vat_code="HOOG_VERK_21"),
                LineRecord(account_external_id="acc-2", amount=-vat, description="BTW hoog"),
            ),
        )


def _setup_books():
    from ledger.models import AccountKind
    from ledger.records import AccountRecord, RelationRecord
    from ledger.services import accounts_upsert, relations_upsert
    from monitr.tenancy.models import Organization

    organization = Organization.objects.create(name="Bench BV", slug="bench")
    administration = organization.administrations.create(provider="bench", external_id="bench", name="Bench BV")
    accounts_upsert(
        administration=administration,
        rows=(
            AccountRecord(
                external_id=f"acc-{i}", code=str(1000 + i), name=f"Account {i}", kind=AccountKind.BALANCE_SHEET
            )
            for i in range(ACCOUNTS)
        ),
    )
    relations_upsert(
        administration=administration,
        rows=(RelationRecord(external_id=f"rel-{i}", code=f"R{i}", name=f"Relation {i}") for i in range(RELATIONS)),
    )
    return administration


def _plain_copy(administration, count_lines: int, batch_lines: int) -> None:
    """The baseline: the same rows, converted and COPYed in batches into tables without any upsert logic."""
    from django.db import connection, transaction

    from ledger.models import Account, Relation, Transaction, TransactionLine
    from ledger.services.bulk import _pg_copy, _pg_types, without_cyclic_gc
    from ledger.services.transactions import _LINE_COLUMNS, _TRANSACTIONS

    accounts = dict(Account.objects.filter(administration=administration).values_list("external_id", "pk"))
    relations = dict(Relation.objects.filter(administration=administration).values_list("external_id", "pk"))
    tx_columns = ("id", "administration_id", *_TRANSACTIONS.columns)
    tx_types = _pg_types(Transaction, tx_columns)
    line_types = _pg_types(TransactionLine, _LINE_COLUMNS)
    admin = administration.pk
    zero = Decimal("0.00")

    def flush(tx_rows: list[tuple], line_rows: list[tuple]) -> None:
        with transaction.atomic(), connection.cursor():
            _pg_copy(connection.connection, "bench_transaction", tx_types, tx_columns, tx_rows)
            _pg_copy(connection.connection, "bench_transactionline", line_types, _LINE_COLUMNS, line_rows)

    tx_rows: list[tuple] = []
    line_rows: list[tuple] = []
    with without_cyclic_gc():  # as the upsert path does, so that both measure the writing alone
        for pk, r in enumerate(_records(count_lines), start=1):
            tx_rows.append(
                (
                    pk,
                    admin,
                    r.external_id,
                    str(r.transaction_type),
                    r.date,
                    r.description,
                    r.invoice_number,
                    r.entry_number,
                    relations.get(r.relation_external_id),
                    accounts.get(r.account_external_id),
                    r.vat_inclusive,
                    r.payment_term_days,
                    r.fingerprint,
                    r.fingerprint,
                    zero,
                )
            )
            line_rows.extend(
                (
                    pk,
                    admin,
                    r.date,
                    number,
                    accounts[line.account_external_id],
                    line.amount,
                    line.vat_code,
                    line.vat_amount,
                    line.description,
                    line.invoice_number,
                    relations.get(line.relation_external_id),
                    None,
                )
                for number, line in enumerate(r.lines, start=1)
            )
            if len(line_rows) >= batch_lines:
                flush(tx_rows, line_rows)
                tx_rows, line_rows = [], []
        if line_rows:
            flush(tx_rows, line_rows)


def _run(count_lines: int, batch_lines: int | None, rounds: int, baseline: str) -> int:
    from django.core.management import call_command
    from django.db import connection

    from ledger.models import TransactionLine
    from ledger.services import transactions_upsert
    from ledger.services.transactions import BATCH_LINES

    batch_lines = batch_lines or BATCH_LINES
    call_command("migrate", verbosity=0)
    administration = _setup_books()
    including = "INCLUDING ALL" if baseline == "indexed" else "INCLUDING DEFAULTS INCLUDING IDENTITY"
    with connection.cursor() as cursor:
        for table in ("transaction", "transactionline"):
            cursor.execute(f"CREATE TABLE bench_{table} (LIKE ledger_{table} {including})")
    rss_start = _peak_rss_mb()
    transactions = count_lines // LINES_PER_TRANSACTION
    print(
        f"{transactions * LINES_PER_TRANSACTION:,} lines in {transactions:,} transactions, batches of {batch_lines:,}"
    )
    print(f"COPY into tables like the ledger's with {BASELINES[baseline]}; {rounds} round(s), medians at the end")

    started = time.perf_counter()
    for _ in _records(count_lines):
        pass
    print(f"  making the records alone   {time.perf_counter() - started:8.2f} s   (part of every phase below)")

    def timed(label: str, work) -> float:
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")  # so that no phase pays for the previous one's writes
        started = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - started
        print(f"  {label:<26} {seconds:8.2f} s   {result or ''}")
        return seconds

    def upsert():
        return transactions_upsert(
            administration=administration, transactions=_records(count_lines), batch_lines=batch_lines
        )

    ratios: list[tuple[float, float]] = []
    for round_ in range(1, rounds + 1):
        print(f" round {round_}")
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE bench_transactionline, bench_transaction, ledger_transactionline, ledger_transaction"
            )
        copy = timed("plain COPY", lambda: _plain_copy(administration, count_lines, batch_lines))
        new = timed("upsert (new)", upsert)
        stored = TransactionLine.objects.filter(administration=administration).count()
        assert stored == transactions * LINES_PER_TRANSACTION, stored
        with connection.cursor() as cursor:
            # What autovacuum does between two nightly syncs; left to chance it lands in the middle of a phase.
            cursor.execute("VACUUM ANALYZE ledger_transaction")
            cursor.execute("VACUUM ANALYZE ledger_transactionline")
        unchanged = timed("upsert (unchanged)", upsert)
        ratios.append((new / copy, unchanged / copy))

    checks = [
        ("upsert / COPY", statistics.median(r[0] for r in ratios), TARGET_UPSERT, ""),
        ("unchanged / COPY", statistics.median(r[1] for r in ratios), TARGET_UNCHANGED, ""),
        ("peak RSS (MB)", _peak_rss_mb(), TARGET_RSS_MB, f"(after setup {rss_start:.0f} MB)"),
    ]
    ok = True
    for label, value, target, note in checks:
        met = value <= target
        ok &= met
        print(f"  {label:<26} {value:8.2f}     target ≤ {target:g}: {'met' if met else 'NOT MET'} {note}")
    return 0 if ok else 1


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


if __name__ == "__main__":
    sys.exit(main())
