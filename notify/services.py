"""Sending the e-mail digests: which members are due (their choice of weekly or monthly, at an hour in
Europe/Amsterdam), the digest in each member's language, queued for the worker (``monitr.mail.mail_queue``), and
the unsubscribe link that works without signing in (a signed token naming the membership).

Run by the beat every hour (``notify.tasks.digests_due``) and by ``manage.py send_digests``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from monitr.logs import get_logger
from monitr.mail.models import MailKind
from monitr.mail.services import Mail, mail_queue
from monitr.tenancy.models import Membership, Organization

from .digest import digest_figures
from .models import DigestSubscription, Frequency

log = get_logger(__name__)

UNSUBSCRIBE_SALT = "notify.digest.unsubscribe"
FIRST_DIGEST_LOOKS_BACK = timedelta(days=7)


def subscription_of(membership: Membership) -> DigestSubscription:
    """The member's choice, or the default (weekly, Monday at 8:00), not yet saved."""
    found = DigestSubscription.objects.filter(membership=membership).first()
    return found or DigestSubscription(membership=membership)


def is_due(subscription: DigestSubscription, now: datetime) -> bool:
    """Whether the digest is due at ``now`` (aware): its day (Monday, or the first of the month) has come, its hour
    has passed, and none was sent that day."""
    local = timezone.localtime(now)
    if subscription.frequency == Frequency.NONE or local.hour < subscription.hour:
        return False
    if subscription.frequency == Frequency.WEEKLY and local.weekday() != subscription.weekday:
        return False
    if subscription.frequency == Frequency.MONTHLY and local.day != 1:
        return False
    last = subscription.last_sent_at
    return last is None or timezone.localtime(last).date() < local.date()


def unsubscribe_token(membership: Membership) -> str:
    return signing.dumps({"membership": membership.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def membership_of_token(token: str) -> Membership | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return Membership.objects.select_related("organization", "user").filter(pk=data.get("membership")).first()


def _absolute(path: str) -> str:
    return settings.MONITR_SITE_URL.rstrip("/") + path


def digest_send(membership: Membership, subscription: DigestSubscription, *, now: datetime) -> None:
    """Queue the member's digest, in the member's language, and note what it said."""
    today = timezone.localtime(now).date()
    since = (
        timezone.localtime(subscription.last_sent_at).date()
        if subscription.last_sent_at
        else today - FIRST_DIGEST_LOOKS_BACK
    )
    organization = membership.organization
    digest = digest_figures(organization=organization, today=today, since=since, last=subscription.last_figures)
    unsubscribe = _absolute(reverse("notify:unsubscribe", args=[unsubscribe_token(membership)]))
    context = {
        "digest": digest,
        "user": membership.user,
        "frequency": subscription.frequency,
        "links": {
            "site": settings.MONITR_SITE_URL.rstrip("/"),
            "outstanding": _absolute(reverse("dashboards:outstanding")),
            "payables": _absolute(reverse("dashboards:outstanding")) + "?side=payable",
            "forecast": _absolute(reverse("dashboards:outstanding_forecast")),
            "integrations": _absolute(reverse("integrations:index")),
            "settings": _absolute(reverse("notify:digest")),
            "unsubscribe": unsubscribe,
        },
    }
    with translation.override(membership.user.language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("notify/email/digest_subject.txt", context).split())
        text = render_to_string("notify/email/digest.txt", context)
        html = render_to_string("notify/email/digest.html", context)
    with transaction.atomic():
        mail_queue(
            Mail(
                kind=MailKind.DIGEST,
                organization=organization,
                to=membership.user.email,
                subject=subject,
                text=text,
                html=html,
                headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
            )
        )
        subscription.last_sent_at, subscription.last_figures = now, digest.figures()
        subscription.save()
    log.info("digest.queued", organization_id=organization.pk, membership_id=membership.pk)


def digests_send_due(
    *, now: datetime | None = None, organization: Organization | None = None, force: bool = False
) -> int:
    """Queue every digest that is due (``force``: every one that is not switched off), of one organisation or all.
    Returns how many."""
    now = now or timezone.now()
    memberships = Membership.objects.select_related("organization", "user").filter(
        user__is_active=True, user__email__gt=""
    )
    if organization is not None:
        memberships = memberships.filter(organization=organization)
    chosen = {s.membership_id: s for s in DigestSubscription.objects.filter(membership__in=memberships)}
    sent = 0
    for membership in memberships.order_by("organization_id", "pk"):
        subscription = chosen.get(membership.pk) or DigestSubscription(membership=membership)
        if subscription.frequency == Frequency.NONE or not (force or is_due(subscription, now)):
            continue
        digest_send(membership, subscription, now=now)
        sent += 1
    return sent
