"""The e-Boekhouden side of a sync: the streams that read one administration through the gateway and write it
through the ledger's services, in the order the engine runs them.

The order puts the first numbers first: the reference lists (a call or a few each), then the open items of both
sides and, on a first import, the source's balances per month (a call per month, concurrently); so within seconds
the Outstanding Items, the P&L, the balance sheet and the overview are complete and right, while the mutations (a
detail call each over REST: the long part) are still coming. Then the mutations, and last the check of balances.
See docs/eboekhouden.md, "The flow of one sync".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from integrations.http import RetryPolicy
from integrations.http.budget import MANUAL, SCHEDULED
from integrations.models import monthly_calls_add, monthly_calls_used

from .. import assumptions
from ..client.dto import SoapCredentials
from ..client.gateway import open_gateway
from ..client.soap import CallAllowance
from ..client.transport import credential_key
from .early import EarlyLists
from .kept import KeptMutations
from .month_balances import MonthBalancesStream
from .reference import ReferenceStreams
from .state import SourceState
from .streams import BalancesCheckStream, MutationsStream, OpenItemTermsStream, OutstandingItemsStream


class EboekhoudenSource:
    """One connected administration, opened for one run. Streams share the gateway and what earlier streams
    learned (the ledgers' ids by code and category, where the history starts)."""

    def __init__(
        self, credentials, *, gateway=None, wait=None, priority: int = SCHEDULED, since: float | None = None
    ) -> None:
        # ``wait`` (the engine's, which keeps the run's lock alive) replaces the client's sleep for Retry-After and
        # backoff pauses, in the retry policy and in the limiter that holds every fetch thread back after a 429.
        # ``priority`` and ``since`` (the run's start): where the run's requests queue for the budget all syncs share
        # (integrations.http.budget).
        options: dict[str, Any] = {"priority": priority, "since": since}
        if wait is not None:
            options["retry"] = RetryPolicy(sleep=wait)
        self._metered = isinstance(credentials, SoapCredentials) and gateway is None
        if self._metered:
            options["allowance"] = soap_allowance(credentials, priority=priority)
        self.gateway = gateway or open_gateway(credentials, **options)
        self._credentials = credentials
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

    def suspend(self) -> dict[str, Any]:
        """What the streams learned so far, kept in the run while it waits for its next slice."""
        return self.state.as_json()

    def resume(self, state: dict[str, Any]) -> None:
        """Go on with what an earlier slice of the run learned: every stream holds the one state object."""
        restored = SourceState.from_json(state)
        for name in ("ledger_ids_by_code", "ledgers_by_category", "set_aside_tried", "balances_set_aside"):
            setattr(self.state, name, getattr(restored, name))
        self.state._history_start = restored._history_start

    def close(self) -> None:
        try:
            self._lists.close()
        finally:
            try:
                self.gateway.close()
            finally:
                if self._metered:  # the login's calls this month, every run of every connection together
                    monthly_calls_add(
                        provider="eboekhouden",
                        credential=soap_credential(self._credentials),
                        day=timezone.localdate(),
                        calls=self.gateway.calls.total,
                    )


def soap_credential(credentials: SoapCredentials) -> str:
    return credential_key("soap", credentials.username)


def soap_allowance(credentials: SoapCredentials, *, priority: int) -> CallAllowance:
    """What the login may still call this month (``EBOEKHOUDEN_SOAP_CALLS_PER_MONTH``; see assumptions.py): a run a
    person asked for may use all of it, any other leaves ``SOAP_CALLS_KEPT_FOR_PEOPLE`` of it for them."""
    today = timezone.localdate()
    limit = settings.EBOEKHOUDEN_SOAP_CALLS_PER_MONTH
    next_month = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return CallAllowance(
        limit=limit,
        used=monthly_calls_used(provider="eboekhouden", credential=soap_credential(credentials), day=today),
        resets_at=dt.datetime.combine(next_month, dt.time(), tzinfo=timezone.get_current_timezone()),
        keep=0 if priority == MANUAL else int(limit * assumptions.SOAP_CALLS_KEPT_FOR_PEOPLE),
    )
