"""Sending e-mail through Django's e-mail framework (``EMAIL_URL``, ``monitr.settings.email``), each message recorded
as a :class:`~monitr.mail.models.MailMessage`.

- :func:`mail_send`: now, while someone waits for it (an invitation). A refusal is recorded and raised, so the page
  can say so at once.
- :func:`mail_queue`: by the worker once the current transaction commits (``monitr.mail.tasks.mail_deliver``), tried
  again with growing pauses while the mail server refuses for now (an SMTP 4xx, a connection that fails), given up
  at once on a permanent refusal (an SMTP 5xx: no such mailbox) or after the last attempt. A message the broker could
  not take stays queued; the beat's sweep (``mail_sweep``) hands it to the worker again.

What the mail server said is recorded with the message; the message's content is not logged, and is emptied from
the record once delivered or given up (an invitation's carries its link).
"""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from monitr.logs import get_logger
from monitr.tenancy.models import Organization

from .models import MailKind, MailMessage, MailStatus

log = get_logger(__name__)

# Queued messages the worker has not picked up after this long are handed to it again by the sweep.
SWEEP_AFTER = timedelta(minutes=10)
ERROR_LENGTH = 500


class MailNotDelivered(Exception):
    """The mail server refused the message, or could not be reached. ``permanent``: trying again will not help."""

    def __init__(self, error: str, *, permanent: bool) -> None:
        super().__init__(error)
        self.permanent = permanent


@dataclass(frozen=True, slots=True)
class Mail:
    """One e-mail to send: to one address, a plain-text part and, if given, an HTML one."""

    kind: MailKind
    to: str
    subject: str
    text: str
    html: str = ""
    organization: Organization | None = None
    reply_to: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def content(self) -> dict:
        return {"text": self.text, "html": self.html, "reply_to": self.reply_to, "headers": self.headers}

    def record(self, *, keep: bool) -> MailMessage:
        """Its record; ``keep``: with its content (encrypted), for the worker to send."""
        return MailMessage.objects.create(
            organization=self.organization,
            kind=self.kind,
            to=self.to,
            subject=self.subject[:255],
            content=self.content() if keep else {},
        )


def _email(message: MailMessage, content: Mapping) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=content["text"],
        to=[message.to],
        reply_to=content["reply_to"] or None,
        headers=content["headers"] or None,
    )
    if content["html"]:
        email.attach_alternative(content["html"], "text/html")
    return email


def _refusal(exc: Exception) -> MailNotDelivered:
    """What went wrong, in words for the E-mail page, and whether trying again can help: an SMTP reply code of 5xx
    is permanent, a 4xx or a connection that failed is not."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _reply in exc.recipients.values()]
        replies = "; ".join(f"{code} {reply.decode(errors='replace')}" for code, reply in exc.recipients.values())
        return MailNotDelivered(replies[:ERROR_LENGTH], permanent=all(code >= 500 for code in codes))
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return MailNotDelivered(f"{exc.smtp_code} {reply}"[:ERROR_LENGTH], permanent=exc.smtp_code >= 500)
    return MailNotDelivered(f"{type(exc).__name__}: {exc}"[:ERROR_LENGTH], permanent=False)


def _sent(message: MailMessage) -> None:
    message.status, message.sent_at, message.error, message.content = MailStatus.SENT, timezone.now(), "", {}
    message.save(update_fields=["status", "sent_at", "error", "content", "attempts"])


def mail_send(mail: Mail) -> MailMessage:
    """Send now and record it; raises :class:`MailNotDelivered` (after recording the failure) when it was not."""
    message = mail.record(keep=False)
    message.attempts = 1
    try:
        _email(message, mail.content()).send()
    except (smtplib.SMTPException, OSError) as exc:
        refusal = _refusal(exc)
        message.status, message.error = MailStatus.FAILED, str(refusal)
        message.save(update_fields=["status", "error", "attempts"])
        log.warning("mail.not_sent", message_id=message.pk, kind=mail.kind, permanent=refusal.permanent)
        raise refusal from exc
    _sent(message)
    log.info("mail.sent", message_id=message.pk, kind=mail.kind)
    return message


def mail_queue(mail: Mail) -> MailMessage:
    """Record the message and hand it to the worker once the current transaction commits."""
    message = mail.record(keep=True)
    message_id = message.pk
    transaction.on_commit(lambda: mail_publish(message_id))
    return message


def mail_publish(message_id: int) -> None:
    """Hand a queued message to the worker; when the broker cannot take it, the sweep will later."""
    from .tasks import mail_deliver

    try:
        mail_deliver.delay(message_id)
    except (OperationalError, OSError) as exc:
        log.warning("mail.enqueue_failed", message_id=message_id, error=type(exc).__name__)


def mail_attempt(message_id: int) -> MailMessage | None:
    """One attempt at delivering a queued message (the worker's): sent and recorded, or the failure recorded and
    :class:`MailNotDelivered` raised. None when there is nothing to do (gone, already sent or given up). The row is
    locked while it is sent, so two workers never send it twice."""
    failure: MailNotDelivered | None = None
    with transaction.atomic():
        message = MailMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status in (MailStatus.SENT, MailStatus.FAILED) or not message.content:
            return None
        message.attempts += 1
        try:
            _email(message, message.content).send()
        except (smtplib.SMTPException, OSError) as exc:
            failure = _refusal(exc)
            message.status = MailStatus.FAILED if failure.permanent else MailStatus.RETRYING
            message.error = str(failure)
            if failure.permanent:
                message.content = {}
            message.save(update_fields=["status", "error", "attempts", "content"])
        else:
            _sent(message)
    if failure is not None:
        log.warning("mail.not_delivered", message_id=message_id, attempts=message.attempts, permanent=failure.permanent)
        raise failure
    log.info("mail.sent", message_id=message_id, kind=message.kind, attempts=message.attempts)
    return message


def mail_give_up(message_id: int) -> None:
    """After the last attempt: failed for good, its content emptied."""
    MailMessage.objects.filter(pk=message_id).exclude(status=MailStatus.SENT).update(
        status=MailStatus.FAILED, content={}
    )
    log.warning("mail.given_up", message_id=message_id)


def mail_waiting(now: datetime | None = None) -> list[int]:
    """Queued messages the worker has not picked up for a while (the broker could not take them)."""
    before = (now or timezone.now()) - SWEEP_AFTER
    return list(
        MailMessage.objects.filter(status=MailStatus.QUEUED, attempts=0, created_at__lte=before).values_list(
            "pk", flat=True
        )
    )
