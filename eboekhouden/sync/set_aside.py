"""Setting aside the source records an import cannot store, so that one bad record never stops the others.

A record is set aside when turning it into ledger records fails on a value (a date or term out of range, an amount
beyond the columns' precision, a mutation that cannot be booked) or when it names a record that was itself set
aside. Its entry, with the reason, is listed on the Data checks page and counted in the run; the next sync tries
the record again, and the entry goes once the record is stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import InvalidOperation
from typing import TYPE_CHECKING, TypeVar

from django.utils.translation import gettext_noop

from eboekhouden.client.dto import Unreadable
from integrations.sync.base import SET_ASIDE_LISTED, StreamCounts
from ledger.models import Administration
from ledger.records import RefusedValue, SetAsideEntry, SetAsideKind
from ledger.services import set_aside_record, set_aside_replace

if TYPE_CHECKING:
    from typing_extensions import TypeIs  # typing.TypeIs from Python 3.13 on

T = TypeVar("T")

# What a record's own values can raise while it is mapped: RefusedValue and MappingError are ValueErrors; decimal
# and date arithmetic on absurd values raise ArithmeticError (InvalidOperation, OverflowError).
REFUSED = (ValueError, ArithmeticError)
# Reasons, in English as the run stores them; shown translated (monitr.web.stored_text).
PAST_THE_CALENDAR = gettext_noop("A date or payment term in it runs past the end of the calendar.")
TOO_LARGE = gettext_noop("An amount in it is too large to calculate with.")


def reason_of(error: BaseException) -> str:
    """The reason people read for a refused record."""
    if isinstance(error, RefusedValue):
        return str(error)
    if isinstance(error, OverflowError):
        return PAST_THE_CALENDAR
    if isinstance(error, InvalidOperation):
        return TOO_LARGE
    text = str(error) or type(error).__name__
    return text if len(text) <= 300 else text[:297] + "..."


class SetAside:
    """The records of one kind that a stream set aside in this run, written when the stream is done with them."""

    def __init__(self, administration: Administration, kind: SetAsideKind, *, tried: set | None = None) -> None:
        self.administration, self.kind = administration, kind
        self.entries: dict[str, SetAsideEntry] = {}
        # Shared by the streams of one run: which records were already tried (see SourceState.set_aside_tried).
        self.tried = tried
        # The entries no earlier part of this run set aside: only these count in the run's history, so a record
        # that the balance check reads again after the mutations stream set it aside is not counted twice.
        self.first_seen: set[str] = set()

    def add(self, external_id: str, reason: str, *, label: str = "", record_date: dt.date | None = None) -> None:
        entry = SetAsideEntry(
            kind=self.kind, external_id=external_id, reason=reason, label=label, record_date=record_date
        )
        self.entries[entry.external_id] = entry
        key = (self.kind, entry.external_id)
        if self.tried is None or key not in self.tried:
            self.first_seen.add(entry.external_id)
        if self.tried is not None:
            self.tried.add(key)

    def took(self, item: object, *, record_date: dt.date | None = None) -> TypeIs[Unreadable]:
        """True, after setting it aside, when the gateway could not read ``item`` (an :class:`Unreadable`)."""
        if not isinstance(item, Unreadable):
            return False
        self.add(
            item.external_id, item.reason, label=f"{item.kind.capitalize()} {item.external_id}", record_date=record_date
        )
        return True

    def attempt(
        self, build: Callable[..., T], external_id: str, *, label: str = "", record_date: dt.date | None = None
    ) -> T | None:
        """``build()``, or None after setting the record aside with the reason it failed.

        ``build`` is called without arguments; it is typed ``Callable[..., T]`` so that a lambda binding loop values
        as defaults (``lambda item=item: ...``) is accepted by the type checker."""
        try:
            return build()
        except REFUSED as error:
            self.add(external_id, reason_of(error), label=label, record_date=record_date)
            return None

    def counts(self) -> StreamCounts:
        fresh = [e for e in self.entries.values() if e.external_id in self.first_seen]
        listed = fresh[:SET_ASIDE_LISTED]
        return StreamCounts(
            set_aside=len(fresh),
            set_aside_records=[{"record": e.label or e.external_id, "reason": e.reason} for e in listed],
        )

    def save(self) -> StreamCounts:
        """Record this run's entries (others of the kind are kept); the counts to add to the stream's."""
        if self.entries:
            set_aside_record(administration=self.administration, entries=self.entries.values())
        return self.counts()

    def replace(self) -> StreamCounts:
        """Make this run's entries the kind's only ones: for a stream that read every record of the kind."""
        set_aside_replace(administration=self.administration, kind=self.kind, entries=self.entries.values())
        return self.counts()
