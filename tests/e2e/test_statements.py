"""The general-ledger dashboards in a real browser: overview → P&L → a line's accounts → an account → a transaction."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ledger.records import AccountKind, AccountRecord
from ledger.services import accounts_upsert
from tests.dashboards.factories import PAYABLE, RECEIVABLE, Books
from tests.factories import TEST_PASSWORD, MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ledger_user(db):
    today = timezone.localdate()
    organization = OrganizationFactory(name="Demo BV")
    membership = MembershipFactory(organization=organization, role="admin", user__email="demo@monitr.local")
    books = Books.create(organization, name="Demo Trading BV")
    accounts_upsert(
        administration=books.administration,
        rows=[AccountRecord(external_id="stock", code="3000", name="Voorraad", kind=AccountKind.BALANCE_SHEET)],
    )
    books.relations("Bakkerij de Vries", "Jansen Installatie", "<b>Hostile</b> & Co")
    for year in (today.year - 1, today.year):
        for month in range(1, (today.month if year == today.year else 12) + 1):
            day = date(year, month, 5)
            books.invoice(f"s{year}{month}", side=RECEIVABLE, day=day, amount=str(2420 + 121 * month), relation="rel-1")
            books.invoice(f"t{year}{month}", side=RECEIVABLE, day=day, amount="605.00", relation="rel-3")
            books.invoice(f"p{year}{month}", side=PAYABLE, day=day, amount="968.00", relation="rel-2")
            books.payment(f"b{year}{month}", day=date(year, month, 20), amount="2000.00")
    return membership.user


def assert_fits_without_scrolling(page: Page) -> None:
    """A statement of twelve months fits the 1360 px window: no sideways scrolling inside the table's box."""
    box = page.locator(".table-scroll")
    assert box.evaluate("el => el.scrollWidth - el.clientWidth") <= 0


def sign_in(page: Page, email: str) -> None:
    page.goto("/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_overview_to_pnl_to_an_account_to_a_transaction(page: Page, ledger_user):
    sign_in(page, ledger_user.email)
    page.get_by_role("complementary", name="Main navigation").get_by_role("link", name="Overview").click()

    expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible()
    expect(page.locator("#overview-chart")).to_be_visible()
    expect(page.locator(".dimensions-note")).to_be_visible()
    page.screenshot(path="test-results/gl-overview.png", full_page=True)

    page.get_by_role("complementary", name="Main navigation").get_by_role("link", name="Profit and loss").click()
    expect(page.get_by_role("heading", name="Profit and loss", exact=True)).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("^Net result"))).to_be_visible()
    page.screenshot(path="test-results/gl-pnl.png", full_page=True)
    page.goto(f"/dashboards/pnl/?year={timezone.localdate().year - 1}")
    expect(page.locator(".statement-table thead th.num")).to_have_count(12 + 3)
    assert_fits_without_scrolling(page)
    page.screenshot(path="test-results/gl-pnl-twelve-months.png", full_page=True)
    page.go_back()

    page.locator('[data-line="revenue"] th a').click()
    expect(page.get_by_role("heading", name="Revenue", exact=True)).to_be_visible()
    page.screenshot(path="test-results/gl-pnl-revenue.png", full_page=True)

    page.get_by_role("link", name="Revenue", exact=True).click()
    expect(page.get_by_role("heading", name="8000 Revenue")).to_be_visible()
    expect(page.get_by_text("<b>Hostile</b> & Co").first).to_be_visible()  # escaped, not markup
    page.screenshot(path="test-results/gl-account.png", full_page=True)

    page.locator(".lines-table tbody a").first.click()
    expect(page.get_by_role("heading", name=re.compile(r"^Invoice sent s"))).to_be_visible()
    expect(page.get_by_text("balanced", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="1300 Debtors")).to_be_visible()
    page.screenshot(path="test-results/gl-transaction.png", full_page=True)


def test_the_balance_sheet_and_the_mapping_page(page: Page, ledger_user):
    sign_in(page, ledger_user.email)
    page.goto("/dashboards/balance-sheet/")
    expect(page.get_by_role("heading", name="Balance sheet", exact=True)).to_be_visible()
    expect(page.get_by_text("1 account is not mapped")).to_be_visible()
    page.screenshot(path="test-results/gl-balance-sheet.png", full_page=True)
    page.goto(f"/dashboards/balance-sheet/?year={timezone.localdate().year - 1}")
    assert_fits_without_scrolling(page)
    page.go_back()

    page.get_by_role("link", name="Map it").click()
    expect(page.get_by_role("heading", name="Account mapping")).to_be_visible()
    page.get_by_label("Line of 3000").select_option(label="Fixed assets")
    page.get_by_role("row", name=re.compile("3000")).get_by_role("button", name="Save").click()
    expect(page.get_by_text("3000 Voorraad saved.")).to_be_visible()
    page.screenshot(path="test-results/gl-mapping.png", full_page=True)

    page.get_by_role("complementary", name="Main navigation").get_by_role("link", name="Data checks").click()
    expect(page.get_by_role("heading", name="Data checks")).to_be_visible()
    expect(page.locator('[data-check="unmapped"]')).to_have_text("0")
    page.screenshot(path="test-results/gl-data-checks.png", full_page=True)


def test_a_six_figure_balance_sheet_fits_a_laptop_and_opens_at_the_periods_figures_on_a_phone(page: Page, db):
    today = timezone.localdate()
    organization = OrganizationFactory(name="Groot BV")
    membership = MembershipFactory(organization=organization, user__email="groot@monitr.local")
    books = Books.create(organization, name="Groot Handel BV")
    books.relations("Bouwbedrijf de Bruijn Nederland B.V.")
    for year in (today.year - 1, today.year):
        for month in range(1, 13):
            books.invoice(f"s{year}{month}", side=RECEIVABLE, day=date(year, month, 5), amount="15125.75")
    sign_in(page, membership.user.email)

    page.goto(f"/dashboards/balance-sheet/?year={today.year}&month=12")
    expect(page.locator('[data-figure="total-assets"]')).to_contain_text(re.compile(r"^\d{3},\d{3}\.\d{2}$"))
    assert_fits_without_scrolling(page)

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    box = page.locator(".table-scroll")
    assert box.evaluate("el => el.scrollWidth > el.clientWidth && el.scrollLeft > 0")
    figure, name = (
        page.locator('[data-figure="receivables"]'),
        page.locator('.statement-line[data-line="receivables"] th'),
    )
    expect(figure).to_be_in_viewport(ratio=1)
    expect(name).to_be_in_viewport()
    expect(page.locator(".statement-heading th > span").first).to_be_in_viewport(ratio=1)  # "Assets" stays in view
    # The period's figure starts beside the line names, not under them.
    assert figure.bounding_box()["x"] >= name.bounding_box()["x"] + name.bounding_box()["width"] - 1


def test_the_transactions_explorer_filters_and_opens_a_transaction(page: Page, ledger_user):
    sign_in(page, ledger_user.email)
    page.get_by_role("complementary", name="Main navigation").get_by_role("link", name="Transactions").click()
    expect(page.get_by_role("heading", name="Transactions", exact=True)).to_be_visible()

    page.get_by_label("Type").select_option(label="Invoice received")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("cell", name="Invoice sent")).to_have_count(0)
    expect(page.get_by_role("cell", name="Invoice received").first).to_be_visible()
    page.screenshot(path="test-results/gl-transactions.png", full_page=True)

    page.locator(".explorer-table tbody a").first.click()
    expect(page.get_by_role("heading", name=re.compile(r"^Invoice received p"))).to_be_visible()
