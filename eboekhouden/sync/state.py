"""What the streams of one run learn and pass on: the chart of accounts' ids by code and category."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..mapping import VatLedgers


@dataclass
class SourceState:
    ledger_ids_by_code: dict[str, str] = field(default_factory=dict)
    ledgers_by_category: dict[str, list[str]] = field(default_factory=dict)
    # (kind, external id) of the records set aside in this run: the balance check reads again only the months of
    # records set aside by earlier runs, which this run has not tried yet.
    set_aside_tried: set[tuple[str, str]] = field(default_factory=set)

    @property
    def vat_ledgers(self) -> VatLedgers:
        return VatLedgers({category: ids[0] for category, ids in self.ledgers_by_category.items() if ids})

    def ledgers_of(self, *categories: str) -> list[str]:
        return [ledger for category in categories for ledger in self.ledgers_by_category.get(category, [])]
