"""Whether every transaction of the administrations a page shows is in yet (``Administration.lines_complete_through``).

While a first import runs (or after one was interrupted), the lines of the later months are not all stored: the
statements show the source's own monthly balances for those months (``dashboards.selectors.statements``), while the
drill-downs, the transactions explorer and their exports can only list the lines imported so far. The pages and the
read API say so, naming the provider as it declared itself to ``ledger.capabilities``.

Read from the administrations the page has loaded already (its filter form's), so saying it costs no query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ledger import capabilities as registry
from ledger.capabilities import UnknownProvider
from ledger.models import Administration

if TYPE_CHECKING:
    from .statements import StatementScope


def provider_name(key: str) -> str | None:
    """The name a provider declared for itself; None when no provider of that key is registered."""
    try:
        return registry.get(key).name
    except UnknownProvider:
        return None


@dataclass(frozen=True, slots=True)
class PendingLines:
    """An administration whose lines are stored up to ``through`` only."""

    administration: Administration
    provider: str | None  # the provider's declared name, None when it is not registered

    @property
    def through(self) -> date:
        """Every line dated up to this day is stored."""
        return self.administration.lines_complete_through

    @property
    def source_from(self) -> date:
        """The first month the statements read from the source's monthly balances: the first whose first day is
        after ``through`` (a month's row counts as the lines' once its first day is complete)."""
        return (self.through.replace(day=1) + timedelta(days=32)).replace(day=1)


@dataclass(frozen=True, slots=True)
class LinesStatus:
    """Of the administrations a page shows, those whose transactions are still coming, by name."""

    pending: tuple[PendingLines, ...]
    named: bool = False  # the page shows more than one administration: each pending one is named

    @property
    def complete(self) -> bool:
        return not self.pending

    @property
    def through(self) -> date | None:
        """The earliest day up to which every line of every administration is stored; None when all are in."""
        return min((p.through for p in self.pending), default=None)

    @property
    def source_from(self) -> date | None:
        """The first month a statement of these administrations may read from a source's monthly balances."""
        return min((p.source_from for p in self.pending), default=None)

    def prior_month_whole(self, scope: StatementScope) -> bool:
        """Whether a statement of ``scope`` whose last month has not ended compares with a prior-year month read
        from the source's monthly balances: those cannot be cut at ``scope.prior_through``, so that month counts
        whole until its lines are in, and the prior year's figures are not final."""
        return scope.is_partial and self.source_from is not None and self.source_from <= scope.prior_through


def lines_status(*, administrations: Iterable[Administration]) -> LinesStatus:
    """Which of the page's ``administrations`` are still importing their transactions."""
    shown = list(administrations)
    pending = sorted(
        (PendingLines(administration=a, provider=provider_name(a.provider)) for a in shown if not a.lines_complete),
        key=lambda p: (p.administration.name, p.administration.pk),
    )
    return LinesStatus(pending=tuple(pending), named=len(shown) > 1)
