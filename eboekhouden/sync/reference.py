"""The full-refresh streams: chart of accounts, relations and cost centres."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from integrations.sync.base import Stream, StreamContext, StreamCounts
from ledger.records import AccountKind, AccountRecord, CostCenterRecord, RelationRecord
from ledger.services import accounts_upsert, cost_centers_upsert, relations_upsert

from .state import SourceState

# e-Boekhouden's categories that belong to the profit and loss account; every other one is a balance-sheet account.
PROFIT_AND_LOSS_CATEGORIES = {"VW"}


def _counts(result) -> StreamCounts:
    return StreamCounts(new=result.new, changed=result.changed, deleted=result.deleted, unchanged=result.unchanged)


class _FullRefresh(Stream):
    def __init__(self, name: str, label: str, run: Callable[[StreamContext], Any]) -> None:
        self.name, self.label, self._run = name, label, run

    def run(self, ctx: StreamContext) -> StreamCounts:
        return _counts(self._run(ctx))


class ReferenceStreams:
    def __init__(self, gateway, state: SourceState) -> None:
        self.gateway, self.state = gateway, state
        self.ledgers = _FullRefresh("ledgers", "Chart of accounts", self._ledgers)
        self.relations = _FullRefresh("relations", "Relations", self._relations)
        self.cost_centres = _FullRefresh("cost_centres", "Cost centres", self._cost_centres)

    def _ledgers(self, ctx: StreamContext):
        def records() -> Iterable[AccountRecord]:
            for ledger in self.gateway.ledgers():
                external_id = str(ledger.id)
                category = (ledger.category or "").upper()
                self.state.ledger_ids_by_code[ledger.code] = external_id
                self.state.ledgers_by_category.setdefault(category, []).append(external_id)
                yield AccountRecord(
                    external_id=external_id,
                    code=ledger.code,
                    name=ledger.description or ledger.code,
                    kind=AccountKind.PROFIT_AND_LOSS
                    if category in PROFIT_AND_LOSS_CATEGORIES
                    else AccountKind.BALANCE_SHEET,
                    category=category,
                    group=ledger.group or "",
                )

        return accounts_upsert(administration=ctx.administration, rows=records())

    def _relations(self, ctx: StreamContext):
        rows = (
            RelationRecord(
                external_id=str(r.id),
                code=r.code or "",
                name=r.name or r.code or "",
                relation_type=r.type or "",
                payment_term_days=r.term_of_payment or None,
            )
            for r in self.gateway.relations()
        )
        return relations_upsert(administration=ctx.administration, rows=rows)

    def _cost_centres(self, ctx: StreamContext):
        rows = (
            CostCenterRecord(
                external_id=str(c.id),
                name=c.description or str(c.id),
                parent_external_id=str(c.parent_id) if c.parent_id else "",
                active=c.active is not False,
            )
            for c in self.gateway.cost_centres()
        )
        return cost_centers_upsert(administration=ctx.administration, rows=rows)
