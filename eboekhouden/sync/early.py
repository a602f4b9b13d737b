"""The run's gateway, which asks for every short list of a run at once, when the first of them is asked for.

Each sync begins with lists of a call or a few each, read one after another by the streams that write them: the
chart of accounts, the relations, the cost centres and the open items of both sides. Asked one by one, each waits
out the source's latency on its own while the gateway could have 32 calls in flight: five round trips before the
open items are in, about a third of a second at 50 ms (bench/README.md, "Against the API's floor"). Asked together,
they cost one.

So the first ask of any of them sends all of them, each on a thread of its own, and each stream takes its list when
it comes to it, in the order it did before: what is written, and when, does not change, only when it was asked.
Every run reads all of these lists anyway (they are full refreshes), so this asks for nothing that was not asked
before. A list asked again in the same run is asked again of the source.

A failure is raised where the stream takes its list, as it was raised from the call before; a run that stops before
taking a list stops its call with it (:meth:`EarlyLists.close` waits for what is in flight).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Any

from ..client.dto import CostCentre, Ledger, OutstandingItem, Relation, Side, Unreadable


class EarlyLists:
    """A bookkeeping gateway (see :class:`~eboekhouden.client.gateway.BookkeepingGateway`) around the run's own:
    every call goes to it, but the first ask of a short list sends every one at once (see the module's text)."""

    def __init__(self, gateway: Any) -> None:
        self.gateway = gateway
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._asked: dict[Hashable, Future[list[Any]]] | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.gateway, name)

    def __repr__(self) -> str:
        return f"EarlyLists({self.gateway!r})"

    def _lists(self) -> dict[Hashable, Callable[[], Iterator[Any]]]:
        gateway = self.gateway
        return {
            "ledgers": gateway.ledgers,
            "relations": gateway.relations,
            "cost_centres": gateway.cost_centres,
            **{("outstanding_items", side): partial(gateway.outstanding_items, side) for side in Side},
        }

    def _take(self, key: Hashable) -> list[Any]:
        with self._lock:
            if self._asked is None:
                lists = self._lists()
                self._pool = ThreadPoolExecutor(max_workers=len(lists), thread_name_prefix="eboekhouden-lists")
                self._asked = {name: self._pool.submit(_listed, ask) for name, ask in lists.items()}
            asked = self._asked.pop(key, None)
        return asked.result() if asked is not None else _listed(self._lists()[key])

    def ledgers(self) -> Iterator[Ledger | Unreadable]:
        return iter(self._take("ledgers"))

    def relations(self) -> Iterator[Relation | Unreadable]:
        return iter(self._take("relations"))

    def cost_centres(self) -> Iterator[CostCentre | Unreadable]:
        return iter(self._take("cost_centres"))

    def outstanding_items(self, side: Side) -> Iterator[OutstandingItem | Unreadable]:
        return iter(self._take(("outstanding_items", side)))

    def close(self) -> None:
        """Stop the lists not started yet and wait for those in flight (a run that stopped before taking them)."""
        with self._lock:
            pool, self._pool, self._asked = self._pool, None, {}
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _listed(ask: Callable[[], Iterator[Any]]) -> list[Any]:
    return list(ask())
