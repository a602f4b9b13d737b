"""The e-Boekhouden side of a sync: the streams that read one administration through the gateway and write it
through the ledger's services, in the order the engine runs them."""

from __future__ import annotations

from typing import Any

from integrations.http import RetryPolicy

from ..client.gateway import open_gateway
from .reference import ReferenceStreams
from .state import SourceState
from .streams import BalancesCheckStream, MutationsStream, OutstandingItemsStream


class EboekhoudenSource:
    """One connected administration, opened for one run. Streams share the gateway and what earlier streams
    learned (the ledgers' ids by code and category)."""

    def __init__(self, credentials, *, gateway=None, wait=None) -> None:
        # ``wait`` (the engine's, which keeps the run's lock alive) replaces the client's sleep for Retry-After and
        # backoff pauses, in the retry policy and in the limiter that holds every fetch thread back after a 429.
        options: dict[str, Any] = {} if wait is None else {"retry": RetryPolicy(sleep=wait)}
        self.gateway = gateway or open_gateway(credentials, **options)
        self.state = SourceState()
        reference = ReferenceStreams(self.gateway, self.state)
        mutations = MutationsStream(self.gateway, self.state)
        self.streams = [
            reference.ledgers,
            reference.relations,
            reference.cost_centres,
            mutations,
            OutstandingItemsStream(self.gateway, self.state),
            BalancesCheckStream(self.gateway, self.state, mutations),
        ]

    def api_calls(self) -> dict[str, int]:
        return dict(self.gateway.calls.snapshot())

    def close(self) -> None:
        self.gateway.close()
