"""Alerts, notifications and the digest choice in a real browser: an admin adds an alert, the check after a sync fires
it, the bell in the top bar counts it for a member, who opens the list (the count goes) and follows the alert; and a
member chooses a monthly digest. At a phone's width the bell stays in the top bar."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from ledger.models import OutstandingSide
from notify.alerts import alerts_check
from notify.models import AlertRule, DigestSubscription, Frequency
from tests.dashboards.factories import Books, item
from tests.e2e.test_sign_in import sign_in
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def organization(db):
    organization = OrganizationFactory(name="Demo BV")
    books = Books.create(organization)
    books.relations("Bakkerij Alpha", "Beta & Zonen")
    today = timezone.localdate()
    books.open_items(
        OutstandingSide.RECEIVABLE,
        [
            item(
                "r1",
                relation="rel-1",
                invoiced=today - dt.timedelta(days=60),
                due=today - dt.timedelta(days=30),
                total="2420.00",
            ),
            item(
                "r2",
                relation="rel-2",
                invoiced=today - dt.timedelta(days=20),
                due=today - dt.timedelta(days=5),
                total="300.00",
            ),
        ],
    )
    return organization


def test_an_admin_adds_an_alert_and_a_member_sees_it_by_the_bell(
    page: Page, browser: Browser, organization, live_server
):
    admin = MembershipFactory(organization=organization, role="admin", user__email="admin@demo.example").user
    member = MembershipFactory(organization=organization, role="member", user__email="sanne@demo.example").user

    sign_in(page, admin.email)
    page.get_by_role("complementary", name="Main navigation").get_by_role("link", name="Alerts").click()
    expect(page.get_by_role("heading", name="Alerts", exact=True)).to_be_visible()
    page.get_by_label("Alert when").select_option("relation_overdue_amount")
    page.get_by_label("Threshold").fill("1000")
    page.get_by_role("button", name="Add alert").click()
    expect(page.get_by_text("Alert added: A relation's overdue receivables above €1,000.00")).to_be_visible()
    expect(page.get_by_text("You follow it")).to_be_visible()
    assert AlertRule.objects.get().followers.get().user == admin

    # The next sync's end checks it: Bakkerij Alpha is over.
    [told] = alerts_check(organization=organization)
    assert told.subject_name == "Bakkerij Alpha"

    colleague = browser.new_page(base_url=live_server.url, viewport={"width": 1366, "height": 860})
    sign_in(colleague, member.email)
    bell = colleague.get_by_role("link", name="Notifications: 1 new")
    expect(bell).to_be_visible()
    expect(bell.locator(".bell-badge")).to_have_text("1")
    colleague.screenshot(path="test-results/notifications-badge.png")
    bell.click()
    expect(colleague.get_by_role("heading", name="Notifications", exact=True)).to_be_visible()
    entry = colleague.locator('[data-notification="relation_overdue_amount"]')
    expect(entry).to_contain_text("Bakkerij Alpha owes €2,420.00 overdue, more than €1,000.00.")
    expect(entry.get_by_text("New")).to_be_visible()
    # Seen: the bell has no count any more.
    expect(colleague.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    expect(colleague.locator(".bell-badge")).to_have_count(0)

    # The link goes to the relation's open items; the member follows the alert, and may not delete it.
    entry.get_by_role("link", name="View").click()
    expect(colleague.get_by_text("Bakkerij Alpha").first).to_be_visible()
    colleague.go_back()
    colleague.get_by_role("link", name="Alerts", exact=True).first.click()
    expect(colleague.get_by_role("button", name="Delete")).to_have_count(0)
    colleague.get_by_role("button", name="Follow").click()
    expect(colleague.get_by_text("You get an e-mail when this alert fires.")).to_be_visible()
    assert AlertRule.objects.get().followers.count() == 2

    # On a phone the bell stays in the top bar beside the menu.
    colleague.set_viewport_size({"width": 390, "height": 844})
    colleague.goto("/dashboards/outstanding/")
    expect(colleague.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    box = colleague.get_by_role("link", name="Notifications", exact=True).bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390


def test_a_member_chooses_a_monthly_digest(page: Page, organization):
    member = MembershipFactory(organization=organization, role="member", user__email="sanne@demo.example")
    sign_in(page, member.user.email)
    page.get_by_role("complementary", name="Main navigation").get_by_role("link", name="E-mail digest").click()
    expect(page.get_by_role("heading", name="E-mail digest")).to_be_visible()
    page.get_by_label("Monthly, on the first").check()
    page.get_by_label("At", exact=True).select_option("7")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your digest choice is saved.")).to_be_visible()
    choice = DigestSubscription.objects.get(membership=member)
    assert (choice.frequency, choice.hour) == (Frequency.MONTHLY, 7)
    expect(page.get_by_label("Monthly, on the first")).to_be_checked()
