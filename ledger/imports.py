"""First imports in progress, as the pages that read the books see them: what is in, what is still coming, how far.

While an administration's first import runs, its books are filling up: a page must not show a figure that is not true
yet. The sync engine lives above the ledger (``integrations``), so it registers a reader here, as providers declare
their capabilities in ``ledger.capabilities``; pages ask :func:`first_imports` knowing neither the integrations nor any
provider. Without a reader (a project with no sync engine), nothing is ever importing.

An import says which of the books' parts (:class:`Arrival`) each of its steps completes; a part whose step has not
finished is still coming.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from .models import Administration


class Arrival(StrEnum):
    """A part of the books that a first import completes at once, and that pages wait for."""

    OUTSTANDING_ITEMS = "outstanding_items"  # every open item of both sides
    BALANCES = "balances"  # every account's balance per month: the statements and the overview
    TRANSACTIONS = "transactions"  # every transaction with its lines
    CHECKS = "checks"  # the comparison of the imported books with the source's own totals


@dataclass(frozen=True, slots=True)
class ImportStep:
    label: str  # what the step is called where the import's progress is shown ("Relations", "Transactions")
    brings: Arrival | None  # the part of the books it completes, if any
    state: str  # "done", "running" or "coming"


@dataclass(frozen=True, slots=True)
class FirstImport:
    """The first import of one administration, as it stands."""

    administration: Administration
    steps: tuple[ImportStep, ...]
    done: int  # the running step's progress
    total: int
    estimated: bool  # ``total`` is an estimate (it may still change; it never falls below ``done``)

    @property
    def running(self) -> ImportStep | None:
        return next((s for s in self.steps if s.state == "running"), None)

    @property
    def finished_steps(self) -> list[ImportStep]:
        return [s for s in self.steps if s.state == "done"]

    @property
    def coming_steps(self) -> list[ImportStep]:
        return [s for s in self.steps if s.state != "done"]

    def has(self, arrival: Arrival) -> bool:
        """Whether that part of the books is complete; a part no step brings is taken as complete."""
        return all(s.state == "done" for s in self.steps if s.brings == arrival)

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.total)) if self.total else 0


# Given the administrations a page shows that were never imported, their first imports running now (by id).
Reader = Callable[[Sequence[Administration]], dict[int, FirstImport]]
_READER: list[Reader] = []


def register_reader(reader: Reader) -> None:
    _READER[:] = [reader]


@dataclass(frozen=True, slots=True)
class FirstImports:
    """Of the administrations a page shows, those whose first import is running."""

    running: tuple[FirstImport, ...]
    named: bool = False  # the page shows more than one administration: each import is named

    def __bool__(self) -> bool:
        return bool(self.running)

    def waiting_for(self, arrival: Arrival) -> tuple[FirstImport, ...]:
        """The imports that have not brought ``arrival`` yet: while there is one, the page's figures are not true."""
        return tuple(i for i in self.running if not i.has(arrival))

    def missing(self, arrival: Arrival) -> bool:
        return bool(self.waiting_for(arrival))


def first_imports(*, administrations: Iterable[Administration]) -> FirstImports:
    """The first imports running for ``administrations``; asks nothing when each was imported before."""
    shown = list(administrations)
    never = [a for a in shown if a.last_imported_at is None]
    if not never or not _READER:
        return FirstImports(running=())
    found = _READER[0](never)
    return FirstImports(running=tuple(found[a.pk] for a in never if a.pk in found), named=len(shown) > 1)
