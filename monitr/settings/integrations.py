"""Where the accounting providers are reached, and the sync schedule's defaults."""

from __future__ import annotations

from .env import env

__all__ = [
    "EBOEKHOUDEN_MAX_PARALLEL",
    "EBOEKHOUDEN_REST_URL",
    "EBOEKHOUDEN_SOAP_URL",
    "LEDGER_FILE_MAX_BYTES",
    "MONITR_SYNC_LOOKBACK_DAYS",
    "MONITR_SYNC_REREAD_DAYS",
    "MONITR_SYNC_TIMES",
]

# The real services by default; the sandbox (make demo, tests, benchmarks) is chosen by setting these.
EBOEKHOUDEN_REST_URL: str = env.str("EBOEKHOUDEN_REST_URL", default="https://api.e-boekhouden.nl")
EBOEKHOUDEN_SOAP_URL: str = env.str("EBOEKHOUDEN_SOAP_URL", default="https://soap.e-boekhouden.nl/soap.asmx")

# Mutation details fetched at once per connection; the client halves it on every burst of 429s (see
# docs/eboekhouden-client.md for the measurements behind the default).
EBOEKHOUDEN_MAX_PARALLEL: int = env.int("EBOEKHOUDEN_MAX_PARALLEL", default=32)

# Local times (Europe/Amsterdam) at which each connection syncs by default.
MONITR_SYNC_TIMES: list[str] = env.list("MONITR_SYNC_TIMES", default=["00:00", "05:00"])
# Bookkeeping is edited back-dated: every run re-reads this many days before its cursor.
MONITR_SYNC_LOOKBACK_DAYS: int = env.int("MONITR_SYNC_LOOKBACK_DAYS", default=60)
# Some edits never show in a mutation list (a description, a relation, a payment term): every stored mutation's
# detail is read again at least once in this many days, a share of the history on every run.
MONITR_SYNC_REREAD_DAYS: int = env.int("MONITR_SYNC_REREAD_DAYS", default=30)

# The largest ledger file (CSV or XLSX, each of an upload's files) Monitr reads; a larger one is refused before it is
# read. Files are streamed, so memory does not grow with this.
LEDGER_FILE_MAX_BYTES: int = env.int("LEDGER_FILE_MAX_BYTES", default=50 * 1024 * 1024)
