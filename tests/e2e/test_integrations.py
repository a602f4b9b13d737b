"""An admin connects e-Boekhouden in a real browser, against the sandbox, and manages the connection."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from integrations.models import Connection, Integration
from ledger.models import Administration, Transaction
from tests.factories import TEST_PASSWORD, MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def admin(db):
    organization = OrganizationFactory(name="Bakkerij Jansen BV")
    return MembershipFactory(organization=organization, role="admin").user


@pytest.fixture
def sandbox(settings, eboekhouden_sandbox, eboekhouden_sandbox_administration):
    settings.EBOEKHOUDEN_REST_URL = eboekhouden_sandbox.rest_url
    settings.EBOEKHOUDEN_SOAP_URL = eboekhouden_sandbox.soap_url
    return eboekhouden_sandbox, eboekhouden_sandbox_administration


def sign_in(page: Page, email: str) -> None:
    page.goto("/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def open_card(page: Page):
    page.get_by_role("complementary", name="Main navigation").get_by_role("link", name="Integrations").click()
    page.get_by_role("tab", name="Accounting Software").click()
    return page.get_by_role("region", name="e-Boekhouden")


def connect(page: Page, key: str, company: str) -> None:
    open_card(page).get_by_role("link", name="Add").click()
    page.get_by_label("API Key").fill(key)
    page.get_by_role("button", name="Next").click()
    page.get_by_role("radio", name=re.compile(re.escape(company))).check()
    page.get_by_role("button", name="Connect").click()


def test_an_admin_connects_e_boekhouden_and_the_first_import_succeeds(page: Page, admin, sandbox, eager_worker):
    _server, info = sandbox
    sign_in(page, admin.email)

    connect(page, info.api_token, info.company)

    card = page.get_by_role("region", name="e-Boekhouden")
    connection = card.get_by_role("listitem", name=info.company)
    expect(connection).to_be_visible()
    expect(connection.locator("[data-status]")).to_have_text("Succeeded", timeout=30_000)
    expect(connection).to_contain_text("Last successful import")
    expect(page.get_by_text(info.api_token)).to_have_count(0)
    assert Transaction.objects.filter(administration__external_id=info.guid).count() == info.mutations + 1
    page.screenshot(path="test-results/integrations-connected.png", full_page=True)


def test_a_wrong_key_shows_its_message_and_creates_nothing(page: Page, admin, sandbox):
    sign_in(page, admin.email)
    open_card(page).get_by_role("link", name="Add").click()

    page.get_by_label("API Key").fill("0" * 48)
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_role("alert")).to_contain_text("did not accept this API key")
    expect(page.get_by_label("API Key")).to_have_value("")
    assert not Integration.objects.exists() and not Connection.objects.exists()
    page.screenshot(path="test-results/integrations-wrong-key.png", full_page=True)


def test_update_key_after_a_password_change_reconnects_without_losing_data(page: Page, admin, sandbox, eager_worker):
    server, info = sandbox
    sign_in(page, admin.email)
    connect(page, info.api_token, info.company)
    expect(page.locator("[data-status]")).to_have_text("Succeeded", timeout=30_000)
    imported = Transaction.objects.count()
    rotated = server.rotate_token(info.guid)
    page.get_by_role("button", name="Settings").click()
    page.get_by_role("menuitem", name="Sync now").click()
    expect(page.locator("[data-status]")).to_have_text("Reconnect needed", timeout=30_000)
    expect(page.get_by_text("did not accept this API key")).to_be_visible()

    page.get_by_role("button", name="Settings").click()
    page.get_by_role("menuitem", name="Update API key").click()
    page.get_by_label("API Key").fill(rotated.api_token)
    page.get_by_role("button", name="Update and sync").click()

    expect(page.locator("[data-status]")).to_have_text("Succeeded", timeout=30_000)
    assert Transaction.objects.count() == imported
    assert Connection.objects.get().runs.count() == 3


def test_remove_connection_keeps_the_data_and_delete_integration_removes_it(page: Page, admin, sandbox, eager_worker):
    _server, info = sandbox
    sign_in(page, admin.email)
    connect(page, info.api_token, info.company)
    expect(page.locator("[data-status]")).to_have_text("Succeeded", timeout=30_000)

    page.get_by_role("button", name="Settings").click()
    page.get_by_role("menuitem", name="Remove connection").click()
    page.get_by_role("button", name="Remove connection").click()

    expect(page.get_by_text("is disconnected")).to_be_visible()
    assert not Connection.objects.exists()
    assert Transaction.objects.exists() and Administration.objects.get().disconnected_at is not None

    page.get_by_role("button", name="Settings").click()
    page.get_by_role("menuitem", name="Delete integration").click()
    page.get_by_label("Also delete the imported data").check()
    page.get_by_label(re.compile("to confirm")).fill("Bakkerij Jansen BV")
    page.get_by_role("button", name="Delete integration").click()

    expect(page.get_by_text("integration is deleted")).to_be_visible()
    assert not Integration.objects.exists() and not Administration.objects.exists()
    assert not Transaction.objects.exists()


def test_a_member_sees_the_status_but_no_add_and_no_gear(page: Page, admin, sandbox):
    _server, info = sandbox
    organization = admin.memberships.get().organization
    member = MembershipFactory(organization=organization, role="member").user
    integration = Integration.objects.create(organization=organization, provider_key="eboekhouden")
    administration = Administration.objects.create(
        organization=organization, provider="eboekhouden", external_id=info.guid, name=info.company
    )
    Connection.objects.create(
        integration=integration, administration=administration, credentials={"api_token": info.api_token}
    )
    sign_in(page, member.email)

    card = open_card(page)

    expect(card.get_by_role("listitem", name=info.company)).to_be_visible()
    expect(card.get_by_role("link", name="Add")).to_have_count(0)
    expect(card.get_by_role("button", name="Settings")).to_have_count(0)
