"""The local outbox: the e-mail that development and ``make demo`` keep instead of sending.

Without ``EMAIL_URL`` a development run writes mail with Django's own file backend into ``EMAIL_FILE_PATH``
(``monitr.settings.email``). This page reads those files back, so that whoever runs Monitr locally can open an
invitation's link. It exists only while the file backend is configured, and then only for superusers, or for anyone
signed in on a machine that is not production (a developer's or the demo's, whose mail is the person's own).
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
# What Django's file backend writes after every message (django.core.mail.backends.filebased.write_message).
SEPARATOR = b"\n" + b"-" * 79 + b"\n"
SHOWN = 50


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    sent_at: datetime
    sender: str
    to: str
    subject: str
    body: str


def outbox_open_to(user: object) -> bool:
    if settings.EMAIL_BACKEND != FILE_BACKEND or not getattr(user, "is_authenticated", False):
        return False
    return bool(getattr(user, "is_superuser", False)) or not settings.IS_PRODUCTION


def _parse(raw: bytes, fallback: datetime) -> OutboxMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)  # what policy.default parses into
    part = message.get_body(preferencelist=("plain",))
    body = part.get_content() if isinstance(part, EmailMessage) else ""
    date = message["Date"]
    return OutboxMessage(
        sent_at=date.datetime if date is not None else fallback,
        sender=str(message["From"] or ""),
        to=str(message["To"] or ""),
        subject=str(message["Subject"] or ""),
        body=body,
    )


def outbox_messages(limit: int = SHOWN) -> list[OutboxMessage]:
    """The newest ``limit`` messages in the outbox folder, newest first."""
    folder = Path(settings.EMAIL_FILE_PATH)
    files = sorted(folder.glob("*.log"), key=lambda path: path.stat().st_mtime, reverse=True) if folder.is_dir() else []
    found: list[OutboxMessage] = []
    for path in files:
        written = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        chunks = [chunk for chunk in path.read_bytes().split(SEPARATOR) if chunk.strip()]
        found.extend(_parse(chunk, written) for chunk in reversed(chunks))
        if len(found) >= limit:
            break
    found.sort(key=lambda message: message.sent_at, reverse=True)
    return found[:limit]


@login_required
def outbox(request: HttpRequest) -> HttpResponse:
    if not outbox_open_to(request.user):
        raise Http404("No outbox here.")
    return render(request, "outbox.html", {"messages_sent": outbox_messages(), "folder": settings.EMAIL_FILE_PATH})
