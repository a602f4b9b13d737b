"""Integrations' models: which provider an organisation uses, its connections, and their sync history."""

from .connection import Connection, ConnectionStatus, Integration
from .sync import SyncCursor, SyncRun, SyncRunStatus, SyncTrigger
from .usage import MonthlyCalls, monthly_calls_add, monthly_calls_used

__all__ = [
    "Connection",
    "ConnectionStatus",
    "Integration",
    "MonthlyCalls",
    "SyncCursor",
    "SyncRun",
    "SyncRunStatus",
    "SyncTrigger",
    "monthly_calls_add",
    "monthly_calls_used",
]
