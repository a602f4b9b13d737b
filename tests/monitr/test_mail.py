"""E-mail through a real SMTP server on loopback (aiosmtpd): a queued message is delivered by the worker's task, tried
again while the server refuses for now, given up at once on a permanent refusal or after the last attempt, and every
message recorded; the record keeps no content once delivered; the admins' E-mail page lists the organisation's own."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from monitr.mail import tasks
from monitr.mail.models import MailKind, MailMessage, MailStatus
from monitr.mail.services import Mail, MailNotDelivered, mail_queue, mail_send
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def queue(organization, **overrides) -> MailMessage:
    fields = {
        "kind": MailKind.DIGEST,
        "organization": organization,
        "to": "reader@example.test",
        "subject": "Your week in Monitr",
        "text": "Receivables €1.234,00",
        "html": "<p>Receivables <strong>€1.234,00</strong></p>",
        "headers": {"List-Unsubscribe": "<https://monitr.example/unsubscribe/abc>"},
    }
    return mail_queue(Mail(**{**fields, **overrides}))


def test_a_queued_message_is_delivered_by_the_worker_and_its_content_not_kept(smtp, worker, organization):
    message = queue(organization)  # the transaction commits: the worker gets it

    ((sender, recipients, raw),) = smtp.received
    parsed = message_from_bytes(raw, policy=default_policy)
    assert recipients == ["reader@example.test"] and "monitr" in sender.lower()
    assert parsed["Subject"] == "Your week in Monitr" and parsed["List-Unsubscribe"]
    assert "€1.234,00" in parsed.get_body(preferencelist=("plain",)).get_content()
    assert "<strong>" in parsed.get_body(preferencelist=("html",)).get_content()
    message.refresh_from_db()
    assert (message.status, message.attempts, message.error, message.content) == (MailStatus.SENT, 1, "", {})
    assert message.sent_at is not None
    # Not even encrypted: the row no longer holds the text.
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM mail_mailmessage WHERE id = %s", [message.pk])
        stored = cursor.fetchone()[0]
    assert "1.234" not in stored and len(stored) < 200


def test_a_temporary_refusal_is_tried_again_until_the_server_takes_it(smtp, worker, organization):
    smtp.refusals = ["451 4.7.1 Greylisted, try again later", "421 4.3.0 Busy"]

    message = queue(organization)

    message.refresh_from_db()
    assert len(smtp.received) == 1
    assert (message.status, message.attempts) == (MailStatus.SENT, 3)


def test_a_permanent_refusal_is_given_up_at_once_and_says_why(smtp, worker, organization):
    smtp.refuse_recipients = "550 5.1.1 No such mailbox here"

    message = queue(organization, to="gone@example.test")

    message.refresh_from_db()
    assert (message.status, message.attempts, message.content) == (MailStatus.FAILED, 1, {})
    assert message.error.startswith("550") and "No such mailbox" in message.error
    assert smtp.received == []


def test_a_server_that_stays_away_is_tried_five_times_then_given_up(settings, worker, organization):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens on 9

    message = queue(organization)

    message.refresh_from_db()
    assert (message.status, message.attempts, message.content) == (MailStatus.FAILED, tasks.ATTEMPTS, {})
    assert "Connection" in message.error or "refused" in message.error.lower()


def test_what_the_broker_could_not_take_is_swept_to_the_worker_later(smtp, worker, organization, monkeypatch):
    def no_broker(*args, **kwargs):
        raise OperationalError("broker down")

    monkeypatch.setattr(tasks.mail_deliver, "delay", no_broker)
    message = queue(organization)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MailStatus.QUEUED, 0) and smtp.received == []
    assert tasks.mail_sweep() == 0  # not yet: it may still be on its way
    monkeypatch.undo()

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11)):
        assert tasks.mail_sweep() == 1

    message.refresh_from_db()
    assert message.status == MailStatus.SENT and len(smtp.received) == 1
    assert tasks.mail_sweep() == 0


def test_a_message_sent_while_someone_waits_is_recorded_and_a_refusal_raised(smtp, organization):
    sent = mail_send(Mail(MailKind.INVITATION, "a@example.test", "Hi", "x", organization=organization))
    assert sent.status == MailStatus.SENT and len(smtp.received) == 1

    smtp.refuse_recipients = "550 5.1.1 No such mailbox here"
    with pytest.raises(MailNotDelivered) as refused:
        mail_send(Mail(MailKind.INVITATION, "b@example.test", "Hi", "x", organization=organization))
    assert refused.value.permanent
    failed = MailMessage.objects.get(to="b@example.test")
    assert failed.status == MailStatus.FAILED and "550" in failed.error


def test_an_invitation_is_recorded_without_its_link_and_listed_for_admins_only(
    smtp, admin_client, member_client, organization
):
    answer = admin_client.post(
        reverse("tenancy:member_invite"), {"email": "new.colleague@example.test", "role": "member"}, follow=True
    )
    assert answer.status_code == 200
    ((_sender, _to, raw),) = smtp.received
    link = next(word for word in raw.decode().split() if "/organisation/join/" in word)
    record = MailMessage.objects.get()
    assert (record.kind, record.status) == (MailKind.INVITATION, MailStatus.SENT)
    assert record.to == "new.colleague@example.test"
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM mail_mailmessage")
        row = " ".join(str(value) for value in cursor.fetchone())
    assert link not in row and link.rsplit("/", 2)[-2] not in row

    # Another organisation's mail is not listed; the content never is.
    other = OrganizationFactory(name="Other BV")
    MailMessage.objects.create(organization=other, kind=MailKind.DIGEST, to="x@other.test", subject="Theirs")
    page = admin_client.get(reverse("mail:log"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "new.colleague@example.test" in html and "x@other.test" not in html and link not in html
    assert member_client.get(reverse("mail:log")).status_code in (403, 404)
    in_dutch = admin_client.get(reverse("mail:log"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Verstuurd" in in_dutch and "Aan" in in_dutch


def test_the_page_says_how_many_were_not_delivered_with_the_servers_answer(admin_client, organization):
    MailMessage.objects.create(
        organization=organization,
        kind=MailKind.ALERT,
        to="a@example.test",
        subject="Overdue above €10.000",
        status=MailStatus.FAILED,
        attempts=5,
        error="421 4.3.0 Busy",
    )
    MembershipFactory(organization=organization, role="member")
    html = admin_client.get(reverse("mail:log")).content.decode()
    assert 'data-mail-status="failed"' in html and "421 4.3.0 Busy" in html and "5 attempts" in html
