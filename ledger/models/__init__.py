"""The ledger's models: provider-neutral books, each belonging to one Administration of one organisation."""

from .administration import Administration

__all__ = ["Administration"]
