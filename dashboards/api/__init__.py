"""The read-only JSON API over the Outstanding Items dashboard: the open items and their aging."""
