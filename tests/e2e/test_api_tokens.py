"""Personal API tokens in a real browser: made and shown once, then revoked."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.factories import TEST_PASSWORD, MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def token_user(db):
    membership = MembershipFactory(organization=OrganizationFactory(name="Demo BV"), user__email="demo@monitr.local")
    return membership.user


def test_a_token_is_made_shown_once_and_revoked(page: Page, token_user):
    page.goto("/login/")
    page.get_by_label("E-mail address").fill(token_user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("complementary", name="Main navigation").get_by_role("link", name="API tokens").click()

    page.get_by_label("Name").fill("Power BI")
    page.get_by_role("button", name="Make token").click()
    expect(page.get_by_text("it is shown only this once")).to_be_visible()
    secret = page.locator("[data-token]").inner_text()
    assert secret.startswith("mtr_")
    page.screenshot(path="test-results/api-token-made.png", full_page=True)

    page.reload()
    expect(page.locator("[data-token]")).to_have_count(0)
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("Token revoked")).to_be_visible()
    expect(page.get_by_text("revoked", exact=False).last).to_be_visible()
    page.screenshot(path="test-results/api-token-revoked.png", full_page=True)
