"""Integrations' models: which provider an organisation uses, its connections, and their sync history."""

from .connection import Connection, ConnectionStatus, Integration
from .sync import SyncCursor, SyncRun, SyncRunStatus, SyncTrigger

__all__ = [
    "Connection",
    "ConnectionStatus",
    "Integration",
    "SyncCursor",
    "SyncRun",
    "SyncRunStatus",
    "SyncTrigger",
]
