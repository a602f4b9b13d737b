"""What one view of the open items looks at: whose items, which side, on which day, aged how.

Every selector of the Outstanding Items dashboard takes an :class:`OutstandingScope`, so the page, its exports and
the API read exactly the same rows. The scope always carries the organisation, and every queryset starts from
``for_organization``: another organisation's rows cannot come back, whatever else is asked.

Today's view reads the live open items, the source's own list; a past date reads the open-item ledger as of that date
(``ledger.open_items``: every invoice and what settled it, rebuilt from the books), or, before the ledger is built,
the daily snapshot of that date (``OutstandingSnapshot``); all three have the same columns. Aging on a past date
counts days to that date, as if it were today.

Every dashboard scopes by administration: :func:`administrations_list` is what their pickers offer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import DateField, F, QuerySet
from django.db.models.functions import Coalesce

from ledger.models import Administration, OpenItemPeriod, OutstandingItem, OutstandingSide, OutstandingSnapshot
from ledger.open_items import open_items_on
from monitr.tenancy.models import Organization

from ..aging import Bucket, aging_buckets
from ..models import DEFAULT_BOUNDARIES, AgingBasis

# The earliest day the filters and the API take: long before any snapshot (Monitr keeps one a day from the first
# import on), and late enough that a day minus the widest aging bucket or history window is still a date; the
# first day a date can be (0001-01-01) would overflow ``as_of - timedelta(days=90)``.
EARLIEST_AS_OF = date(2000, 1, 1)


@dataclass(frozen=True, slots=True)
class OutstandingScope:
    organization: Organization
    side: OutstandingSide
    as_of: date
    today: date
    # None: all the organisation's administrations, added up.
    administration: Administration | None = None
    basis: AgingBasis = AgingBasis.DUE_DATE
    boundaries: tuple[int, ...] = DEFAULT_BOUNDARIES
    buckets: list[Bucket] = field(init=False, compare=False)
    # Whether a past day reads the open-item ledger, once asked (reads_ledger): a page asks for several figures.
    _reads_ledger: list[bool] = field(init=False, compare=False, repr=False, default_factory=list)
    # The state of the scope's books, once read (``dashboards.selectors.kept.books_state``): a page keeps several
    # figures under it. A scope is made per request, so the state read is the request's.
    _books_state: list[list[str]] = field(init=False, compare=False, repr=False, default_factory=list)

    def __post_init__(self) -> None:
        object.__setattr__(self, "buckets", aging_buckets(boundaries=self.boundaries, basis=self.basis))

    @property
    def is_live(self) -> bool:
        """Today (or a date not yet snapshotted because it is today) reads the live items."""
        return self.as_of >= self.today


def organization_scope(
    *, organization: Organization, side: OutstandingSide, today: date, basis: str, boundaries
) -> OutstandingScope:
    """Today's open items of one side, all the organisation's administrations added up, aged by its settings'
    ``basis`` and ``boundaries``: what the digest and the alerts measure, as the dashboard shows it."""
    return OutstandingScope(
        organization=organization,
        side=OutstandingSide(side),
        as_of=today,
        today=today,
        basis=AgingBasis(basis),
        boundaries=tuple(boundaries),
    )


def administrations_list(*, organization: Organization) -> list[Administration]:
    """The organisation's administrations by name: what every dashboard's administration picker offers."""
    return list(Administration.objects.for_organization(organization).order_by("name", "pk"))


def due_reference() -> Coalesce:
    """The date an item becomes overdue after: its due date, else its invoice date (see ``dashboards.aging``)."""
    return Coalesce(F("due_date"), F("invoice_date"), output_field=DateField())


def age_reference(basis: AgingBasis | str) -> Coalesce | F:
    return due_reference() if basis == AgingBasis.DUE_DATE else F("invoice_date")


def reads_ledger(scope: OutstandingScope) -> bool:
    """Does a past day of the scope come from the open-item ledger? Yes once the ledger of every administration in
    the scope is built (the first sync builds it); else from the daily snapshots."""
    if not scope._reads_ledger:
        administrations = Administration.objects.for_organization(scope.organization)
        if scope.administration is not None:
            administrations = administrations.filter(pk=scope.administration.pk)
        scope._reads_ledger.append(not administrations.filter(open_items_built_at__isnull=True).exists())
    return scope._reads_ledger[0]


def open_items(*, scope: OutstandingScope, side: bool = True) -> QuerySet:
    """The open items of the scope, unordered; ``side=False`` keeps both. Today: the source's own list. A past day:
    the open-item ledger as of that day (``ledger.open_items``), else the daily snapshot of that day."""
    ledger = not scope.is_live and reads_ledger(scope)
    model = OutstandingItem if scope.is_live else OpenItemPeriod if ledger else OutstandingSnapshot
    rows: QuerySet = model.objects.for_organization(scope.organization)
    if scope.administration is not None:
        rows = rows.filter(administration=scope.administration)
    if side:
        rows = rows.filter(side=scope.side)
    if ledger:
        return open_items_on(rows, scope.as_of)
    if not scope.is_live:
        rows = rows.filter(as_of=scope.as_of)
    return rows
