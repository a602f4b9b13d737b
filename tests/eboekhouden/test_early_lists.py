"""The short lists of a run asked at once: each stream takes its own, in its own order, as it did before."""

from __future__ import annotations

import threading

import pytest

from eboekhouden.client.dto import Side
from eboekhouden.sync.early import EarlyLists
from integrations.errors import TransientError

LISTS = ("ledgers", "relations", "cost_centres", "outstanding_items D", "outstanding_items C")


class Gateway:
    """Answers each list once every list has been asked (a barrier: only lists asked together get through), and
    records what was asked, in order."""

    def __init__(self, *, together: int = len(LISTS), failing: str | None = None) -> None:
        self.asked: list[str] = []
        self.failing = failing
        self._lock = threading.Lock()
        self._barrier = threading.Barrier(together, timeout=5)

    def _answer(self, name: str) -> list[str]:
        with self._lock:
            self.asked.append(name)
        self._barrier.wait()
        if name == self.failing:
            raise TransientError("e-Boekhouden could not be reached.")
        return [f"{name} 1", f"{name} 2"]

    def ledgers(self):
        yield from self._answer("ledgers")

    def relations(self):
        yield from self._answer("relations")

    def cost_centres(self):
        yield from self._answer("cost_centres")

    def outstanding_items(self, side):
        yield from self._answer(f"outstanding_items {side.value}")

    def has_mutations(self, first, last):
        return True


def test_the_first_ask_sends_every_short_list_at_once_and_each_is_taken_once():
    gateway = Gateway()
    lists = EarlyLists(gateway)
    try:
        assert list(lists.ledgers()) == ["ledgers 1", "ledgers 2"]  # the barrier passed: all five were asked
        assert sorted(gateway.asked) == sorted(LISTS)
        assert list(lists.outstanding_items(Side.CREDITORS)) == ["outstanding_items C 1", "outstanding_items C 2"]
        assert list(lists.relations()) == ["relations 1", "relations 2"]

        gateway._barrier = threading.Barrier(1)
        assert list(lists.relations()) == ["relations 1", "relations 2"]  # asked again: asked of the source again
        assert gateway.asked.count("relations") == 2
        assert lists.has_mutations(None, None) is True  # everything else goes to the gateway
    finally:
        lists.close()


def test_a_list_that_fails_raises_where_its_stream_takes_it():
    lists = EarlyLists(Gateway(failing="relations"))
    try:
        assert list(lists.ledgers()) == ["ledgers 1", "ledgers 2"]
        with pytest.raises(TransientError):
            list(lists.relations())
        assert list(lists.cost_centres()) == ["cost_centres 1", "cost_centres 2"]
    finally:
        lists.close()


def test_closing_a_run_that_stopped_early_waits_for_the_lists_in_flight():
    gateway = Gateway()
    lists = EarlyLists(gateway)
    assert list(lists.ledgers())
    lists.close()  # the others were never taken

    assert sorted(gateway.asked) == sorted(LISTS)
    lists.close()  # twice is harmless
