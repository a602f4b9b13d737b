"""The balances per month: while a first import's mutations are still coming (a detail call each, the long part),
the statements read e-Boekhouden's own balance of every ledger and month, so the P&L, the balance sheet and the
overview are right within seconds.

Which months: those after ``Administration.lines_complete_through``, the day up to which every line is stored. A
first import (lines complete by default, and no transaction stored yet) sets that day back to before the history's
first month, which the stream finds by the same search as the mutations stream (done once per run, through
``SourceState``); an import that stopped half-way has left it where its last committed window ended. The mutations
stream moves it on window by window and marks the lines complete after the last one. So once a first import has
finished, this stream makes no call at all.

Each month is one balances call, ``gateway.balances(first, last)``; the current month's runs on to the open end,
as the mutations stream's last window does, so that mutations dated ahead are in it, and is stored at the current
month. The calls go out concurrently (at most the gateway's parallelism at once) and the months are written as
they arrive, a year's worth at a time (``MONTHS_PER_WRITE``), with
``ledger.services.monthly_balances_from_source_months``. That the source's balances of a month equal the month's
lines (the opening balance included, in its month) is what the check compares every sync; see
``eboekhouden/assumptions.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext_noop

from integrations.sync.base import RecordKind, Stream, StreamContext, StreamCounts
from ledger.imports import Arrival
from ledger.records import SetAsideKind, checked_amount
from ledger.selectors import transactions_exist
from ledger.services import lines_complete_reset, monthly_balances_from_source_months
from monitr.web.stored_text import stored_pattern

from ..client.dto import LedgerBalance, Unreadable
from .set_aside import REFUSED, SetAside, reason_of
from .state import SourceState
from .windows import monthly_windows

ZERO = Decimal("0.00")

# Months written together, in one database transaction of three statements: a month alone cost as much as a
# small administration's whole window of mutations; a year at a time keeps the first numbers within a round trip.
MONTHS_PER_WRITE = 12


# How a balance set aside is named in the sync history, in English as the run stores it; shown translated
# (monitr.web.stored_text).
LEDGER_BALANCE = stored_pattern(gettext_noop("Balance of ledger %(code)s, %(start)s to %(end)s"))


def source_balances(
    balances: Iterable[LedgerBalance | Unreadable],
    state: SourceState,
    set_aside: SetAside,
    start: dt.date,
    end: dt.date,
) -> tuple[dict[str, Decimal], set[str]]:
    """({ledger id: balance}, the ledgers whose balance cannot be stored) of one balances call over ``start`` to
    ``end``. A balance the gateway could not read, or one beyond what is stored, is set aside with its reason (the
    ledger then left out: a made-up figure would be worse than none); a ledger the chart does not hold is left
    out."""
    found: dict[str, Decimal] = {}
    codes: dict[str, str] = {}
    unreadable: set[str] = set()

    def refused(ledger: str, code: str, error: BaseException) -> None:
        set_aside.add(
            f"{code}:{start.isoformat()}:{end.isoformat()}",
            reason_of(error),
            label=LEDGER_BALANCE % {"code": code, "start": start.isoformat(), "end": end.isoformat()},
        )
        unreadable.add(ledger)

    for balance in balances:
        if set_aside.took(balance):
            continue
        ledger = str(balance.ledger_id) if balance.ledger_id else state.ledger_ids_by_code.get(balance.ledger_code)
        if ledger is None:
            continue
        codes[ledger] = balance.ledger_code or ledger
        try:
            amount = checked_amount(balance.balance, "balance")
        except REFUSED as error:
            refused(ledger, codes[ledger], error)
            continue
        found[ledger] = found.get(ledger, ZERO) + amount
    for ledger, amount in list(found.items()):
        try:  # a ledger listed more than once adds up: the sum must fit as well
            checked_amount(amount, "balance")
        except REFUSED as error:
            refused(ledger, codes[ledger], error)
    return {ledger: amount for ledger, amount in found.items() if ledger not in unreadable}, unreadable


class MonthBalancesStream(Stream):
    """The source's balances of every month whose lines are not all stored yet (a first import's): one call per
    month, concurrently, each written as it arrives. Counts a month written as new."""

    name = "month_balances"
    label = gettext_noop("Balances per month")
    brings = Arrival.BALANCES
    records = RecordKind.MONTH_BALANCES

    def __init__(self, gateway, state: SourceState) -> None:
        self.gateway, self.state = gateway, state

    def run(self, ctx: StreamContext) -> StreamCounts:
        counts = StreamCounts()
        months = self._months(ctx)
        if not months:
            return counts
        set_aside = SetAside(ctx.administration, SetAsideKind.BALANCE)
        fetched = self.gateway.balances_each(months)
        arrived: dict[dt.date, dict[str, Decimal]] = {}
        for done, ((first, last), balances) in enumerate(fetched, start=1):
            # A ledger the chart does not hold (set aside itself) is left out, as the check leaves it out.
            arrived[first], _ = source_balances(balances, self.state, set_aside, first, last)
            if len(arrived) == MONTHS_PER_WRITE or done == len(months):
                monthly_balances_from_source_months(administration=ctx.administration, months=arrived)
                counts.new += len(arrived)
                arrived = {}
                ctx.progress(done, len(months))
        self.state.balances_set_aside.update(set_aside.entries)
        counts += set_aside.save()
        return counts

    def _months(self, ctx: StreamContext) -> list[tuple[dt.date, dt.date]]:
        """The months to read: none once every line is in; on a first import every month of the history."""
        administration = ctx.administration
        if administration.lines_complete:
            if transactions_exist(administration=administration):
                return []
            # A first import: nothing stored yet (an administration that was empty until now counts as one too).
            start = self.state.history_start(self.gateway)
            if start is None:
                return []  # no mutation at all: nothing to show, and the mutations stream marks the lines complete
            lines_complete_reset(administration=administration, before=min(start, ctx.today))
        following = administration.lines_complete_through + dt.timedelta(days=1)
        return list(monthly_windows(following, ctx.today))
