"""The e-mail digest: queued for the members whose day and hour have come (or all, with --now), delivered through a
real SMTP server on loopback, in each member's language, with the Outstanding Items dashboard's own figures (the
read API's), the change since the last digest, and an unsubscribe link that works without signing in."""

from __future__ import annotations

import datetime as dt
import re
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from ledger.models import OutstandingSide
from monitr.accounts.tokens import api_token_create
from monitr.web.templatetags.monitr_ui import money
from notify.models import DigestSubscription, Frequency
from notify.services import digests_send_due, is_due
from tests.dashboards.factories import Books, item
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)
AMSTERDAM = dt.timezone(dt.timedelta(hours=1))


def alpha_40_days_overdue(today: dt.date):
    return item(
        "r1",
        relation="rel-1",
        invoiced=today - dt.timedelta(days=70),
        due=today - dt.timedelta(days=40),
        total="1210.00",
    )


@pytest.fixture
def books(organization):
    books = Books.create(organization)
    books.relations("Alpha BV", "Beta & Zonen", "Gamma NV")
    today = timezone.localdate()
    books.open_items(
        OutstandingSide.RECEIVABLE,
        [
            alpha_40_days_overdue(today),
            item(
                "r2",
                relation="rel-2",
                invoiced=today - dt.timedelta(days=20),
                due=today - dt.timedelta(days=3),
                total="484.00",
                paid="84.00",
            ),
            item(
                "r3",
                relation="rel-3",
                invoiced=today - dt.timedelta(days=2),
                due=today + dt.timedelta(days=28),
                total="2420.00",
            ),
        ],
    )
    books.open_items(
        OutstandingSide.PAYABLE,
        [
            item(
                "p1",
                relation="rel-3",
                invoiced=today - dt.timedelta(days=45),
                due=today - dt.timedelta(days=15),
                total="605.00",
            )
        ],
    )
    return books


def received(smtp) -> dict[str, object]:
    return {recipients[0]: message_from_bytes(raw, policy=default_policy) for _sender, recipients, raw in smtp.received}


def test_the_digest_says_what_the_dashboard_says_in_each_members_language_and_stops_without_signing_in(
    smtp, worker, organization, admin_user, books
):
    dutch = MembershipFactory(organization=organization, role="member", user__email="boekhouder@example.test")
    dutch.user.language = "nl"
    dutch.user.save()

    call_command("send_digests", "--organization", organization.slug, "--now")

    mails = received(smtp)
    assert set(mails) == {admin_user.email, "boekhouder@example.test"}
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=admin_user, organization=organization, name='t').secret}"
    )
    for address, language in ((admin_user.email, "en-gb"), ("boekhouder@example.test", "nl")):
        mail = mails[address]
        html = mail.get_body(preferencelist=("html",)).get_content()
        text = mail.get_body(preferencelist=("plain",)).get_content()
        for side in ("receivable", "payable"):
            aging = client.get("/api/v1/outstanding-items/aging/", {"side": side}).json()
            with translation.override(language):
                total, overdue = money(aging["total"]), money(aging["overdue"])
            assert re.search(rf'data-figure="{side}-total">{re.escape(total)}<', html), (language, side, total)
            assert re.search(rf'data-figure="{side}-overdue">{re.escape(overdue)}', html), (language, side)
            assert total in text and overdue in text
        assert mail["List-Unsubscribe"] and mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    dutch_mail = mails["boekhouder@example.test"]
    assert (
        "vervallen" in dutch_mail["Subject"]
        and "Debiteuren" in dutch_mail.get_body(preferencelist=("plain",)).get_content()
    )
    assert "Alpha BV" in mails[admin_user.email].get_body(preferencelist=("plain",)).get_content()

    # The unsubscribe link works without signing in: a page that asks, and a POST (a mail client's one-click) that
    # stops it; the next run leaves the member out.
    link = re.search(r"<(https?://[^>]+)>", dutch_mail["List-Unsubscribe"]).group(1)
    path = link.split("://", 1)[1].partition("/")[2]
    anonymous = Client()
    assert anonymous.get(f"/{path}").status_code == 200
    assert "data-unsubscribed" in anonymous.post(f"/{path}").content.decode()
    assert DigestSubscription.objects.get(membership=dutch).frequency == Frequency.NONE
    assert anonymous.get(f"/{path[:-3]}xyz/").status_code == 404
    smtp.received.clear()
    assert digests_send_due(organization=organization, force=True) == 1
    assert set(received(smtp)) == {admin_user.email}


def test_the_next_digest_says_how_the_overdue_changed(smtp, worker, organization, admin_user, books):
    digests_send_due(organization=organization, force=True)
    first = DigestSubscription.objects.get(membership__user=admin_user)
    assert first.last_figures["receivable"]["overdue"] == "1610.00"
    today = timezone.localdate()
    books.open_items(
        OutstandingSide.RECEIVABLE,
        [alpha_40_days_overdue(today)],
    )
    smtp.received.clear()
    digests_send_due(organization=organization, force=True)
    text = received(smtp)[admin_user.email].get_body(preferencelist=("plain",)).get_content()
    assert "-€400.00 since the last digest" in text


@pytest.mark.parametrize(
    ("frequency", "weekday", "hour", "now", "last", "due"),
    [
        (Frequency.WEEKLY, 0, 8, dt.datetime(2026, 12, 7, 7, 59, tzinfo=AMSTERDAM), None, False),  # Monday, early
        (Frequency.WEEKLY, 0, 8, dt.datetime(2026, 12, 7, 8, 0, tzinfo=AMSTERDAM), None, True),
        (
            Frequency.WEEKLY,
            0,
            8,
            dt.datetime(2026, 12, 7, 15, 0, tzinfo=AMSTERDAM),
            dt.datetime(2026, 12, 7, 8, 2, tzinfo=AMSTERDAM),
            False,
        ),
        (Frequency.WEEKLY, 0, 8, dt.datetime(2026, 12, 8, 9, 0, tzinfo=AMSTERDAM), None, False),  # Tuesday
        (
            Frequency.WEEKLY,
            4,
            17,
            dt.datetime(2026, 12, 11, 17, 30, tzinfo=AMSTERDAM),
            dt.datetime(2026, 12, 4, 17, 2, tzinfo=AMSTERDAM),
            True,
        ),
        (Frequency.MONTHLY, 0, 8, dt.datetime(2027, 1, 1, 9, 0, tzinfo=AMSTERDAM), None, True),
        (Frequency.MONTHLY, 0, 8, dt.datetime(2027, 1, 2, 9, 0, tzinfo=AMSTERDAM), None, False),
        (Frequency.NONE, 0, 8, dt.datetime(2026, 12, 7, 9, 0, tzinfo=AMSTERDAM), None, False),
    ],
)
def test_a_digest_is_due_on_its_day_after_its_hour_once(frequency, weekday, hour, now, last, due):
    subscription = DigestSubscription(frequency=frequency, weekday=weekday, hour=hour, last_sent_at=last)
    assert is_due(subscription, now) is due


def test_a_member_chooses_their_digest_for_the_organisation_they_are_in(member_client, member_user, organization):
    page = member_client.get(reverse("notify:digest"))
    assert page.status_code == 200 and "Weekly" in page.content.decode()
    saved = member_client.post(reverse("notify:digest"), {"frequency": "monthly", "weekday": 0, "hour": 9}, follow=True)
    assert "Your digest choice is saved" in saved.content.decode()
    subscription = DigestSubscription.objects.get(membership__user=member_user, membership__organization=organization)
    assert (subscription.frequency, subscription.hour) == (Frequency.MONTHLY, 9)
    refused = member_client.post(reverse("notify:digest"), {"frequency": "hourly", "weekday": 0, "hour": 25})
    assert refused.status_code == 400
    assert DigestSubscription.objects.get(pk=subscription.pk).frequency == Frequency.MONTHLY
    in_dutch = member_client.get(reverse("notify:digest"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Maandelijks" in in_dutch


def test_the_digest_lists_the_follow_ups_due_with_links_to_their_relations(
    smtp, worker, organization, admin_user, books
):
    from dashboards.note_services import note_create

    today = timezone.localdate()
    note_create(
        relation=books.relation("rel-1"),
        side=OutstandingSide.RECEIVABLE,
        author=admin_user,
        text="Called Alpha: they pay after the board meets.",
        promised_on=today,
    )
    note_create(
        relation=books.relation("rel-2"),
        side=OutstandingSide.RECEIVABLE,
        author=admin_user,
        text="Ask Beta again next month.",
        follow_up_on=today + dt.timedelta(days=30),
    )
    digests_send_due(organization=organization, force=True)

    (mail,) = received(smtp).values()
    text = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "Follow-ups due" in text and "Called Alpha: they pay after the board meets." in text
    assert "Promised to pay on" in text
    assert "Ask Beta again" not in text  # not due yet
    assert 'data-follow-ups="1"' in html
    assert f"relation={books.relation('rel-1').pk}" in html
