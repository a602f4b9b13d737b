"""What a provider hands the sync engine: a source of streams, and what each stream reports back.

One small class per stream (ledgers, relations, mutations, ...), as in the Singer SDK: the engine gives each stream a
:class:`StreamContext` to read and save its cursor and report progress, and the stream returns its
:class:`StreamCounts`. Streams write through ``ledger`` services, so a re-run never duplicates a row.
"""

from __future__ import annotations

import abc
import datetime as dt
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, Self

from ledger.imports import Arrival
from ledger.models import Administration
from ledger.services import WriteCounts

# A run's history lists this many set-aside records per stream; the Data checks page lists them all.
SET_ASIDE_LISTED = 50


@dataclass(slots=True)
class StreamCounts(WriteCounts):
    """What a stream did: the ledger's counts, and ``set_aside``, the source records it could not store (each kept,
    with its reason, for the Data checks page); ``set_aside_records`` names the first of them, ``{"record",
    "reason"}``, for the run."""

    set_aside: int = 0
    set_aside_records: list[dict[str, str]] = field(default_factory=list)

    def __iadd__(self, other: WriteCounts) -> Self:
        """Adds a write service's counts, or another stream's with its records set aside."""
        # Named rather than super(): slots=True makes a new class, which a bare super() does not know (Python < 3.14).
        WriteCounts.__iadd__(self, other)
        if isinstance(other, StreamCounts):
            self.set_aside += other.set_aside
            room = SET_ASIDE_LISTED - len(self.set_aside_records)
            self.set_aside_records += other.set_aside_records[: max(room, 0)]
        return self

    def as_dict(self) -> dict[str, Any]:
        counts = WriteCounts.as_dict(self)
        if self.set_aside:
            counts["set_aside"] = self.set_aside
            counts["set_aside_records"] = list(self.set_aside_records)
        return counts

    def log_fields(self) -> dict[str, int]:
        """The counts as log fields: numbers only, never the records' names (payloads stay out of logs)."""
        return {key: value for key, value in self.as_dict().items() if key != "set_aside_records"}


@dataclass(slots=True)
class StreamContext:
    """What a stream may use during a run. ``save_cursor`` is to be called only after the data it covers is
    committed; ``progress`` is cheap to call often (the engine throttles the writes)."""

    administration: Administration
    cursor: dict[str, Any]
    full: bool
    since: dt.date | None
    today: dt.date
    lookback_days: int
    save_cursor: Callable[[dict[str, Any]], None]
    # progress(done, total, estimated=False): ``estimated`` says the total is a guess that may still change.
    progress: Callable[..., None]
    # Every stored record the source can show more of than its list is read again at least this often.
    reread_days: int = 30
    # True once the run's slice has had its time: a long stream stops at its next committed step by raising
    # :class:`SliceOver`, and the run goes on in another task, from the cursor it saved.
    slice_over: Callable[[], bool] = lambda: False
    # The run goes on from where its previous slice stopped: the cursor is this run's own, read no look-back again.
    resumed: bool = False


class SliceOver(Exception):
    """Raised by a stream between two committed steps when ``ctx.slice_over()``: the run pauses there and is queued
    again behind the others. ``counts`` is what the stream did in this slice."""

    def __init__(self, counts: StreamCounts) -> None:
        super().__init__("the slice's time is up")
        self.counts = counts


class RecordKind(enum.StrEnum):
    """What the records a stream writes are, in the ledger's words: a run's summary counts them per kind
    ("12 accounts, 45 relations, 1,562 transactions"). A stream that only checks writes no kind."""

    ACCOUNTS = "accounts"
    RELATIONS = "relations"
    COST_CENTRES = "cost_centres"
    OPEN_ITEMS = "open_items"
    TRANSACTIONS = "transactions"
    MONTH_BALANCES = "month_balances"


class Stream(abc.ABC):
    name: str
    label: str  # what the progress bar says while this stream runs
    # The part of the books that is complete once this stream has run (pages wait for it during a first import).
    brings: Arrival | None = None
    records: RecordKind | None = None  # what it writes, for the run's summary

    @abc.abstractmethod
    def run(self, ctx: StreamContext) -> StreamCounts: ...


class SyncSource(Protocol):
    """One connected administration's data at the provider, opened for one run."""

    streams: Sequence[Stream]

    def api_calls(self) -> dict[str, int]:
        """API calls made so far in this run, per endpoint."""
        ...

    def close(self) -> None: ...


class ResumableSource(SyncSource, Protocol):
    """A source whose streams pass on what they learn (ids, where the history starts): to pause a run between
    slices, the engine keeps :meth:`suspend`'s JSON in the run and hands it to the next slice's :meth:`resume`."""

    def suspend(self) -> dict[str, Any]: ...

    def resume(self, state: dict[str, Any]) -> None: ...
