"""Where the accounting providers are reached, and the sync schedule's defaults."""

from __future__ import annotations

from .cache import REDIS_URL
from .env import env

__all__ = [
    "EBOEKHOUDEN_MAX_IN_FLIGHT",
    "EBOEKHOUDEN_MAX_PARALLEL",
    "EBOEKHOUDEN_MAX_RATE",
    "EBOEKHOUDEN_REST_URL",
    "EBOEKHOUDEN_SOAP_CALLS_PER_MONTH",
    "EBOEKHOUDEN_SOAP_URL",
    "LEDGER_FILE_MAX_BYTES",
    "MONITR_BUDGET_REDIS_URL",
    "MONITR_SYNC_LOOKBACK_DAYS",
    "MONITR_SYNC_REREAD_DAYS",
    "MONITR_SYNC_SLICE_SECONDS",
    "MONITR_SYNC_SPREAD_MINUTES",
    "MONITR_SYNC_TIMES",
]

# The real services by default; the sandbox (make demo, tests, benchmarks) is chosen by setting these.
EBOEKHOUDEN_REST_URL: str = env.str("EBOEKHOUDEN_REST_URL", default="https://api.e-boekhouden.nl")
EBOEKHOUDEN_SOAP_URL: str = env.str("EBOEKHOUDEN_SOAP_URL", default="https://soap.e-boekhouden.nl/soap.asmx")

# Mutation details fetched at once per connection; the client halves it on every burst of 429s (see
# docs/eboekhouden-client.md for the measurements behind the default).
EBOEKHOUDEN_MAX_PARALLEL: int = env.int("EBOEKHOUDEN_MAX_PARALLEL", default=32)

# What all of Monitr together asks of e-Boekhouden, every worker process on every machine (integrations.http.budget):
# requests in flight at once, and a second (0: no rate of its own; the source's 429s still slow everyone down). Per
# API key or login, at most EBOEKHOUDEN_MAX_PARALLEL in flight. Held in Redis (MONITR_BUDGET_REDIS_URL, by default
# REDIS_URL); without Redis (a demo) each sync is bounded by its own client alone.
EBOEKHOUDEN_MAX_IN_FLIGHT: int = env.int("EBOEKHOUDEN_MAX_IN_FLIGHT", default=64)
EBOEKHOUDEN_MAX_RATE: float = env.float("EBOEKHOUDEN_MAX_RATE", default=0.0)
MONITR_BUDGET_REDIS_URL: str = env.str("MONITR_BUDGET_REDIS_URL", default=REDIS_URL)
# The legacy SOAP API's calls per login and calendar month (e-Boekhouden documents about 5,000); see
# eboekhouden/assumptions.py.
EBOEKHOUDEN_SOAP_CALLS_PER_MONTH: int = env.int("EBOEKHOUDEN_SOAP_CALLS_PER_MONTH", default=5000)

# Local times (Europe/Amsterdam) at which each connection syncs by default.
MONITR_SYNC_TIMES: list[str] = env.list("MONITR_SYNC_TIMES", default=["00:00", "05:00"])
# Each connection's scheduled syncs start at its own offset within this many minutes after each of those times
# (a stable spread by connection), so a fleet does not fire at one minute.
MONITR_SYNC_SPREAD_MINUTES: int = env.int("MONITR_SYNC_SPREAD_MINUTES", default=120)
# A sync works at most about this long in one task, then queues the rest behind the others (its cursors keep its
# place), so a large first import does not hold a worker or starve small connections.
MONITR_SYNC_SLICE_SECONDS: float = env.float("MONITR_SYNC_SLICE_SECONDS", default=30.0)
# Bookkeeping is edited back-dated: every run re-reads this many days before its cursor.
MONITR_SYNC_LOOKBACK_DAYS: int = env.int("MONITR_SYNC_LOOKBACK_DAYS", default=60)
# Some edits never show in a mutation list (a description, a relation, a payment term): every stored mutation's
# detail is read again at least once in this many days, a share of the history on every run.
MONITR_SYNC_REREAD_DAYS: int = env.int("MONITR_SYNC_REREAD_DAYS", default=30)

# The largest ledger file (CSV or XLSX, each of an upload's files) Monitr reads; a larger one is refused before it is
# read. Files are streamed, so memory does not grow with this.
LEDGER_FILE_MAX_BYTES: int = env.int("LEDGER_FILE_MAX_BYTES", default=50 * 1024 * 1024)
