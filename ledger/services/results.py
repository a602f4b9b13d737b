"""What a write service did, in counts a sync run can report: "+120 new, 3 changed, 1 deleted"."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WriteCounts:
    new: int = 0
    changed: int = 0
    deleted: int = 0
    unchanged: int = 0

    def __add__(self, other: WriteCounts) -> WriteCounts:
        return WriteCounts(
            new=self.new + other.new,
            changed=self.changed + other.changed,
            deleted=self.deleted + other.deleted,
            unchanged=self.unchanged + other.unchanged,
        )

    def __str__(self) -> str:
        return f"+{self.new} new, {self.changed} changed, {self.deleted} deleted, {self.unchanged} unchanged"

    def as_dict(self) -> dict[str, int]:
        return {"new": self.new, "changed": self.changed, "deleted": self.deleted, "unchanged": self.unchanged}
