"""The Data checks page: everything that says the imported books may not be right, counted, with the rows behind it.

- the sync's ledger check: per account and month, the provider's figure against the imported lines' sum; every
  stored row with a difference is a current mismatch (a re-check overwrites its row);
- the open items check: the latest per administration and side, against the debtors or creditors ledger;
- transactions whose lines do not add up to zero;
- accounts no reporting line takes (``dashboards.mapping``), and accounts new since the chart was last reviewed;
- open items without a due date (aged by their invoice date instead);
- source records the import set aside, each with the reason it could not store it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery

from ledger.models import (
    Administration,
    OutstandingItem,
    OutstandingSide,
    Reconciliation,
    ReconciliationCheck,
    SetAsideRecord,
    Transaction,
)
from monitr.tenancy.models import Organization
from monitr.tenancy.scoping import TenantManager

from .statements import MappedAccount, mapped_accounts


@dataclass(frozen=True, slots=True)
class CheckedAdministration:
    """When an administration's books were last checked against the source, and what that check found."""

    administration_id: int
    name: str
    checked_at: datetime | None  # None: no import has finished its check yet
    mismatches: int  # the ledger and month differences that check left
    open_items_checked: bool  # the open items were compared with the debtors or creditors ledger too

    @property
    def matches(self) -> bool:
        return self.checked_at is not None and not self.mismatches


@dataclass(frozen=True, slots=True)
class DataChecks:
    # The oldest of the scope's administrations' last ledger checks; None while any of them has not been checked.
    ledger_checked_at: datetime | None
    ledger_mismatches: list[Reconciliation]
    open_items_checks: list[Reconciliation]
    # The latest comparison of the open-item ledger with the source's list, per administration: a row per side (the
    # totals), then a row per item that differs, with its reason.
    open_item_ledger: list[Reconciliation]
    unbalanced: int
    unmapped: list[MappedAccount]
    without_due_date: int
    # Not a problem in itself: an account that appeared after the chart was last reviewed, to check its line.
    new_accounts: list[MappedAccount]
    # Source records the import could not store (a date, term or amount out of range), with the reason.
    set_aside: list[SetAsideRecord]
    # Each administration in scope with its own last check: one not checked yet never hides another's result.
    checked: tuple[CheckedAdministration, ...] = ()

    @property
    def checked_count(self) -> int:
        return sum(1 for a in self.checked if a.checked_at is not None)

    @property
    def open_items_mismatches(self) -> list[Reconciliation]:
        return [c for c in self.open_items_checks if not c.matches]

    @property
    def open_item_ledger_differences(self) -> list[Reconciliation]:
        return [c for c in self.open_item_ledger if c.subject not in OutstandingSide.values]

    @property
    def problems(self) -> int:
        return (
            len(self.ledger_mismatches)
            + len(self.open_items_mismatches)
            + len(self.open_item_ledger_differences)
            + self.unbalanced
            + len(self.unmapped)
            + len(self.set_aside)
        )


def _scoped(
    queryset: TenantManager[Any], organization: Organization, administration: Administration | None
) -> QuerySet:
    rows = queryset.for_organization(organization)
    return rows if administration is None else rows.filter(administration=administration)


def _latest(
    organization: Organization, administration: Administration | None, kind: ReconciliationCheck, *, per_subject: bool
) -> list[Reconciliation]:
    """The checks of ``kind`` of the latest day each administration (or each of its subjects) was checked."""
    latest = Reconciliation.objects.filter(administration=OuterRef("administration"), kind=kind)
    if per_subject:
        latest = latest.filter(subject=OuterRef("subject"))
    return list(
        _scoped(Reconciliation.objects, organization, administration)
        .filter(kind=kind, period_start=Subquery(latest.order_by("-period_start").values("period_start")[:1]))
        .select_related("administration")
        .order_by("administration__name", "subject")
    )


def data_checks(*, organization: Organization, administration: Administration | None = None) -> DataChecks:
    """Every check of the scope (eight queries, however many rows)."""
    ledger = _scoped(Reconciliation.objects, organization, administration).filter(kind=ReconciliationCheck.LEDGER_MONTH)
    administrations = Administration.objects.for_organization(organization)
    if administration is not None:
        administrations = administrations.filter(pk=administration.pk)
    # Each administration's own time: the page says per administration when it was checked and what was found.
    times = list(administrations.order_by("name", "pk").values_list("pk", "name", "ledger_checked_at"))
    mismatches = list(
        ledger.exclude(difference=0)
        .select_related("account", "administration")
        .order_by("-period_start", "administration__name", "subject")
    )
    # The latest open-items check of each administration's side, and its latest open-item ledger check (both sides
    # and every item that differs).
    open_items = _latest(organization, administration, ReconciliationCheck.OPEN_ITEMS, per_subject=True)
    open_item_ledger = _latest(organization, administration, ReconciliationCheck.OPEN_ITEM_LEDGER, per_subject=False)
    unbalanced = _scoped(Transaction.objects, organization, administration).filter(~Q(imbalance=0)).count()
    without_due = _scoped(OutstandingItem.objects, organization, administration).filter(due_date__isnull=True).count()
    accounts = mapped_accounts(organization=organization, administration=administration)
    set_aside = list(
        _scoped(SetAsideRecord.objects, organization, administration)
        .select_related("administration")
        .order_by("administration__name", "kind", "record_date", "external_id")
    )
    differing: dict[int, int] = defaultdict(int)
    for row in mismatches:
        differing[row.administration_id] += 1
    with_open_items = {c.administration_id for c in open_items}
    checked = tuple(
        CheckedAdministration(
            administration_id=pk,
            name=name,
            checked_at=at,
            mismatches=differing[pk],
            open_items_checked=pk in with_open_items,
        )
        for pk, name, at in times
    )
    unchecked = any(a.checked_at is None for a in checked)
    return DataChecks(
        ledger_checked_at=None if unchecked else min((a.checked_at for a in checked if a.checked_at), default=None),
        checked=checked,
        ledger_mismatches=mismatches,
        open_items_checks=open_items,
        open_item_ledger=open_item_ledger,
        unbalanced=unbalanced,
        unmapped=[a for a in accounts if not a.is_mapped],
        new_accounts=[a for a in accounts if a.is_new],
        without_due_date=without_due,
        set_aside=set_aside,
    )
