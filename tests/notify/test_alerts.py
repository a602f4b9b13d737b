"""Alerts: each rule fires once per crossing (not every check while it holds, and again after it stopped holding),
shows in every member's notification list with a badge, goes by e-mail to the members who follow it in their
language, and keeps to its organisation. The imports' alerts fire from the end of a real sync against the sandbox:
a key that stopped working, and an import failing twice in a row."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from integrations.models import ConnectionStatus, SyncRun, SyncRunStatus
from integrations.sync.engine import sync_run_execute
from ledger.models import OutstandingSide
from monitr.tenancy.models import Membership
from notify.alerts import alerts_check
from notify.models import AlertKind, AlertRule, AlertState, Notification
from tests.connections import connect, sync
from tests.dashboards.factories import Books, item
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)
RECEIVABLE = OutstandingSide.RECEIVABLE


def overdue(external_id: str, relation: str, total: str, days: int, today: dt.date):
    return item(
        external_id,
        relation=relation,
        invoiced=today - dt.timedelta(days=days + 30),
        due=today - dt.timedelta(days=days),
        total=total,
    )


@pytest.fixture
def books(organization):
    books = Books.create(organization)
    books.relations("Alpha BV", "Beta & Zonen")
    today = timezone.localdate()
    books.open_items(
        RECEIVABLE,
        [
            overdue("r1", "rel-1", "1210.00", 40, today),
            overdue("r2", "rel-2", "400.00", 5, today),
            item("r3", relation="rel-2", invoiced=today, due=today + dt.timedelta(days=30), total="600.00"),
        ],
    )
    return books


def rule(organization, kind: AlertKind, *, follow: list[Membership] = (), **threshold) -> AlertRule:
    made = AlertRule.objects.create(organization=organization, kind=kind, side=RECEIVABLE, **threshold)
    made.followers.set(follow)
    return made


def received(smtp) -> list:
    return [message_from_bytes(raw, policy=default_policy) for _sender, _recipients, raw in smtp.received]


def unseen(user, organization) -> int:
    return Membership.objects.get(user=user, organization=organization).notifications_unseen


def test_a_relation_alert_fires_once_per_crossing_with_a_badge_and_an_email_to_its_followers(
    smtp, worker, organization, admin_user, member_user, books
):
    admin = Membership.objects.get(user=admin_user)
    above = rule(organization, AlertKind.RELATION_OVERDUE_AMOUNT, amount=Decimal("1000.00"), follow=[admin])

    made = alerts_check(organization=organization)
    assert [(n.subject_name, n.values["value"]) for n in made] == [("Alpha BV", "1210.00")]
    assert unseen(admin_user, organization) == unseen(member_user, organization) == 1
    mails = received(smtp)
    assert [m["To"] for m in mails] == [admin_user.email]  # the follower only
    assert "Alpha BV owes €1,210.00 overdue, more than €1,000.00." in mails[0].get_body(("plain",)).get_content()

    # Still above: told once, not at every check.
    assert alerts_check(organization=organization) == []
    assert unseen(member_user, organization) == 1 and len(received(smtp)) == 1

    # Paid: the crossing is over. Overdue again: a new crossing, told again.
    today = timezone.localdate()
    books.open_items(RECEIVABLE, [overdue("r2", "rel-2", "400.00", 5, today)])
    assert alerts_check(organization=organization) == []
    assert not AlertState.objects.filter(rule=above).exists()
    books.open_items(
        RECEIVABLE, [overdue("r4", "rel-1", "1500.00", 3, today), overdue("r2", "rel-2", "400.00", 5, today)]
    )
    again = alerts_check(organization=organization)
    assert [n.values["value"] for n in again] == ["1500.00"]
    assert Notification.objects.filter(organization=organization).count() == 2
    assert unseen(member_user, organization) == 2


def test_the_totals_share_and_dso_rules_measure_what_the_dashboard_shows(organization, admin_client, books):
    today = timezone.localdate()
    # 1,610 overdue of 2,210 open: 72.9 %.
    rule(organization, AlertKind.TOTAL_OVERDUE_AMOUNT, amount=Decimal("1600"))
    rule(organization, AlertKind.TOTAL_OVERDUE_SHARE, percent=Decimal("75"))
    rule(organization, AlertKind.DAYS_OUTSTANDING, days=30)
    # 2,210 open against 3,000 invoiced in 90 days: DSO 66.3 days.
    books.invoice("s1", side=RECEIVABLE, day=today - dt.timedelta(days=10), amount="3000.00")

    made = {n.kind: n.values["value"] for n in alerts_check(organization=organization)}
    assert made == {AlertKind.TOTAL_OVERDUE_AMOUNT: "1610.00", AlertKind.DAYS_OUTSTANDING: "66.3"}

    page = admin_client.get(reverse("dashboards:outstanding"))
    assert page.context["aging"].overdue == Decimal("1610.00")
    assert page.context["aging"].overdue_share == Decimal("72.9")  # below 75 %: no alert
    AlertRule.objects.filter(kind=AlertKind.TOTAL_OVERDUE_SHARE).update(percent=Decimal("70"))
    assert [n.values["value"] for n in alerts_check(organization=organization)] == ["72.9"]


def test_a_key_that_stopped_working_and_an_import_failing_twice_alert_from_the_end_of_the_sync(
    smtp, worker, organization, admin_user, sandbox_settings, eboekhouden_sandbox
):
    admin = Membership.objects.get(user=admin_user)
    admin_user.language = "nl"
    admin_user.save()
    rule(organization, AlertKind.RECONNECT_NEEDED, follow=[admin])
    failing = rule(organization, AlertKind.SYNC_FAILING, follow=[admin])
    info = eboekhouden_sandbox.add_administration(mutations=60, seed="alerts/1")
    try:
        connection = connect(organization, info)
        sync(connection)
        assert not Notification.objects.exists()

        # The source refuses the key: the run fails, the connection needs a reconnect, the alert is told at once.
        eboekhouden_sandbox.revoke_token(info.guid)
        outcome = sync_run_execute(connection_id=connection.pk, trigger="manual")
        assert outcome.status == SyncRunStatus.FAILED
        connection.refresh_from_db()
        assert connection.status == ConnectionStatus.RECONNECT_NEEDED
        told = Notification.objects.get(kind=AlertKind.RECONNECT_NEEDED)
        assert told.subject_name == info.company and told.link == reverse("integrations:index")
        # One failed run is not "failing twice".
        assert not Notification.objects.filter(kind=AlertKind.SYNC_FAILING).exists()

        # A second failed run (the worker's retry of a failing import) is.
        SyncRun.objects.create(
            connection=connection,
            administration=connection.administration,
            trigger="schedule",
            status=SyncRunStatus.FAILED,
            finished_at=timezone.now(),
        )
        alerts_check(organization=organization)
        assert Notification.objects.filter(rule=failing).count() == 1

        # In the follower's language, and never the key.
        mails = received(smtp)
        assert len(mails) == 2
        text = mails[0].get_body(("plain",)).get_content()
        assert "werkt niet meer" in text and info.api_token not in text
        assert all(info.api_token not in m.as_string() for m in mails)

        # Working again: both crossings end; nothing is told twice.
        eboekhouden_sandbox.restore_token(info.guid)
        connection.status = ConnectionStatus.SUCCEEDED
        connection.save(update_fields=["status"])
        sync(connection)
        assert not AlertState.objects.filter(rule__organization=organization).exists()
        assert Notification.objects.count() == 2
    finally:
        eboekhouden_sandbox.remove_administration(info.guid)


def test_the_list_marks_seen_and_reads_in_each_members_language(organization, admin_user, member_user, books):
    rule(organization, AlertKind.RELATION_OVERDUE_DAYS, days=30)
    alerts_check(organization=organization)
    member_user.language = "nl"
    member_user.save()
    client = Client()
    client.force_login(member_user)

    dashboard = client.get(reverse("dashboards:outstanding")).content.decode()
    assert 'data-notifications="1"' in dashboard and 'class="bell-badge"' in dashboard

    page = client.get(reverse("notify:notifications"))
    html = page.content.decode()
    assert 'data-new="1"' in html
    with translation.override("nl"):
        assert Notification.objects.get().text() in html
    assert "Alpha BV heeft een factuur die 40 dagen vervallen is" in html
    assert unseen(member_user, organization) == 0 and unseen(admin_user, organization) == 1
    assert 'data-notifications="0"' in client.get(reverse("notify:notifications")).content.decode()


def test_admins_set_rules_members_follow_them_and_another_organisation_sees_none(
    organization, other_organization, admin_client, member_client, member_user, books
):
    assert admin_client.get(reverse("notify:alerts")).status_code == 200
    # A threshold as the kind asks for it.
    refused = admin_client.post(reverse("notify:alert_add"), {"kind": "relation_overdue_days", "side": "receivable"})
    assert refused.status_code == 400 and "needs a threshold" in refused.content.decode()
    refused = admin_client.post(
        reverse("notify:alert_add"), {"kind": "relation_overdue_days", "side": "receivable", "threshold": "2.5"}
    )
    assert refused.status_code == 400
    added = admin_client.post(
        reverse("notify:alert_add"),
        {"kind": "total_overdue_amount", "side": "receivable", "threshold": "1000", "follow": "on"},
    )
    assert added.status_code == 302
    made = AlertRule.objects.get()
    assert made.amount == Decimal("1000.00") and made.created_by.is_admin and made.followers.count() == 1

    # A member reads, follows and leaves; may not add or delete.
    assert "Overdue receivables above €1,000.00" in member_client.get(reverse("notify:alerts")).content.decode()
    assert member_client.post(reverse("notify:alert_add"), {"kind": "reconnect_needed"}).status_code == 403
    assert member_client.post(reverse("notify:alert_delete", args=[made.pk])).status_code == 403
    member_client.post(reverse("notify:alert_follow", args=[made.pk]), {"follow": "1"})
    assert made.followers.filter(user=member_user).exists()
    member_client.post(reverse("notify:alert_follow", args=[made.pk]), {"follow": "0"})
    assert not made.followers.filter(user=member_user).exists()

    # Another organisation: its rule, checked, tells nothing here, and its pages do not reach this one's.
    theirs = rule(other_organization, AlertKind.TOTAL_OVERDUE_AMOUNT, amount=Decimal("0"))
    assert alerts_check(organization=other_organization) == []  # they have no overdue items
    alerts_check(organization=organization)
    other = MembershipFactory(organization=other_organization, role="admin").user
    client = Client()
    client.force_login(other)
    assert "Overdue receivables are" not in client.get(reverse("notify:notifications")).content.decode()
    assert client.post(reverse("notify:alert_delete", args=[made.pk])).status_code == 404
    assert client.post(reverse("notify:alert_follow", args=[made.pk])).status_code == 404
    assert admin_client.post(reverse("notify:alert_delete", args=[theirs.pk])).status_code == 404
    assert admin_client.post(reverse("notify:alert_delete", args=[made.pk])).status_code == 302
    assert not AlertRule.objects.filter(pk=made.pk).exists()
    assert Notification.objects.filter(organization=organization).exists()  # the list keeps what was told


def test_check_alerts_command(organization, books):
    rule(organization, AlertKind.TOTAL_OVERDUE_AMOUNT, amount=Decimal("100"))
    from io import StringIO

    out = StringIO()
    call_command("check_alerts", "--organization", organization.slug, stdout=out)
    assert "Overdue receivables are €1,610.00, more than €100.00." in out.getvalue()
    assert out.getvalue().strip().endswith("1 alert fired.")
