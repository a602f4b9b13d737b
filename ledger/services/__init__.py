"""The ledger's write services: idempotent, batched upserts of provider-neutral records.

Each service is keyword-only, takes an administration and records from :mod:`ledger.records`, and returns
:class:`WriteCounts`. They are re-exported here so callers import from one place.
"""

from .accounts import accounts_mark_reviewed, accounts_upsert, cost_centers_upsert
from .administrations import administration_delete
from .balances import (
    lines_complete_advance,
    lines_complete_mark,
    lines_complete_reset,
    monthly_balances_from_source,
    monthly_balances_from_source_months,
    monthly_balances_rebuild,
)
from .checks import reconciliation_record
from .open_items import open_item_ledger_build
from .outstanding import outstanding_items_replace, outstanding_snapshot_record, outstanding_snapshot_totals_record
from .references import UnknownReferenceError
from .relations import relations_upsert
from .results import WriteCounts
from .set_aside import (
    set_aside_forget_missing,
    set_aside_months,
    set_aside_pending,
    set_aside_record,
    set_aside_replace,
    set_aside_resolve,
)
from .transactions import transactions_delete_missing, transactions_upsert

__all__ = [
    "UnknownReferenceError",
    "WriteCounts",
    "accounts_mark_reviewed",
    "accounts_upsert",
    "administration_delete",
    "cost_centers_upsert",
    "lines_complete_advance",
    "lines_complete_mark",
    "lines_complete_reset",
    "monthly_balances_from_source",
    "monthly_balances_from_source_months",
    "monthly_balances_rebuild",
    "open_item_ledger_build",
    "outstanding_items_replace",
    "outstanding_snapshot_record",
    "outstanding_snapshot_totals_record",
    "reconciliation_record",
    "relations_upsert",
    "set_aside_forget_missing",
    "set_aside_months",
    "set_aside_pending",
    "set_aside_record",
    "set_aside_replace",
    "set_aside_resolve",
    "transactions_delete_missing",
    "transactions_upsert",
]
