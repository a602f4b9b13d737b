"""The alert rules, checked after every sync of an organisation's books (``notify.receivers``) and by
``manage.py check_alerts``.

Each rule is measured per subject: the organisation as a whole ("") for the totals and DSO/DPO, each relation for
the relation rules, each connection for the imports' rules. A subject whose condition holds now and did not at the
last check has crossed: one :class:`~notify.models.Notification` is made, every member's badge counts it and the
rule's followers get an e-mail. While the condition keeps holding nothing more is made; once it no longer holds, its
:class:`~notify.models.AlertState` is removed, so the next crossing fires again.

The open items' figures are the Outstanding Items dashboard's own (its selectors; today, all the organisation's
administrations added up, aged as its settings say), so an alert and the page it links to always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode

from dashboards.selectors.figures import outstanding_turnover
from dashboards.selectors.outstanding import outstanding_aging, outstanding_by_relation
from dashboards.selectors.scope import OutstandingScope, organization_scope
from dashboards.selectors.settings import outstanding_settings_get
from integrations.models import Connection, ConnectionStatus, SyncRun, SyncRunStatus
from ledger.models import OutstandingSide
from ledger.money import cents
from monitr.logs import get_logger
from monitr.mail.models import MailKind
from monitr.mail.services import Mail, mail_queue
from monitr.tenancy.models import Membership, Organization

from .models import AlertKind, AlertRule, AlertState, Notification

log = get_logger(__name__)

# A failing import alerts once this many runs in a row have failed.
FAILED_RUNS = 2
WHOLE = ""  # the subject of a rule on the organisation as a whole


@dataclass(frozen=True, slots=True)
class Crossing:
    """A subject whose condition holds now: its name as shown, the measured value, and the page to act on."""

    subject: str
    name: str = ""
    value: str = ""
    link: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def alerts_check(*, organization: Organization, today: date | None = None) -> list[Notification]:
    """Check every rule of the organisation; the notifications made for the subjects that crossed (already
    committed, their e-mails queued)."""
    rules = list(AlertRule.objects.for_organization(organization).prefetch_related("followers__user"))
    if not rules:
        return []
    today = today or timezone.localdate()
    measure = _Measure(organization, today)
    made: list[Notification] = []
    for rule in rules:
        holding = {crossing.subject: crossing for crossing in measure.crossings(rule)}
        made += _record(rule, holding)
    if made:
        log.info("alerts.fired", organization_id=organization.pk, notifications=len(made))
    return made


@transaction.atomic
def _record(rule: AlertRule, holding: dict[str, Crossing]) -> list[Notification]:
    states = {state.subject: state for state in AlertState.objects.select_for_update().filter(rule=rule)}
    gone = [state.pk for subject, state in states.items() if subject not in holding]
    AlertState.objects.filter(pk__in=gone).delete()
    now = timezone.now()
    made = []
    for subject, crossing in holding.items():
        if subject in states:
            continue  # still holding: told when it crossed
        AlertState.objects.create(rule=rule, subject=subject, since=now)
        made.append(
            Notification.objects.create(
                organization=rule.organization,
                rule=rule,
                kind=rule.kind,
                side=rule.side if AlertKind(rule.kind).has_side else "",
                subject_name=crossing.name[:255],
                values={
                    "value": crossing.value,
                    "threshold": str(rule.threshold_value) if rule.threshold_value is not None else "",
                    **crossing.extra,
                },
                link=crossing.link,
            )
        )
    if made:
        Membership.objects.filter(organization=rule.organization).update(
            notifications_unseen=F("notifications_unseen") + len(made)
        )
        followers = list(rule.followers.all())
        transaction.on_commit(lambda: _mail(rule, made, followers))
    return made


class _Measure:
    """The figures the rules compare, each read once per check however many rules ask for it."""

    def __init__(self, organization: Organization, today: date) -> None:
        self.organization = organization
        self.today = today
        self._settings = outstanding_settings_get(organization=organization)
        self._aging: dict[str, Any] = {}
        self._relations: dict[str, list[dict]] = {}

    def scope(self, side: str) -> OutstandingScope:
        return organization_scope(
            organization=self.organization,
            side=OutstandingSide(side),
            today=self.today,
            basis=self._settings.basis,
            boundaries=self._settings.boundaries,
        )

    def aging(self, side: str):
        if side not in self._aging:
            self._aging[side] = outstanding_aging(scope=self.scope(side))
        return self._aging[side]

    def relations(self, side: str) -> list[dict]:
        if side not in self._relations:
            self._relations[side] = list(outstanding_by_relation(scope=self.scope(side), sort="-overdue"))
        return self._relations[side]

    def crossings(self, rule: AlertRule) -> list[Crossing]:
        kind = AlertKind(rule.kind)
        if kind in (AlertKind.SYNC_FAILING, AlertKind.RECONNECT_NEEDED):
            return self._imports(kind)
        if kind in (AlertKind.RELATION_OVERDUE_AMOUNT, AlertKind.RELATION_OVERDUE_DAYS):
            return self._relation_crossings(rule, kind)
        return self._whole(rule, kind)

    def _whole(self, rule: AlertRule, kind: AlertKind) -> list[Crossing]:
        aging = self.aging(rule.side)
        link = _outstanding_link(rule.side)
        if kind == AlertKind.TOTAL_OVERDUE_AMOUNT:
            holds = rule.amount is not None and aging.overdue > rule.amount
            value = str(cents(aging.overdue))
        elif kind == AlertKind.TOTAL_OVERDUE_SHARE:
            share = aging.overdue_share
            holds = share is not None and rule.percent is not None and share > rule.percent
            value = str(share)
        else:  # DSO or DPO, as the page shows it: by the 90 days' turnover
            days = outstanding_turnover(scope=self.scope(rule.side), open_amount=aging.total).days
            holds = days is not None and rule.days is not None and days > rule.days
            value = str(days)
        return [Crossing(subject=WHOLE, value=value, link=link)] if holds else []

    def _relation_crossings(self, rule: AlertRule, kind: AlertKind) -> list[Crossing]:
        crossings = []
        for row in self.relations(rule.side):
            overdue = row["overdue"] or Decimal(0)
            if overdue <= 0:
                continue
            if kind == AlertKind.RELATION_OVERDUE_AMOUNT:
                holds = rule.amount is not None and overdue > rule.amount
                value = str(cents(overdue))
            else:
                oldest = row["oldest_due"]
                late = (self.today - oldest).days if oldest is not None else 0
                holds = rule.days is not None and late > rule.days
                value = str(late)
            if holds:
                crossings.append(
                    Crossing(
                        subject=f"relation:{row['administration_id']}:{row['relation_id'] or '-'}",
                        name=row["relation_name"] or "",
                        value=value,
                        link=_relation_link(rule.side, row["administration_id"], row["relation_id"]),
                        extra={"overdue": str(cents(overdue))},
                    )
                )
        return crossings

    def _imports(self, kind: AlertKind) -> list[Crossing]:
        connections = Connection.objects.for_organization(self.organization).select_related("administration")
        crossings = []
        for connection in connections:
            if kind == AlertKind.RECONNECT_NEEDED:
                holds = connection.status == ConnectionStatus.RECONNECT_NEEDED
            else:
                last = list(
                    SyncRun.objects.filter(connection=connection)
                    .exclude(status=SyncRunStatus.RUNNING)
                    .order_by("-started_at", "-pk")
                    .values_list("status", flat=True)[:FAILED_RUNS]
                )
                holds = len(last) == FAILED_RUNS and all(status == SyncRunStatus.FAILED for status in last)
            if holds:
                crossings.append(
                    Crossing(
                        subject=f"connection:{connection.pk}",
                        name=connection.administration.name,
                        link=reverse("integrations:index"),
                        extra={"message": connection.status_message[:500]},
                    )
                )
        return crossings


def _outstanding_link(side: str) -> str:
    return f"{reverse('dashboards:outstanding')}?{urlencode({'side': side})}"


def _relation_link(side: str, administration_id: int, relation_id: int | None) -> str:
    query: dict[str, Any] = {"side": side, "administration": administration_id}
    if relation_id is not None:
        query["relation"] = relation_id
    return f"{reverse('dashboards:outstanding_items')}?{urlencode(query)}"


def _mail(rule: AlertRule, made: list[Notification], followers: list[Membership]) -> None:
    """One e-mail per follower with what crossed, in the follower's language."""
    site = settings.MONITR_SITE_URL.rstrip("/")
    for membership in followers:
        user = membership.user
        if not user.is_active or not user.email:
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            context = {
                "organization": rule.organization,
                "notifications": made,
                "site": site,
                "list_url": site + reverse("notify:notifications"),
                "rules_url": site + reverse("notify:alerts"),
            }
            subject = render_to_string("notify/email/alert_subject.txt", context).strip()
            mail_queue(
                Mail(
                    kind=MailKind.ALERT,
                    to=user.email,
                    subject=" ".join(subject.split()),
                    text=render_to_string("notify/email/alert.txt", context),
                    html=render_to_string("notify/email/alert.html", context),
                    organization=rule.organization,
                )
            )
