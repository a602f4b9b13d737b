"""The run's gateway, which hands out the mutations fetched earlier in the run before it asks the source again.

The open items come before the mutations (so that a first import shows them within seconds), yet their due dates
need their invoices' payment terms, which only a mutation's detail carries (REST). The open items stream fetches the
details of the invoices not stored yet (every one, on a first import) and keeps them here; the mutations stream,
which asks this same gateway for the details of its windows, gets those from here instead of from e-Boekhouden. So
no detail is fetched twice, and the calls a sync makes are the calls it made before, some of them earlier.

A kept mutation is handed out once. One that the source changed after it was fetched is not handed out where its
window's list shows the change: its header (listed later) with another date, type, ledger or invoice number drops
it, and it is fetched again. A change the list does not show (a description, a term) is what the list never shows:
the rotating re-read reads it, as it would any other.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from ..client.dto import Mutation, MutationHeader, Unreadable


class KeptMutations:
    """A bookkeeping gateway (see :class:`~eboekhouden.client.gateway.BookkeepingGateway`) around the run's own:
    every call goes to it, but ``mutations`` and ``mutation`` first hand out what :meth:`fetch_and_keep` kept."""

    def __init__(self, gateway: Any) -> None:
        self.gateway = gateway
        self._kept: dict[int, Mutation | Unreadable] = {}
        # The mutations stream may fetch from more than one thread (a window read ahead while one is written).
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.gateway, name)

    def __repr__(self) -> str:
        return f"KeptMutations({self.gateway!r})"

    @property
    def kept(self) -> int:
        with self._lock:
            return len(self._kept)

    def fetch_and_keep(self, mutation_ids: Iterable[int]) -> Iterator[Mutation | Unreadable]:
        """The mutations, fetched concurrently as ``mutations`` fetches them, and kept for the next ask."""
        for mutation in self.gateway.mutations(mutation_ids):
            key = mutation.id if isinstance(mutation, Mutation) else _key(mutation.external_id)
            if key is not None:
                with self._lock:
                    self._kept[key] = mutation
            yield mutation

    def mutation_headers(self, date_from: dt.date, date_to: dt.date) -> Iterator[MutationHeader | Unreadable]:
        for header in self.gateway.mutation_headers(date_from, date_to):
            if isinstance(header, MutationHeader) and header.id and self._kept:
                with self._lock:
                    kept = self._kept.get(header.id)
                    if isinstance(kept, Mutation) and not _agrees(kept, header):
                        del self._kept[header.id]  # changed since it was fetched: fetched again when asked
            yield header

    def mutation(self, mutation_id: int) -> Mutation | Unreadable:
        with self._lock:
            kept = self._kept.pop(mutation_id, None)
        return kept if kept is not None else self.gateway.mutation(mutation_id)

    def mutations(self, mutation_ids: Iterable[int]) -> Iterator[Mutation | Unreadable]:
        wanted = list(dict.fromkeys(mutation_ids))
        with self._lock:
            served = [self._kept.pop(i) for i in wanted if i in self._kept] if self._kept else []
        yield from served
        if len(served) == len(wanted):
            return
        taken = {m.id if isinstance(m, Mutation) else _key(m.external_id) for m in served}
        yield from self.gateway.mutations(i for i in wanted if i not in taken)


def _key(external_id: str) -> int | None:
    try:
        return int(external_id)
    except ValueError:
        return None


def _agrees(mutation: Mutation, header: MutationHeader) -> bool:
    """Does the listed header show the mutation as it was fetched? (The fields both of them hold.)"""
    return (
        mutation.date == header.date
        and mutation.type == header.type
        and mutation.ledger_id == header.ledger_id
        and (mutation.invoice_number or None) == (header.invoice_number or None)
    )
