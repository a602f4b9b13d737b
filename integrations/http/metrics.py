"""Counting API calls per endpoint, so a sync can report what it used (providers meter calls, some by the month).

Every HTTP attempt counts, retries included: that is what the provider sees. Thread-safe, because the
concurrent detail fetch shares one counter between its workers.
"""

from __future__ import annotations

import threading
from collections import Counter


class CallCounter:
    """A thread-safe tally of requests keyed by ``"METHOD /path/{template}"`` (or an operation's name)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def add(self, endpoint: str) -> None:
        with self._lock:
            self._counts[endpoint] += 1

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self._counts.values())

    def snapshot(self) -> dict[str, int]:
        """A copy of the counts, safe to store in a SyncRun."""
        with self._lock:
            return dict(self._counts)

    def __getitem__(self, endpoint: str) -> int:
        with self._lock:
            return self._counts[endpoint]

    def __repr__(self) -> str:
        return f"CallCounter(total={self.total})"
