"""What the streams of one run learn and pass on: the chart of accounts' ids by code and category, where the history
starts, and the balances set aside."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from ledger.models import SetAsideKind
from ledger.records import SetAsideEntry

from ..mapping import VatLedgers
from .windows import earliest_date

_NOT_SEARCHED = object()


@dataclass
class SourceState:
    ledger_ids_by_code: dict[str, str] = field(default_factory=dict)
    ledgers_by_category: dict[str, list[str]] = field(default_factory=dict)
    # (kind, external id) of the records set aside in this run: the balance check reads again only the months of
    # records set aside by earlier runs, which this run has not tried yet.
    set_aside_tried: set[tuple[str, str]] = field(default_factory=set)
    # The month balances the balances-per-month stream set aside in this run: the check, which makes the balances'
    # entries its own at the end, keeps them listed (the check reads other periods).
    balances_set_aside: dict[str, SetAsideEntry] = field(default_factory=dict)
    _history_start: object = field(default=_NOT_SEARCHED, repr=False)

    def as_json(self) -> dict[str, Any]:
        """What a run pausing between slices keeps (``SyncRun.resume``), for :meth:`from_json` in the next slice."""
        start = self._history_start
        searched = None if start is _NOT_SEARCHED else cast(dt.date | None, start)
        return {
            "ledger_ids_by_code": self.ledger_ids_by_code,
            "ledgers_by_category": self.ledgers_by_category,
            "set_aside_tried": sorted([kind, external_id] for kind, external_id in self.set_aside_tried),
            "balances_set_aside": {
                name: {
                    "kind": str(entry.kind),
                    "external_id": entry.external_id,
                    "reason": entry.reason,
                    "label": entry.label,
                    "record_date": entry.record_date.isoformat() if entry.record_date else None,
                }
                for name, entry in self.balances_set_aside.items()
            },
            "history_start": "unsearched" if start is _NOT_SEARCHED else (searched.isoformat() if searched else None),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SourceState:
        start = data.get("history_start", "unsearched")
        return cls(
            ledger_ids_by_code=dict(data.get("ledger_ids_by_code", {})),
            ledgers_by_category={k: list(v) for k, v in data.get("ledgers_by_category", {}).items()},
            set_aside_tried={(kind, external_id) for kind, external_id in data.get("set_aside_tried", [])},
            balances_set_aside={
                name: SetAsideEntry(
                    kind=SetAsideKind(entry["kind"]),
                    external_id=entry["external_id"],
                    reason=entry["reason"],
                    label=entry["label"],
                    record_date=dt.date.fromisoformat(entry["record_date"]) if entry["record_date"] else None,
                )
                for name, entry in data.get("balances_set_aside", {}).items()
            },
            _history_start=_NOT_SEARCHED
            if start == "unsearched"
            else (dt.date.fromisoformat(start) if start else None),
        )

    @property
    def vat_ledgers(self) -> VatLedgers:
        return VatLedgers({category: ids[0] for category, ids in self.ledgers_by_category.items() if ids})

    def ledgers_of(self, *categories: str) -> list[str]:
        return [ledger for category in categories for ledger in self.ledgers_by_category.get(category, [])]

    def history_searched(self) -> bool:
        """Whether this run searched for the history's first day (a first import): nothing is dated before it."""
        return self._history_start is not _NOT_SEARCHED

    def history_start(self, gateway) -> dt.date | None:
        """The first day of the history (None: no mutation at all), searched once per run through ``gateway`` (a
        few rounds of list calls, the gateway's parallelism at a time): both the balances per month and the
        mutations of a first import need it."""
        if self._history_start is _NOT_SEARCHED:
            self._history_start = earliest_date(gateway.has_mutations_each, gateway.parallelism)
        return self._history_start  # type: ignore[return-value]
