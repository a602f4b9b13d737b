"""Benchmark of the dashboards at scale (issue 9, part 3): server time and queries of the pages people open most, on
one administration of about 1,000,000 transaction lines and 50,000 open items, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/monitr .venv/bin/python bench/dashboards.py            # 1,000,000
    .venv/bin/python bench/dashboards.py --lines 10000000 --only pnl,balance_sheet,overview   # the statements at 10M
    .venv/bin/python bench/dashboards.py --lines 100000 --items 5000                           # a quick check
    .venv/bin/python bench/dashboards.py --lines 100000 --profile var/profiles                 # pyinstrument

The books (generated in the database, in a few statements of ``INSERT ... SELECT`` over ``generate_series``, so a
million lines take seconds rather than the minutes an import would):
- one organisation with one administration, a member who reads the dashboards;
- a chart of about 100 accounts covering every reporting line of ``dashboards/mapping.py`` (cash, debtors,
  creditors, the VAT categories, fixed assets, equity, long-term and current liabilities, personnel, housing, other
  operating costs, depreciation, cost of sales, revenue, financial result, taxes, and one account the rules cannot
  place);
- relations (one per 200 lines: 5,000 at full size), seven in ten customers;
- balanced transactions from 2023-01-01 to 2025-12-31, evenly over the days: sales invoices (four lines), purchase
  invoices (three), payments received and sent, journal entries (two), three lines on average;
- the monthly balances the ledger's write services keep beside the lines (``ledger.models.MonthlyBalance``, per
  account and month: what the P&L, the balance sheet and the Overview read), made from the generated lines by one
  ``INSERT ... SELECT ... GROUP BY``, as if every line had been written through the services;
- open items (one per 20 lines up to 50,000: a longer history does not mean more open invoices; seven in ten
  receivables) invoiced over the two years before the day the pages are read, most of them recent, with 14, 30 or
  60 days to pay, 3 % without a due date, 1 % without a relation, one in five partly paid; and the daily snapshots
  of them for the last 31 days and at the end of each of the six months before, so that the as-of view, the 30-day
  comparison and the history chart read real rows;
- a second, small organisation (1,000 lines, 200 open items) generated the same way, read by its own member: the
  query count of every page is measured on both, and must be the same ("constant in the data size").

The pages are read in this process through Django's test ``Client``, as a signed-in member: middleware, view,
selectors, template, everything but the network. Each page: 3 requests to warm up, one with its queries counted
(``CaptureQueriesContext``), then 30 timed ones; the figures are the median and the 95th percentile of those 30.
The clock stands on 2026-01-12 (``bench.common.SYNC_TODAY``, ticking), twelve days after the books end, as in the
import benchmark, so the figures do not depend on the calendar.

A generated database is kept and reused: its name carries a fingerprint of what was generated (sizes, seed, the
generator's version), and a run finds it and only migrates it (``--regenerate`` starts over, ``--drop`` removes it).
Below 100,000 lines the books go into a throwaway database instead, as the other benchmarks' do.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    SYNC_TODAY,
    Figure,
    database_version,
    django_on,
    is_postgres,
    print_figures,
    sync_day,
    throwaway_database,
    with_database,
    write_json,
)

# Issue 9's targets, in milliseconds of server time at the 95th percentile. The statements read the monthly balances
# (a few thousand rows whatever the number of lines), so their target holds at 1,000,000 lines and at 10,000,000.
TARGET_OUTSTANDING_MS = 150.0
TARGET_EXPLORER_MS = 150.0
TARGET_STATEMENTS_MS = 40.0

WARM_UP = 3
REQUESTS = 30
TODAY = SYNC_TODAY.date()
BOOKS_START = date(2023, 1, 1)
BOOKS_END = date(2025, 12, 31)
PNL_YEAR = 2025
DAILY_SNAPSHOT_DAYS = 31
MONTHLY_SNAPSHOTS = 6
AS_OF = TODAY - timedelta(days=1)  # a day with a snapshot, and one 30 days before it for the comparison
REUSE_FROM_LINES = 100_000
SMALL_LINES = 1_000
SMALL_ITEMS = 200
MAX_DEFAULT_ITEMS = 50_000
# Bump when the generated books change shape, so that an older generated database is not reused.
# 3: the monthly balances are generated too.
GENERATOR_VERSION = 5


@dataclass(frozen=True)
class Shape:
    lines: int
    items: int
    seed: int

    @property
    def transactions(self) -> int:
        return max(self.lines // 3, 10)

    @property
    def relations(self) -> int:
        return max(self.lines // 200, 50)

    @property
    def fingerprint(self) -> str:
        text = f"v{GENERATOR_VERSION}:{self.lines}:{self.items}:{self.seed}:{TODAY}:{SMALL_LINES}:{SMALL_ITEMS}"
        return hashlib.sha256(text.encode()).hexdigest()[:10]


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    path: str  # a URL name
    params: dict[str, str]
    target_ms: float
    headers: dict[str, str] | None = None
    # The page keeps what it figured in the cache until the books change, and the worker figures it as a sync
    # ends: timed as read (kept), and also as the first read with nothing kept (the cache emptied before each).
    kept: bool = False


PAGES = (
    Page(
        "receivables", "Outstanding Items, receivables", "dashboards:outstanding", {}, TARGET_OUTSTANDING_MS, kept=True
    ),
    Page(
        "receivables_as_of",
        "Outstanding Items, receivables, as of a day",
        "dashboards:outstanding",
        {"as_of": AS_OF.isoformat()},
        TARGET_OUTSTANDING_MS,
        kept=True,
    ),
    Page(
        "receivables_year_ago",
        "Outstanding Items, receivables, as of a year before (from the books)",
        "dashboards:outstanding",
        {"as_of": (TODAY - timedelta(days=365)).isoformat()},
        TARGET_OUTSTANDING_MS,
        kept=True,
    ),
    Page(
        "payables",
        "Outstanding Items, payables",
        "dashboards:outstanding",
        {"side": "payable"},
        TARGET_OUTSTANDING_MS,
        kept=True,
    ),
    Page(
        "payables_as_of",
        "Outstanding Items, payables, as of a day",
        "dashboards:outstanding",
        {"side": "payable", "as_of": AS_OF.isoformat()},
        TARGET_OUTSTANDING_MS,
        kept=True,
    ),
    Page(
        "relations",
        "per-relation table (htmx), sorted by name, page 2",
        "dashboards:outstanding",
        {"sort": "name", "page": "2"},
        TARGET_OUTSTANDING_MS,
        {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "relations"},
    ),
    Page(
        "forecast",
        "Expected cash-in, 13 weeks (open items by habit and curve)",
        "dashboards:outstanding_forecast",
        {},
        TARGET_OUTSTANDING_MS,
        kept=True,
    ),
    Page("pnl", f"P&L {PNL_YEAR}", "dashboards:pnl", {"year": str(PNL_YEAR)}, TARGET_STATEMENTS_MS),
    Page(
        "balance_sheet",
        f"balance sheet {PNL_YEAR}",
        "dashboards:balance_sheet",
        {"year": str(PNL_YEAR)},
        TARGET_STATEMENTS_MS,
    ),
    Page("overview", f"Overview {PNL_YEAR}", "dashboards:overview", {"year": str(PNL_YEAR)}, TARGET_STATEMENTS_MS),
    Page("explorer", "transactions explorer, first page", "dashboards:transactions", {}, TARGET_EXPLORER_MS),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_000_000, help="transaction lines (default 1,000,000)")
    parser.add_argument(
        "--items", type=int, default=None, help=f"open items (default: one per 20 lines, at most {MAX_DEFAULT_ITEMS:,})"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=REQUESTS, help="timed requests per page (default 30)")
    parser.add_argument("--only", default="", help="comma-separated pages: " + ", ".join(p.key for p in PAGES))
    parser.add_argument(
        "--reuse",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"keep the generated books for the next run (default: from {REUSE_FROM_LINES:,} lines)",
    )
    parser.add_argument("--regenerate", action="store_true", help="generate again even if a database matches")
    parser.add_argument("--drop", action="store_true", help="drop the kept database of this shape and stop")
    parser.add_argument("--profile", type=Path, default=None, help="a folder for a pyinstrument profile per page")
    parser.add_argument("--show-queries", action="store_true", help="print each page's queries with their times")
    parser.add_argument("--json", type=Path, default=None, help="write the figures as JSON to this file")
    args = parser.parse_args(argv)
    items = args.items or min(max(args.lines // 20, 20), MAX_DEFAULT_ITEMS)
    shape = Shape(lines=args.lines, items=items, seed=args.seed)
    url = os.environ.get("DATABASE_URL", "")
    if not is_postgres(url):
        print("DATABASE_URL must name PostgreSQL: the dashboards are measured where they run.", file=sys.stderr)
        return 2
    kept = kept_database_name(shape)
    if args.drop:
        _drop(url, kept)
        print(f"dropped {kept} (if it existed)")
        return 0
    reuse = args.reuse if args.reuse is not None else shape.lines >= REUSE_FROM_LINES
    only = [key.strip() for key in args.only.split(",") if key.strip()]
    if unknown := set(only) - {p.key for p in PAGES}:
        parser.error(f"unknown page(s): {', '.join(sorted(unknown))}")
    pages = [p for p in PAGES if not only or p.key in only]
    books = _books_database(url, kept if reuse else None, regenerate=args.regenerate)
    with books as (database_url, fresh), django_on(database_url), sync_day():
        result = run(shape, pages, fresh=fresh, requests=args.requests, profile=args.profile, show=args.show_queries)
        result["details"]["database"] = database_version()
        result["details"]["kept_database"] = kept if reuse else None
    print_figures(result["figures"])
    if args.json:
        write_json(args.json, result)
    return 0 if all(f.get("met") is not False for f in result["figures"]) else 1


# --- the database -----------------------------------------------------------------------------------------------


def kept_database_name(shape: Shape) -> str:
    return f"monitr_bench_dashboards_{shape.lines}_{shape.fingerprint}"


def _admin(url: str):
    import psycopg

    return psycopg.connect(with_database(url, "postgres"), autocommit=True)


def _drop(url: str, name: str) -> None:
    with _admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def _books_database(url: str, kept: str | None, *, regenerate: bool) -> Iterator[tuple[str, bool]]:
    """(the database's URL, whether the books must be generated): a kept database that holds complete books of
    this shape, else a new one (kept or throwaway)."""
    if kept is None:
        with throwaway_database(url) as throwaway:
            yield throwaway, True
        return
    import psycopg

    kept_url = with_database(url, kept)
    complete = False
    with _admin(url) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [kept]).fetchone() is not None
    if exists and not regenerate:
        with psycopg.connect(kept_url) as conn:
            found = conn.execute("SELECT to_regclass('bench_books')").fetchone()[0]
            complete = found is not None and conn.execute("SELECT count(*) FROM bench_books").fetchone()[0] == 1
    if not complete:
        _drop(url, kept)
        with _admin(url) as conn:
            conn.execute(f'CREATE DATABASE "{kept}"')
    yield kept_url, not complete


# --- the books ----------------------------------------------------------------------------------------------------

# (code, name, e-Boekhouden category, kind, group): the chart of a small Dutch business, every reporting line used.
BS, PL = "balance_sheet", "profit_and_loss"
CHART: list[tuple[str, str, str, str, str]] = [
    ("0100", "Inventaris", "BAL", BS, "fixed"),
    ("0110", "Vervoermiddelen", "BAL", BS, "fixed"),
    ("0120", "Computers", "BAL", BS, "fixed"),
    ("0150", "Afschrijving inventaris", "BAL", BS, "fixed"),
    ("0500", "Eigen vermogen", "BAL", BS, "equity"),
    ("0700", "Lening bank", "BAL", BS, "long_term"),
    ("1000", "Kas", "FIN", BS, "bank"),
    ("1010", "Bank ING", "FIN", BS, "bank"),
    ("1020", "Bank Rabobank", "FIN", BS, "bank"),
    ("1030", "Spaarrekening", "FIN", BS, "savings"),
    ("1300", "Debiteuren", "DEB", BS, "debtors"),
    ("1400", "Vooruitbetaalde kosten", "BAL", BS, "prepaid"),
    ("1500", "BTW af te dragen hoog", "AF19", BS, "vat_sales"),
    ("1510", "BTW af te dragen laag", "AF6", BS, "vat_sales_low"),
    ("1520", "Voorbelasting", "VOOR", BS, "vat_purchases"),
    ("1530", "BTW verlegd", "BTWRC", BS, "vat_other"),
    ("1600", "Crediteuren", "CRED", BS, "creditors"),
    ("1700", "Nog te betalen kosten", "BAL", BS, "accrued"),
    ("1800", "Loonheffing", "BAL", BS, "payroll_tax"),
    ("2000", "Privé", "BAL", BS, "private"),
    ("2100", "Vraagposten", "BAL", BS, "suspense"),
    *((f"{4000 + n}", f"Personeelskosten {n + 1}", "VW", PL, "personnel") for n in range(10)),
    *((f"{4200 + n}", f"Huisvesting {n + 1}", "VW", PL, "housing") for n in range(5)),
    *((f"{4300 + n}", f"Algemene kosten {n + 1}", "VW", PL, "operating") for n in range(30)),
    *((f"{4700 + n}", f"Afschrijvingen {n + 1}", "VW", PL, "depreciation") for n in range(3)),
    *((f"{7000 + n}", f"Inkoopwaarde omzet {n + 1}", "VW", PL, "cost_of_sales") for n in range(10)),
    *((f"{8000 + n}", f"Omzet {n + 1}", "VW", PL, "revenue") for n in range(20)),
    ("8900", "Rentebaten", "VW", PL, "financial"),
    ("8910", "Rentelasten", "VW", PL, "financial"),
    ("8920", "Bankkosten", "VW", PL, "financial"),
    ("9500", "Vennootschapsbelasting", "VW", PL, "taxes"),
    ("3500", "Nog in te delen", "VW", PL, "unmapped"),
]

# An integer hash of (n, k) in [0, 2^31): every "random" choice of the books is one, so they are the same each run.
HASH = """
CREATE FUNCTION pg_temp.h(n bigint, k int) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
  SELECT ((x # (x >> 13)) * 48271) % 2147483647
  FROM (SELECT ((n * 2654435761 + k * 97531 + 12345) % 4294967291) AS x) s
$$
"""

TRANSACTIONS = """
INSERT INTO ledger_transaction (administration_id, external_id, transaction_type, date, description, invoice_number,
    entry_number, relation_id, account_id, vat_inclusive, payment_term_days, fingerprint, lines_digest, imbalance)
SELECT %(admin)s, t::text,
    (ARRAY['sales_invoice','sales_invoice','sales_invoice','sales_invoice','purchase_invoice','purchase_invoice',
           'payment_received','payment_received','payment_sent','journal'])[k + 1],
    %(start)s::date + ((t - 1) * %(span)s / %(count)s)::int,
    CASE WHEN k < 4 THEN 'Factuur ' || t || ' diensten' WHEN k < 6 THEN 'Inkoop ' || t
         WHEN k < 9 THEN 'Betaling ' || t ELSE 'Memoriaal ' || t END,
    CASE WHEN k < 9 THEN 'F' || lpad(t::text, 8, '0') ELSE '' END,
    '',
    CASE WHEN k IN (0, 1, 2, 3, 6, 7) THEN (%(customers)s::bigint[])[1 + pg_temp.h(t, 3) %% %(n_customers)s]
         WHEN k IN (4, 5, 8) THEN (%(suppliers)s::bigint[])[1 + pg_temp.h(t, 3) %% %(n_suppliers)s] END,
    CASE WHEN k < 4 THEN %(debtors)s WHEN k < 6 THEN %(creditors)s
         ELSE (%(banks)s::bigint[])[1 + pg_temp.h(t, 4) %% 3] END,
    false,
    CASE WHEN k < 6 THEN 30 END,
    'bench:' || t, md5(t::text), 0
FROM (SELECT t, (t %% 10)::int AS k FROM generate_series(1, %(count)s::bigint) t) s
"""

# Per kind (t % 10): 0-3 sales invoice, 4-5 purchase invoice, 6-7 payment received, 8 payment sent, 9 journal.
LINES = """
INSERT INTO ledger_transactionline (transaction_id, line_number, administration_id, date, account_id, amount,
    vat_code, vat_amount, description, invoice_number, relation_id, cost_center_id)
SELECT id, n, %(admin)s, date,
    CASE
      WHEN k < 4 THEN (ARRAY[%(debtors)s, (%(revenue)s::bigint[])[1 + h2 %% %(n_revenue)s],
                             (%(revenue)s::bigint[])[1 + h3 %% %(n_revenue)s], %(vat_sales)s])[n]
      WHEN k < 6 THEN (ARRAY[%(creditors)s, (%(costs)s::bigint[])[1 + h2 %% %(n_costs)s], %(vat_purchases)s])[n]
      WHEN k < 8 THEN (ARRAY[account_id, %(debtors)s])[n]
      WHEN k = 8 THEN (ARRAY[account_id, %(creditors)s])[n]
      ELSE (ARRAY[(%(journal)s::bigint[])[1 + h2 %% %(n_journal)s], account_id])[n]
    END,
    CASE
      WHEN k < 4 THEN (ARRAY[a + b + round((a + b) * 0.21, 2), -a, -b, -round((a + b) * 0.21, 2)])[n]
      WHEN k < 6 THEN (ARRAY[-(a + round(a * 0.21, 2)), a, round(a * 0.21, 2)])[n]
      WHEN k < 8 THEN (ARRAY[a, -a])[n]
      WHEN k = 8 THEN (ARRAY[-a, a])[n]
      ELSE (ARRAY[a, -a])[n]
    END,
    CASE WHEN k < 4 AND n IN (2, 3) THEN 'HOOG_VERK_21' WHEN k IN (4, 5) AND n = 2 THEN 'HOOG_INK_21' ELSE '' END,
    CASE WHEN k < 4 AND n = 2 THEN -round(a * 0.21, 2) WHEN k < 4 AND n = 3 THEN -round(b * 0.21, 2)
         WHEN k IN (4, 5) AND n = 2 THEN round(a * 0.21, 2) END,
    CASE WHEN k = 9 THEN 'Memoriaalpost' ELSE '' END,
    CASE WHEN k < 6 AND n = 1 THEN invoice_number ELSE '' END,
    CASE WHEN n = 1 AND k < 6 THEN relation_id WHEN n = 2 AND k IN (6, 7, 8) THEN relation_id END,
    NULL
FROM (
    SELECT tr.id, tr.date, tr.account_id, tr.relation_id, tr.invoice_number, s.t, (s.t %% 10)::int AS k,
        round((pg_temp.h(s.t, 1) %% 500000 + 500) / 100.0, 2) AS a,
        round((pg_temp.h(s.t, 5) %% 200000 + 100) / 100.0, 2) AS b,
        pg_temp.h(s.t, 2) AS h2, pg_temp.h(s.t, 6) AS h3
    FROM ledger_transaction tr CROSS JOIN LATERAL (SELECT tr.external_id::bigint AS t) s
    WHERE tr.administration_id = %(admin)s
) x
CROSS JOIN generate_series(1, 4) n
WHERE n <= (ARRAY[4, 4, 4, 4, 3, 3, 2, 2, 2, 2])[k + 1]
"""

# What the ledger's write services keep as the lines are written (``ledger.services.balances``): per account, month
# and cost centre, the sum of the lines. Read by the statements instead of the lines.
MONTHLY_BALANCES = """
INSERT INTO ledger_monthlybalance (administration_id, basis, account_id, month, cost_center_key, amount)
SELECT administration_id, 'lines', account_id, date_trunc('month', date)::date, COALESCE(cost_center_id, 0),
    SUM(amount)
FROM ledger_transactionline
WHERE administration_id = %(admin)s
GROUP BY administration_id, account_id, date_trunc('month', date)::date, COALESCE(cost_center_id, 0)
"""

OPEN_ITEMS = """
INSERT INTO ledger_outstandingitem (administration_id, side, external_id, source_external_id, invoice_number,
    relation_id, invoice_date, due_date, total, paid, outstanding)
SELECT %(admin)s, side, 'oi-' || i, (1 + pg_temp.h(i, 11) %% %(transactions)s)::text,
    CASE WHEN side = 'receivable' THEN 'F' ELSE 'INK' END || lpad(i::text, 7, '0'),
    CASE WHEN pg_temp.h(i, 12) %% 100 = 0 THEN NULL
         WHEN side = 'receivable' THEN (%(customers)s::bigint[])[1 + pg_temp.h(i, 13) %% %(n_customers)s]
         ELSE (%(suppliers)s::bigint[])[1 + pg_temp.h(i, 13) %% %(n_suppliers)s] END,
    invoice_date,
    CASE WHEN pg_temp.h(i, 14) %% 100 < 3 THEN NULL
         ELSE invoice_date + (ARRAY[14, 30, 60])[1 + pg_temp.h(i, 15) %% 3] END,
    total,
    CASE WHEN pg_temp.h(i, 16) %% 5 = 0 THEN round(total * 0.4, 2) ELSE 0 END,
    total - CASE WHEN pg_temp.h(i, 16) %% 5 = 0 THEN round(total * 0.4, 2) ELSE 0 END
FROM (
    SELECT i, CASE WHEN i %% 10 < 7 THEN 'receivable' ELSE 'payable' END AS side,
        %(today)s::date - 1 - floor(730 * power((pg_temp.h(i, 17) %% 10000) / 10000.0, 2))::int AS invoice_date,
        round((pg_temp.h(i, 18) %% 1000000 + 1000) / 100.0, 2) AS total
    FROM generate_series(1, %(items)s) i
) s
"""

# The snapshot of day d: the items invoiced by then, as they are now (a simplification: nothing paid in between).
# Day after day, as the nightly syncs write them, so that a day's rows lie together in the table as they would.
SNAPSHOTS = """
INSERT INTO ledger_outstandingsnapshot (administration_id, as_of, side, external_id, source_external_id,
    invoice_number, relation_id, invoice_date, due_date, total, paid, outstanding)
SELECT o.administration_id, d.day, o.side, o.external_id, o.source_external_id, o.invoice_number, o.relation_id,
    o.invoice_date, o.due_date, o.total, o.paid, o.outstanding
FROM ledger_outstandingitem o JOIN unnest(%(days)s::date[]) AS d(day) ON o.invoice_date <= d.day
WHERE o.administration_id = %(admin)s
ORDER BY d.day, o.id
"""


# The open-item ledger (ledger.models.open_items) as a sync builds it: the open items above as open invoices (those
# partly paid with their payment), and four settled invoices per open one over the three years, paid 5 to 90 days
# after their date (one in ten in two parts); then each side's month ends and each relation's payment habit, made
# from those rows as the build makes them. A past day of Outstanding Items reads these.
LEDGER_OPEN = """
INSERT INTO ledger_ledgeropenitem (administration_id, side, kind, external_id, transaction_id, source_external_id,
    invoice_number, relation_id, invoice_date, due_date, amount, first_settled_on, settled_on)
SELECT administration_id, side, 'invoice', external_id, NULL, source_external_id, invoice_number, relation_id,
    invoice_date, due_date, total, CASE WHEN paid > 0 THEN invoice_date + 10 END, NULL
FROM ledger_outstandingitem WHERE administration_id = %(admin)s
"""
LEDGER_HISTORY = """
INSERT INTO ledger_ledgeropenitem (administration_id, side, kind, external_id, transaction_id, source_external_id,
    invoice_number, relation_id, invoice_date, due_date, amount, first_settled_on, settled_on)
SELECT %(admin)s, side, 'invoice', 'paid-' || i, NULL, '', 'P' || lpad(i::text, 8, '0'),
    CASE WHEN side = 'receivable' THEN (%(customers)s::bigint[])[1 + pg_temp.h(i, 23) %% %(n_customers)s]
         ELSE (%(suppliers)s::bigint[])[1 + pg_temp.h(i, 23) %% %(n_suppliers)s] END,
    invoice_date, invoice_date + 30, total,
    invoice_date + 5 + (pg_temp.h(i, 24) %% 86)::int - CASE WHEN pg_temp.h(i, 25) %% 10 = 0 THEN 20 ELSE 0 END,
    invoice_date + 5 + (pg_temp.h(i, 24) %% 86)::int
FROM (
    SELECT i, CASE WHEN i %% 10 < 7 THEN 'receivable' ELSE 'payable' END AS side,
        %(today)s::date - 100 - (pg_temp.h(i, 21) %% 1000)::int AS invoice_date,
        round((pg_temp.h(i, 22) %% 1000000 + 1000) / 100.0, 2) AS total
    FROM generate_series(1, 4 * %(items)s) i
) s
"""
LEDGER_SETTLEMENTS = """
INSERT INTO ledger_openitemsettlement (open_item_id, administration_id, kind, transaction_id, date, amount)
SELECT o.id, o.administration_id, 'payment', NULL::bigint, o.first_settled_on,
    CASE WHEN o.settled_on IS NULL THEN s.paid WHEN o.first_settled_on < o.settled_on THEN round(o.amount / 2, 2)
         ELSE o.amount END
FROM ledger_ledgeropenitem o LEFT JOIN ledger_outstandingitem s
    ON s.administration_id = o.administration_id AND s.side = o.side AND s.external_id = o.external_id
WHERE o.administration_id = %(admin)s AND o.first_settled_on IS NOT NULL
UNION ALL
SELECT o.id, o.administration_id, 'payment', NULL::bigint, o.settled_on, o.amount - round(o.amount / 2, 2)
FROM ledger_ledgeropenitem o
WHERE o.administration_id = %(admin)s AND o.first_settled_on < o.settled_on
"""
# Each item's stretches open for one amount (ledger.models.OpenItemPeriod), from the items and their payments above.
LEDGER_PERIODS = """
INSERT INTO ledger_openitemperiod (administration_id, side, external_id, valid_from, valid_to, source_external_id,
    invoice_number, relation_id, invoice_date, due_date, total, paid, outstanding)
SELECT o.administration_id, o.side, o.external_id, o.invoice_date, first.date, o.source_external_id,
    o.invoice_number, o.relation_id, o.invoice_date, o.due_date, o.amount, 0, o.amount
FROM ledger_ledgeropenitem o
LEFT JOIN LATERAL (SELECT min(t.date) AS date FROM ledger_openitemsettlement t WHERE t.open_item_id = o.id) first
    ON true
WHERE o.administration_id = %(admin)s AND (first.date IS NULL OR first.date > o.invoice_date)
UNION ALL
SELECT o.administration_id, o.side, o.external_id, t.date,
    (SELECT min(u.date) FROM ledger_openitemsettlement u WHERE u.open_item_id = o.id AND u.date > t.date),
    o.source_external_id, o.invoice_number, o.relation_id, o.invoice_date, o.due_date, o.amount,
    (SELECT sum(u.amount) FROM ledger_openitemsettlement u WHERE u.open_item_id = o.id AND u.date <= t.date),
    o.amount - (SELECT sum(u.amount) FROM ledger_openitemsettlement u WHERE u.open_item_id = o.id AND u.date <= t.date)
FROM ledger_ledgeropenitem o JOIN ledger_openitemsettlement t ON t.open_item_id = o.id
WHERE o.administration_id = %(admin)s AND t.date > o.invoice_date
    AND o.amount <> (
        SELECT sum(u.amount) FROM ledger_openitemsettlement u WHERE u.open_item_id = o.id AND u.date <= t.date
    )
"""
LEDGER_MONTH_ENDS = """
INSERT INTO ledger_openitemmonthend (administration_id, side, month_end, total, overdue, items, invoiced)
SELECT %(admin)s, sides.side, m.month_end,
    COALESCE(SUM(open.left_then), 0), COALESCE(SUM(open.left_then) FILTER (WHERE open.due < m.month_end), 0),
    COUNT(open.id), COALESCE((SELECT SUM(amount) FROM ledger_ledgeropenitem i WHERE i.administration_id = %(admin)s
        AND i.side = sides.side AND date_trunc('month', i.invoice_date) = date_trunc('month', m.month_end)), 0)
FROM (SELECT (date_trunc('month', %(today)s::date) - make_interval(months => n) - interval '1 day')::date AS month_end
      FROM generate_series(0, 36) n) m
CROSS JOIN (VALUES ('receivable'), ('payable')) AS sides(side)
LEFT JOIN LATERAL (
    SELECT o.id, COALESCE(o.due_date, o.invoice_date) AS due,
        o.amount - COALESCE((SELECT SUM(t.amount) FROM ledger_openitemsettlement t
                             WHERE t.open_item_id = o.id AND t.date <= m.month_end), 0) AS left_then
    FROM ledger_ledgeropenitem o
    WHERE o.administration_id = %(admin)s AND o.side = sides.side AND o.invoice_date <= m.month_end
      AND (o.settled_on IS NULL OR o.settled_on > m.month_end)
) open ON open.left_then <> 0
GROUP BY sides.side, m.month_end
"""
LEDGER_HABITS = """
INSERT INTO ledger_relationpaymenthabit (administration_id, side, relation_id, invoices_paid, paid_on_time,
    days_to_pay_average, days_to_pay_median, days_late_weighted, recent_paid, recent_days_late, earlier_paid,
    earlier_days_late, overdue_unpaid, oldest_overdue_days, last_paid_on, as_of)
SELECT %(admin)s, side, relation_id, COUNT(*) FILTER (WHERE settled_on IS NOT NULL),
    COUNT(*) FILTER (WHERE settled_on <= due_date),
    round(AVG(settled_on - invoice_date), 1), round(AVG(settled_on - invoice_date), 1),
    round(AVG(settled_on - due_date), 1), COUNT(*) FILTER (WHERE settled_on > %(today)s::date - 365),
    round(AVG(settled_on - due_date) FILTER (WHERE settled_on > %(today)s::date - 365), 1),
    COUNT(*) FILTER (WHERE settled_on <= %(today)s::date - 365),
    round(AVG(settled_on - due_date) FILTER (WHERE settled_on <= %(today)s::date - 365), 1),
    COUNT(*) FILTER (WHERE settled_on IS NULL AND due_date < %(today)s::date),
    MAX(%(today)s::date - due_date) FILTER (WHERE settled_on IS NULL AND due_date < %(today)s::date),
    MAX(settled_on), %(today)s::date
FROM ledger_ledgeropenitem
WHERE administration_id = %(admin)s AND relation_id IS NOT NULL
GROUP BY side, relation_id
"""


def snapshot_days() -> list[date]:
    daily = [TODAY - timedelta(days=n) for n in range(1, DAILY_SNAPSHOT_DAYS + 1)]
    month_ends = []
    first = TODAY.replace(day=1)
    for _ in range(MONTHLY_SNAPSHOTS + 1):
        first = (first - timedelta(days=1)).replace(day=1)
        month_ends.append((first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1))
    return sorted(set(daily) | {d for d in month_ends if d < daily[-1]})


def generate(*, slug: str, name: str, lines: int, items: int, seed: int) -> dict[str, Any]:
    """One organisation, its member and one administration with books of about ``lines`` lines and ``items`` open
    items. Returns the member and the counts."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from ledger.models import Account, Administration, Reconciliation, Relation
    from ledger.services import outstanding_snapshot_totals_record
    from monitr.tenancy.models import Membership, Organization

    shape = Shape(lines=lines, items=items, seed=seed)
    with transaction.atomic():
        organization = Organization.objects.create(name=name, slug=slug)
        user = get_user_model().objects.create_user(email=f"member@{slug}.example")
        Membership.objects.create(user=user, organization=organization, role="member")
        administration = Administration.objects.create(
            organization=organization,
            provider="eboekhouden",
            external_id=f"{slug}-{seed}",
            name=name,
            last_imported_at=SYNC_TODAY,
        )
        accounts = Account.objects.bulk_create(
            Account(
                administration=administration,
                external_id=f"acc-{code}",
                code=code,
                name=label,
                category=category,
                kind=kind,
                group=group,
            )
            for code, label, category, kind, group in CHART
        )
        groups: dict[str, list[int]] = {}
        for account, (*_, group) in zip(accounts, CHART, strict=True):
            groups.setdefault(group, []).append(account.pk)
        relations = Relation.objects.bulk_create(
            Relation(
                administration=administration,
                external_id=f"rel-{n}",
                code=f"{'D' if n % 10 < 7 else 'C'}{n:05d}",
                name=f"{'Klant' if n % 10 < 7 else 'Leverancier'} {n:05d} B.V.",
                relation_type="business",
                payment_term_days=(14, 30, 60)[n % 3],
            )
            for n in range(shape.relations)
        )
        customers = [r.pk for n, r in enumerate(relations) if n % 10 < 7]
        suppliers = [r.pk for n, r in enumerate(relations) if n % 10 >= 7]
        costs = groups["cost_of_sales"] + groups["operating"] + groups["housing"]
        journal = groups["personnel"] + groups["depreciation"] + groups["financial"] + groups["taxes"]
        journal += groups["unmapped"]
        params = {
            "admin": administration.pk,
            "start": BOOKS_START,
            "span": (BOOKS_END - BOOKS_START).days + 1,
            "count": shape.transactions,
            "transactions": shape.transactions,
            "debtors": groups["debtors"][0],
            "creditors": groups["creditors"][0],
            "banks": groups["bank"],
            "vat_sales": groups["vat_sales"][0],
            "vat_purchases": groups["vat_purchases"][0],
            "items": items,
            "today": TODAY,
            "days": snapshot_days(),
        }
        # The lists the SQL picks from by a hash, each with its length.
        choices = {"customers": customers, "suppliers": suppliers, "revenue": groups["revenue"], "costs": costs}
        for name, ids in {**choices, "journal": journal}.items():
            params |= {name: ids, f"n_{name}": len(ids)}
        with connection.cursor() as cursor:
            cursor.execute("DROP FUNCTION IF EXISTS pg_temp.h(bigint, int)")
            cursor.execute(HASH)
            cursor.execute(TRANSACTIONS, params)
            cursor.execute(LINES, params)
            line_count = cursor.rowcount
            cursor.execute(MONTHLY_BALANCES, params)
            balance_rows = cursor.rowcount
            cursor.execute(OPEN_ITEMS, params)
            cursor.execute(SNAPSHOTS, params)
            snapshot_rows = cursor.rowcount
            for statement in (
                LEDGER_OPEN,
                LEDGER_HISTORY,
                LEDGER_SETTLEMENTS,
                LEDGER_PERIODS,
                LEDGER_MONTH_ENDS,
                LEDGER_HABITS,
            ):
                cursor.execute(statement, params)
        Administration.objects.filter(pk=administration.pk).update(open_items_built_at=SYNC_TODAY)
        for day in params["days"]:  # what the sync records with each snapshot
            outstanding_snapshot_totals_record(administration=administration, as_of=day)
        for side in ("receivable", "payable"):
            Reconciliation.objects.create(
                administration=administration,
                kind="open_items",
                subject=side,
                period_start=TODAY,
                expected=0,
                actual=0,
                difference=0,
                recorded_at=SYNC_TODAY,
            )
    return {
        "user": user,
        "organization": organization,
        "lines": line_count,
        "transactions": shape.transactions,
        "items": items,
        "relations": shape.relations,
        "snapshot_rows": snapshot_rows,
        "balance_rows": balance_rows,
    }


def _check_balanced(organization) -> None:
    """Every generated transaction balances (the books are double-entry, not noise), and the monthly balances are
    what the ledger's own rebuild makes of the lines."""
    from django.db.models import Sum

    from ledger.models import Administration, TransactionLine
    from ledger.services import monthly_balances_rebuild

    unbalanced = (
        TransactionLine.objects.for_organization(organization)
        .values("transaction_id")
        .annotate(total=Sum("amount"))
        .exclude(total=0)
        .count()
    )
    assert unbalanced == 0, f"{unbalanced} generated transactions do not balance"
    for administration in Administration.objects.for_organization(organization):
        repaired = monthly_balances_rebuild(administration=administration)
        assert repaired == 0, f"{repaired} generated monthly balances differ from the lines"


def _books(shape: Shape, *, fresh: bool) -> tuple[dict[str, Any], dict[str, Any], float]:
    """The big and the small books: generated (and their time), or found in the kept database."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from ledger.models import MonthlyBalance, OutstandingItem, OutstandingSnapshot, TransactionLine

    started = time.perf_counter()
    if fresh:
        big = generate(slug="bench", name="Bench Groot BV", lines=shape.lines, items=shape.items, seed=shape.seed)
        small = generate(slug="bench-small", name="Bench Klein BV", lines=SMALL_LINES, items=SMALL_ITEMS, seed=2)
        _check_balanced(small["organization"])
        if shape.lines <= 100_000:
            _check_balanced(big["organization"])
        with connection.cursor() as cursor:
            # What autovacuum does after a big import; the pages are read from settled tables.
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CREATE TABLE bench_books (fingerprint text)")
            cursor.execute("INSERT INTO bench_books VALUES (%s)", [shape.fingerprint])
        return big, small, time.perf_counter() - started
    users = get_user_model().objects
    books = []
    for slug in ("bench", "bench-small"):
        user = users.get(email=f"member@{slug}.example")
        organization = user.memberships.get().organization
        books.append(
            {
                "user": user,
                "organization": organization,
                "lines": TransactionLine.objects.for_organization(organization).count(),
                "items": OutstandingItem.objects.for_organization(organization).count(),
                "snapshot_rows": OutstandingSnapshot.objects.for_organization(organization).count(),
                "balance_rows": MonthlyBalance.objects.for_organization(organization).count(),
            }
        )
    return books[0], books[1], time.perf_counter() - started


# --- the measurement ----------------------------------------------------------------------------------------------


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _get(client, page: Page):
    from django.urls import reverse

    response = client.get(reverse(page.path), page.params, **(page.headers or {}))
    if response.status_code != 200:
        raise AssertionError(f"{page.label}: status {response.status_code}")
    return response


def count_queries(client, page: Page, *, show: bool = False) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        _get(client, page)
    if show:
        for query in queries.captured_queries:
            print(f"    {float(query['time']) * 1000:8.1f} ms  {query['sql'][:600]}")
    return len(queries)


def time_page(client, page: Page, requests: int, *, nothing_kept: bool = False) -> list[float]:
    """Milliseconds of each of ``requests`` requests, after the warm-up; with ``nothing_kept``, each after the
    cache was emptied."""
    from django.core.cache import cache

    for _ in range(WARM_UP):
        _get(client, page)
    times = []
    for _ in range(requests):
        if nothing_kept:
            cache.clear()
        started = time.perf_counter()
        _get(client, page)
        times.append((time.perf_counter() - started) * 1000)
    return times


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[18]


def _profile(client, page: Page, folder: Path) -> None:
    from pyinstrument import Profiler

    folder.mkdir(parents=True, exist_ok=True)
    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(5):
            _get(client, page)
    (folder / f"{page.key}.txt").write_text(profiler.output_text(unicode=True))
    (folder / f"{page.key}.html").write_text(profiler.output_html())


def _sanity(client, small_client) -> None:
    """The pages show the books they are measured on, not an empty state."""
    from django.urls import reverse

    for who in (client, small_client):
        body = who.get(reverse("dashboards:outstanding")).content.decode()
        assert "B.V." in body, "the Outstanding Items page shows no relation"
        body = who.get(reverse("dashboards:transactions")).content.decode()
        assert "Factuur" in body or "Betaling" in body or "Inkoop" in body, "the explorer shows no transaction"
        body = who.get(reverse("dashboards:pnl"), {"year": PNL_YEAR}).content.decode()
        revenue = re.search(r'data-figure="revenue">(?:<a [^>]*>)?([^<]*)<', body)
        assert revenue and revenue.group(1) not in ("", "0,00"), "the P&L shows no revenue"


def run(
    shape: Shape, pages: list[Page], *, fresh: bool, requests: int, profile: Path | None, show: bool = False
) -> dict[str, Any]:
    big, small, setup_seconds = _books(shape, fresh=fresh)
    client, small_client = _client(big["user"]), _client(small["user"])
    _sanity(client, small_client)
    print(
        f"books: {big['lines']:,} lines, {big['balance_rows']:,} monthly balances, {big['items']:,} open items, "
        f"{big['snapshot_rows']:,} snapshot rows; "
        f"{'generated' if fresh else 'reused'} in {setup_seconds:.1f} s; small books: {small['lines']:,} lines"
    )
    figures = [
        Figure("books: transaction lines", big["lines"], "lines"),
        Figure("books: monthly balances", big["balance_rows"], "rows"),
        Figure("books: open items", big["items"], "items", note=f"{big['snapshot_rows']:,} snapshot rows"),
        Figure(
            "books: generation" if fresh else "books: reused (generated before)",
            round(setup_seconds, 1),
            "s",
            note="generated, checked and analysed" if fresh else "found by fingerprint, migrated",
        ),
    ]
    details: dict[str, Any] = {"pages": {}, "fresh": fresh, "requests": requests, "warm_up": WARM_UP}
    counts_equal = True
    for page in pages:
        _get(small_client, page)  # as the big books' count: after a read, so a kept page is counted as kept
        small_queries = count_queries(small_client, page)
        times = time_page(client, page, requests)
        queries = count_queries(client, page, show=show)
        counts_equal &= queries == small_queries
        median, high = statistics.median(times), p95(times)
        print(f"  {page.label}: median {median:.1f} ms, p95 {high:.1f} ms, {queries} queries ({small_queries} small)")
        figures += [
            Figure(f"{page.label}: median", round(median, 1), "ms"),
            Figure(f"{page.label}: p95", round(high, 1), "ms", page.target_ms),
            Figure(
                f"{page.label}: queries",
                queries,
                "queries",
                small_queries,
                "equal",
                note=f"{small_queries} on the small books ({small['lines']:,} lines)",
            ),
        ]
        if page.kept:
            first = time_page(client, page, requests, nothing_kept=True)
            first_median, first_high = statistics.median(first), p95(first)
            print(f"  {page.label}, nothing kept: median {first_median:.1f} ms, p95 {first_high:.1f} ms")
            figures += [
                Figure(f"{page.label}, nothing kept: median", round(first_median, 1), "ms"),
                Figure(
                    f"{page.label}, nothing kept: p95",
                    round(first_high, 1),
                    "ms",
                    note="the cache emptied before each read; a sync's end figures it again",
                ),
            ]
        details["pages"][page.key] = {
            "label": page.label,
            "params": page.params,
            "times_ms": [round(t, 2) for t in times],
            "min_ms": round(min(times), 1),
            "max_ms": round(max(times), 1),
            "queries": queries,
            "queries_small": small_queries,
        }
        if profile is not None:
            _profile(client, page, profile)
    figures.append(
        Figure(
            "query counts the same at both sizes",
            "yes" if counts_equal else "no",
            target="yes",
            better="equal",
            note=f"{big['lines']:,} and {small['lines']:,} lines",
        )
    )
    return {"figures": [f.as_dict() for f in figures], "details": details}


if __name__ == "__main__":
    sys.exit(main())
