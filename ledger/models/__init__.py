"""The ledger's models: provider-neutral books, each belonging to one Administration of one organisation."""

from .accounts import Account, CostCenter
from .administration import LINES_COMPLETE, Administration
from .balances import BalanceBasis, MonthlyBalance
from .checks import Reconciliation
from .choices import AccountKind, AccountRole, OutstandingSide, ReconciliationCheck, SetAsideKind, TransactionType
from .open_items import (
    CashForecastBacktest,
    LedgerOpenItem,
    OpenItemKind,
    OpenItemMonthEnd,
    OpenItemPeriod,
    OpenItemSettlement,
    RelationPaymentHabit,
    SettlementKind,
)
from .outstanding import OutstandingItem, OutstandingSnapshot, OutstandingSnapshotTotal
from .relations import Relation
from .set_aside import SetAsideRecord
from .transactions import Transaction, TransactionLine

__all__ = [
    "LINES_COMPLETE",
    "Account",
    "AccountKind",
    "AccountRole",
    "Administration",
    "BalanceBasis",
    "CashForecastBacktest",
    "CostCenter",
    "LedgerOpenItem",
    "MonthlyBalance",
    "OpenItemKind",
    "OpenItemMonthEnd",
    "OpenItemPeriod",
    "OpenItemSettlement",
    "OutstandingItem",
    "OutstandingSide",
    "OutstandingSnapshot",
    "OutstandingSnapshotTotal",
    "Reconciliation",
    "ReconciliationCheck",
    "Relation",
    "RelationPaymentHabit",
    "SetAsideKind",
    "SetAsideRecord",
    "SettlementKind",
    "Transaction",
    "TransactionLine",
    "TransactionType",
]
