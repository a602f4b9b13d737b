"""Reading a month of mutations ahead while the month before it is written, so the fetch never drains between months.

Read one month after another, each month's fetch of details drains at its end: the last few dozen calls finish with
fewer and fewer in flight, and the next month's list call waits for all of them (bench/README.md, "What limits the
import"). A :class:`WindowPrefetch` reads one window in a thread of its own: it lists the window's headers, compares
them with the fingerprints the stream read for it beforehand (the stream's thread reads the database; this one only
the API), and fetches the details that differ on the gateway's fetch threads, the same ones the window before it is
using, into a bounded buffer. The stream takes the headers and the details from it when it writes the window.

A window read ahead lists its headers at once but fetches its details only once the window before it is in its last
round (fewer of its details to come than the gateway has in flight): until then the slots are the earlier window's,
which the stream writes first. Shared first come, first served, the two windows took turns, so both ended together
and the window after them started only then, with nothing in flight while it was listed: about 70 ms every two
months, 4 % of a first import (bench/README.md, "Against the API's floor"). In turn, the next window fills the slots
the one before frees in its last round, and is listed while that one still fetches.

What the stream keeps: it writes, deletes and moves its cursor window by window, in order, exactly as without the
prefetch; a window's error (a list call or a detail that fails for good) is raised when the stream reaches that
window, after the windows before it are committed.
"""

from __future__ import annotations

import datetime as dt
import queue
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..client.dto import Mutation, MutationHeader, Unreadable
from ..mapping import header_fingerprint

# How many fetched mutations a window read ahead may hold before its fetch waits for the stream (about ten rounds of
# the 32 detail calls in flight: enough to keep them busy while the stream finishes the window before; a few MB).
BUFFER = 320


def compare(headers: Iterable[MutationHeader | Unreadable], stored: dict[str, str]) -> tuple[dict[int, str], int]:
    """``({id: fingerprint} of the mutations whose detail to fetch, how many are unchanged)``: the listed mutations
    whose fingerprint differs from the stored one. An unreadable header and the opening balance (listed whole) are
    neither."""
    wanted: dict[int, str] = {}
    unchanged = 0
    for header in headers:
        if isinstance(header, Unreadable) or header.is_opening_balance:
            continue
        fingerprint = header_fingerprint(header)
        if stored.get(str(header.id)) == fingerprint:
            unchanged += 1
        else:
            wanted[header.id] = fingerprint
    return wanted, unchanged


@dataclass(frozen=True)
class Listed:
    """A window's headers, as listed, and what they were compared with."""

    headers: list[MutationHeader | Unreadable]
    wanted: dict[int, str]
    unchanged: int


@dataclass(frozen=True)
class _Failed:
    error: BaseException


_END = object()


class WindowPrefetch:
    """One window (``first`` to ``last``) read in a thread of its own: its headers, then its wanted details.

    ``stored`` is ``{external id: fingerprint}`` of the window's stored transactions (empty to fetch every detail).
    Use :meth:`listed` and then :meth:`details` once each, from the stream's thread; :meth:`close` always (it stops
    the reading if the stream stopped first)."""

    def __init__(
        self,
        gateway: Any,
        first: dt.date,
        last: dt.date,
        stored: dict[str, str],
        *,
        buffer: int = BUFFER,
        after: threading.Event | None = None,
    ) -> None:
        self.gateway, self.first, self.last, self.stored = gateway, first, last, stored
        self._results: queue.Queue[Any] = queue.Queue(maxsize=buffer)
        self._listed: Listed | _Failed | None = None
        self._listed_event = threading.Event()
        self._stop = threading.Event()
        # Set once this window's details are in their last round (or its reading ended, however): the window read
        # after it, given it as ``after``, starts fetching then.
        self.last_round = threading.Event()
        self._after = after
        self._round = max(1, getattr(gateway, "parallelism", 1))
        self._thread = threading.Thread(target=self._read, name=f"eboekhouden-ahead-{first:%Y-%m}", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            self._read_window()
        finally:
            self.last_round.set()  # however the reading ended, the window after this one need not wait for it

    def _read_window(self) -> None:
        try:
            headers = list(self.gateway.mutation_headers(self.first, self.last))
            wanted, unchanged = compare(headers, self.stored)
            listed = Listed(headers, wanted, unchanged)
        except BaseException as error:  # handed to the stream's thread, raised there
            self._listed = _Failed(error)
            self._listed_event.set()
            return
        self._listed = listed
        self._listed_event.set()
        if not self._turn():
            return
        details = self.gateway.mutations(list(wanted))
        to_come = len(wanted)
        if to_come < self._round:
            self.last_round.set()
        try:
            for mutation in details:
                to_come -= 1
                if to_come < self._round:
                    self.last_round.set()
                if not self._put(mutation):
                    return
            self._put(_END)
        except BaseException as error:
            self._put(_Failed(error))
        finally:
            close = getattr(details, "close", None)
            if close is not None:
                close()  # a generator's: what is still pending is cancelled, what runs is waited for

    def _turn(self) -> bool:
        """Wait until the window before this one is in its last round; False when the stream stopped the reading."""
        while not self._stop.is_set():
            if self._after is None or self._after.wait(timeout=0.1):
                return True
        return False

    def _put(self, item: object) -> bool:
        """Hand ``item`` over, waiting while the buffer is full; False when the stream stopped the reading."""
        while not self._stop.is_set():
            try:
                self._results.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def listed(self) -> Listed:
        """The window's headers and which details are wanted, once listed; raises what listing raised."""
        self._listed_event.wait()
        assert self._listed is not None
        if isinstance(self._listed, _Failed):
            raise self._listed.error
        return self._listed

    def details(self) -> Iterator[Mutation | Unreadable]:
        """The wanted mutations as they arrive (a vanished one left out); raises what fetching raised."""
        while True:
            item = self._results.get()
            if item is _END:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item

    def close(self) -> None:
        """Stop reading (if still at it) and wait for the thread, which waits for the calls it has in flight."""
        self._stop.set()
        self._thread.join()
