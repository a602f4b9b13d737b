"""What a write service did, in counts a sync run can report: "+120 new, 3 changed, 1 deleted".

The one type of these counts everywhere: the write services return it, a bulk upsert's outcome
(``bulk.UpsertOutcome``) and a sync stream's counts (``integrations.sync.base.StreamCounts``) extend it, and a sync
run stores it per stream as :meth:`WriteCounts.as_dict` (``SyncRun.counts``; the history page and the API show that
JSON as it is).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Self

COUNT_KEYS = ("new", "changed", "deleted", "unchanged")


@dataclass(slots=True)
class WriteCounts:
    new: int = 0
    changed: int = 0
    deleted: int = 0
    unchanged: int = 0

    @classmethod
    def of(cls, counts: WriteCounts) -> Self:
        """The four counts of ``counts`` (any WriteCounts, whatever else a subclass holds) as a ``cls``."""
        return cls(**{key: getattr(counts, key) for key in COUNT_KEYS})

    @classmethod
    def total(cls, stored: Iterable[Mapping[str, Any]]) -> Self:
        """The sum of counts stored as :meth:`as_dict` (a sync run's per stream); a missing count is 0."""
        stored = list(stored)
        return cls(**{key: sum(counts.get(key, 0) for counts in stored) for key in COUNT_KEYS})

    def __add__(self, other: WriteCounts) -> WriteCounts:
        return WriteCounts(**{key: getattr(self, key) + getattr(other, key) for key in COUNT_KEYS})

    def __iadd__(self, other: WriteCounts) -> Self:
        for key in COUNT_KEYS:
            setattr(self, key, getattr(self, key) + getattr(other, key))
        return self

    def __str__(self) -> str:
        return f"+{self.new} new, {self.changed} changed, {self.deleted} deleted, {self.unchanged} unchanged"

    def as_dict(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in COUNT_KEYS}
