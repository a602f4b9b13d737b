"""What a digest says, for one organisation on one day: per side the open total and what is overdue (and how that
changed since the last digest), the five relations most overdue, what fell due since the last digest and is still
open, the follow-ups due (the notes'), and how the imports stand. The figures are the Outstanding Items dashboard's
own (its selectors, all the organisation's administrations added up, aged as the organisation's settings say), so
the two always agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Sum
from django_stubs_ext import StrOrPromise

from dashboards.selectors.notes import FollowUpsDue, follow_ups_due_first
from dashboards.selectors.outstanding import outstanding_aging, outstanding_by_relation
from dashboards.selectors.scope import due_reference, organization_scope
from dashboards.selectors.settings import outstanding_settings_get
from integrations.models import Connection, ConnectionStatus
from ledger.models import OutstandingItem, OutstandingSide
from ledger.money import cents
from monitr.tenancy.models import Organization

TOP = 5
FOLLOW_UPS = 10


@dataclass(frozen=True, slots=True)
class Overdue:
    name: str
    overdue: Decimal
    items: int


@dataclass(frozen=True, slots=True)
class SideFigures:
    side: OutstandingSide
    total: Decimal
    overdue: Decimal
    items: int
    change: Decimal | None  # overdue now less at the last digest; None for the first
    top: list[Overdue]
    fell_due: Decimal  # due since the last digest (or the last 7 days) and still open
    fell_due_items: int


@dataclass(frozen=True, slots=True)
class Import:
    name: str
    status: StrOrPromise
    reconnect: bool
    last_success_at: datetime | None


@dataclass(frozen=True, slots=True)
class Digest:
    organization: Organization
    today: date
    since: date
    sides: list[SideFigures]
    imports: list[Import]
    follow_ups: FollowUpsDue  # the notes' follow-ups and promised payments due today or before, not done

    @property
    def reconnect_needed(self) -> list[Import]:
        return [i for i in self.imports if i.reconnect]

    def figures(self) -> dict[str, dict[str, str]]:
        """What the next digest compares with (``DigestSubscription.last_figures``)."""
        return {str(s.side): {"overdue": str(s.overdue), "total": str(s.total)} for s in self.sides}


def digest_figures(*, organization: Organization, today: date, since: date, last: dict) -> Digest:
    settings = outstanding_settings_get(organization=organization)
    sides = []
    for side in (OutstandingSide.RECEIVABLE, OutstandingSide.PAYABLE):
        scope = organization_scope(
            organization=organization, side=side, today=today, basis=settings.basis, boundaries=settings.boundaries
        )
        aging = outstanding_aging(scope=scope)
        top = [
            Overdue(name=row["relation_name"] or "", overdue=cents(row["overdue"]), items=row["items"])
            for row in outstanding_by_relation(scope=scope, sort="-overdue")[:TOP]
            if row["overdue"] and row["overdue"] > 0
        ]
        fell = (
            OutstandingItem.objects.for_organization(organization)
            .filter(side=side, outstanding__gt=0)
            .annotate(due=due_reference())
            .filter(due__gte=since, due__lt=today)
            .aggregate(amount=Sum("outstanding"), items=Count("pk"))
        )
        before = (last or {}).get(str(side), {}).get("overdue")
        sides.append(
            SideFigures(
                side=side,
                total=aging.total,
                overdue=aging.overdue,
                items=aging.count,
                change=None if before is None else aging.overdue - Decimal(before),
                top=top,
                fell_due=cents(fell["amount"]),
                fell_due_items=fell["items"],
            )
        )
    connections = (
        Connection.objects.for_organization(organization)
        .select_related("administration")
        .order_by("administration__name", "pk")
    )
    imports = [
        Import(
            name=c.administration.name if c.administration else "",
            status=ConnectionStatus(c.status).label,  # lazy: written in the reader's language
            reconnect=c.status == ConnectionStatus.RECONNECT_NEEDED,
            last_success_at=c.last_success_at,
        )
        for c in connections
    ]
    return Digest(
        organization=organization,
        today=today,
        since=since,
        sides=sides,
        imports=imports,
        follow_ups=follow_ups_due_first(organization=organization, day=today, limit=FOLLOW_UPS),
    )
