"""The e-Boekhouden side of a sync: the streams that read one administration through the gateway and write it
through the ledger's services, in the order the engine runs them.

The order puts the first numbers first: the reference lists (a call or a few each), then the open items of both
sides and, on a first import, the source's balances per month (a call per month, concurrently); so within seconds
the Outstanding Items, the P&L, the balance sheet and the overview are complete and right, while the mutations (a
detail call each over REST: the long part) are still coming. Then the mutations, and last the check of balances.
See docs/eboekhouden.md, "The flow of one sync".
"""

from __future__ import annotations

from typing import Any

from integrations.http import RetryPolicy

from ..client.gateway import open_gateway
from .early import EarlyLists
from .kept import KeptMutations
from .month_balances import MonthBalancesStream
from .reference import ReferenceStreams
from .state import SourceState
from .streams import BalancesCheckStream, MutationsStream, OpenItemTermsStream, OutstandingItemsStream


class EboekhoudenSource:
    """One connected administration, opened for one run. Streams share the gateway and what earlier streams
    learned (the ledgers' ids by code and category, where the history starts)."""

    def __init__(self, credentials, *, gateway=None, wait=None) -> None:
        # ``wait`` (the engine's, which keeps the run's lock alive) replaces the client's sleep for Retry-After and
        # backoff pauses, in the retry policy and in the limiter that holds every fetch thread back after a 429.
        options: dict[str, Any] = {} if wait is None else {"retry": RetryPolicy(sleep=wait)}
        self.gateway = gateway or open_gateway(credentials, **options)
        self.state = SourceState()
        # The short lists (chart, relations, cost centres, open items) are asked for at once, when the first is.
        self._lists = EarlyLists(self.gateway)
        # The open items' invoices fetched early are kept in it for the mutations stream: no detail is fetched twice.
        kept = KeptMutations(self._lists)
        reference = ReferenceStreams(kept, self.state)
        open_items = OutstandingItemsStream(kept, self.state)
        mutations = MutationsStream(kept, self.state)
        self.streams = [
            reference.ledgers,
            reference.relations,
            reference.cost_centres,
            open_items,
            MonthBalancesStream(kept, self.state),
            OpenItemTermsStream(open_items),
            mutations,
            BalancesCheckStream(kept, self.state, mutations, open_items),
        ]

    def api_calls(self) -> dict[str, int]:
        return dict(self.gateway.calls.snapshot())

    def close(self) -> None:
        try:
            self._lists.close()
        finally:
            self.gateway.close()
