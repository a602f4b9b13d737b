"""A person signs in, finds the sidebar, switches organisation and signs out, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import TEST_PASSWORD, MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_user(db):
    demo = OrganizationFactory(name="Demo BV")
    other = OrganizationFactory(name="Zeeland Accountants")
    membership = MembershipFactory(organization=demo, role="admin", user__email="demo@monitr.local")
    MembershipFactory(organization=other, user=membership.user, role="member")
    MembershipFactory(organization=other, user__email="stranger@zeeland.example")
    return membership.user


def sign_in(page: Page, email: str) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/"))
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_user_signs_in_and_sees_the_sidebar(page: Page, demo_user):
    sign_in(page, demo_user.email)

    sidebar = page.get_by_role("complementary", name="Main navigation")
    expect(sidebar).to_be_visible()
    for link in ("Outstanding Items", "Integrations", "Members"):
        expect(sidebar.get_by_role("link", name=link)).to_be_visible()
    sidebar.get_by_role("link", name="Members").click()
    expect(sidebar.get_by_role("link", name="Members")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("heading", name="Members of Demo BV")).to_be_visible()
    page.screenshot(path="test-results/sign-in-members.png", full_page=True)


def test_a_wrong_password_keeps_the_user_out_with_a_message(page: Page, demo_user):
    page.goto("/login/")
    page.get_by_label("E-mail address").fill(demo_user.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_contain_text("do not match an account")
    expect(page).to_have_url(re.compile(r"/login/"))


def test_switching_organisation_in_the_top_bar_shows_the_other_organisations_page(page: Page, demo_user):
    sign_in(page, demo_user.email)
    page.goto("/organisation/members/")

    page.get_by_label("Organisation").select_option(label="Zeeland Accountants")

    expect(page.get_by_role("heading", name="Members of Zeeland Accountants")).to_be_visible()
    expect(page.get_by_text("stranger@zeeland.example")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="Members of Zeeland Accountants")).to_be_visible()


def test_signing_out_from_the_user_menu(page: Page, demo_user):
    sign_in(page, demo_user.email)

    page.get_by_label("User menu").click()
    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(re.compile(r"/login/"))
    page.goto("/organisation/members/")
    expect(page).to_have_url(re.compile(r"/login/\?next="))
