"""The worker's side of e-mail: deliver a queued message, trying again with growing pauses; and the beat's sweep of
messages the broker never took. Only a message's id travels through the broker, never its content."""

from __future__ import annotations

from celery import Task, shared_task

from monitr.logs import get_logger

from .services import MailNotDelivered, mail_attempt, mail_give_up, mail_publish, mail_waiting

log = get_logger(__name__)

# Tries in all, and the pause before each next one: 1, 5, 15, 60 minutes (a mail server's greylisting often asks
# for a few minutes; an outage may take an hour).
ATTEMPTS = 5
PAUSES = (60, 300, 900, 3600)
SWEEP_EVERY_SECONDS = 300


@shared_task(bind=True, max_retries=ATTEMPTS - 1)
def mail_deliver(self: Task, message_id: int) -> str:
    try:
        message = mail_attempt(message_id)
    except MailNotDelivered as refusal:
        if refusal.permanent:
            return "failed"
        if self.request.retries >= ATTEMPTS - 1:
            mail_give_up(message_id)
            return "failed"
        raise self.retry(countdown=PAUSES[min(self.request.retries, len(PAUSES) - 1)]) from None
    return "sent" if message is not None else "nothing to do"


@shared_task(expires=SWEEP_EVERY_SECONDS - 10)
def mail_sweep() -> int:
    """Hand the worker again what the broker could not take when it was queued."""
    waiting = mail_waiting()
    for message_id in waiting:
        mail_publish(message_id)
    if waiting:
        log.info("mail.swept", count=len(waiting))
    return len(waiting)
