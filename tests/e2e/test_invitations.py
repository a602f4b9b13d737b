"""Inviting a colleague in a real browser: the admin invites on the Members page, the e-mail is read from Django's
outbox, the colleague opens its link, chooses a password and lands signed in on the organisation's dashboard. And a
wrong address shows Monitr's own 404, not Django's debug page."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_sign_in import sign_in
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin(db):
    return MembershipFactory(
        organization=OrganizationFactory(name="Demo BV"), role="admin", user__email="demo@monitr.local"
    ).user


def test_an_admin_invites_a_colleague_who_joins_by_the_e_mails_link(page: Page, browser: Browser, admin, live_server):
    sign_in(page, admin.email)
    page.get_by_role("complementary", name="Main navigation").get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", name="Members of Demo BV")).to_be_visible()

    page.get_by_label("E-mail address").fill("sanne@bakkerij.example")
    page.get_by_label("Role").select_option("member")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to sanne@bakkerij.example")).to_be_visible()
    pending = page.locator('[data-invitation="sanne@bakkerij.example"]')
    expect(pending.get_by_text("Pending")).to_be_visible()
    page.screenshot(path="test-results/members-invited.png", full_page=True)

    [message] = mail.outbox
    assert message.to == ["sanne@bakkerij.example"]
    link = re.search(r"https?://\S+/organisation/join/\S+/", message.body)[0]
    assert link.startswith(live_server.url)

    # The colleague, in a browser of their own.
    colleague = browser.new_page(base_url=live_server.url, viewport={"width": 1360, "height": 860})
    colleague.goto(link)
    expect(colleague.get_by_role("heading", name="Join Demo BV")).to_be_visible()
    assert colleague.url.endswith("/organisation/join/")  # the secret is gone from the address bar
    colleague.get_by_label("First name").fill("Sanne")
    colleague.get_by_label("Last name").fill("de Boer")
    colleague.get_by_label("Password", exact=True).fill("lemon meringue 1987")
    colleague.get_by_label("Password again").fill("lemon meringue 1987")
    colleague.screenshot(path="test-results/invitation-accept.png", full_page=True)
    colleague.get_by_role("button", name="Join and sign in").click()

    expect(colleague).to_have_url(re.compile(r"/dashboards/"))
    expect(colleague.get_by_text("Welcome to Demo BV")).to_be_visible()
    expect(colleague.get_by_role("complementary", name="Main navigation")).to_be_visible()
    expect(colleague.get_by_text("Sanne de Boer")).to_be_visible()
    colleague.screenshot(path="test-results/invitation-joined.png", full_page=True)

    colleague.goto(link)  # the link works once
    expect(colleague.get_by_role("heading", name="This invitation link no longer works")).to_be_visible()
    colleague.close()

    page.reload()  # the admin sees the colleague among the members, no longer pending
    expect(page.locator('[data-member="sanne@bakkerij.example"]')).to_be_visible()
    expect(page.locator('[data-invitation="sanne@bakkerij.example"]')).to_have_count(0)


def test_a_wrong_address_shows_monitrs_404_not_a_debug_page(page: Page, admin):
    sign_in(page, admin.email)

    response = page.goto("/dashboards/no-such-page/")

    assert response.status == 404
    expect(page.get_by_role("heading", name="This page does not exist")).to_be_visible()
    expect(page.get_by_role("complementary", name="Main navigation")).to_be_visible()
    expect(page.get_by_text("URLconf")).to_have_count(0)
    page.screenshot(path="test-results/error-404.png", full_page=True)
    page.get_by_role("link", name="Back to Monitr").click()
    expect(page).to_have_url(re.compile(r"/dashboards/"))
