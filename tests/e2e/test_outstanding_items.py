"""The Outstanding Items dashboard in a real browser: tabs, an earlier day, a relation's invoices (and the chart of
them against their payment dates), both exports."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.dashboards.factories import PAYABLE, RECEIVABLE, Books, item, random_items
from tests.dashboards.paying import build, invoice
from tests.e2e.test_layout import LAYOUT_PROBLEMS
from tests.factories import TEST_PASSWORD, MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dashboard_user(db):
    today = timezone.localdate()
    organization = OrganizationFactory(name="Demo BV")
    membership = MembershipFactory(organization=organization, role="admin", user__email="demo@monitr.local")
    books = Books.create(organization, name="Demo Trading BV")
    names = ["Bakkerij de Vries", "Jansen Installatie", "<b>Hostile</b> & Co", "Van Dijk Logistiek", "Smit Design"]
    books.relations(*names)
    relations = [f"rel-{n}" for n in range(1, len(names) + 1)]
    for days_ago, count in ((60, 24), (30, 30), (7, 34)):
        books.open_items(RECEIVABLE, random_items(seed=days_ago, count=count, today=today, relations=relations))
        books.open_items(PAYABLE, random_items(seed=days_ago + 1, count=12, today=today, relations=relations))
        books.snapshot(today - timedelta(days=days_ago))
    books.open_items(
        RECEIVABLE,
        [
            *random_items(seed=1, count=40, today=today, relations=relations, without_due=2),
            item(
                "big",
                relation="rel-1",
                invoiced=today - timedelta(days=80),
                due=today - timedelta(days=50),
                total="8450.00",
                invoice_number="2025-0142",
            ),
        ],
    )
    books.open_items(PAYABLE, random_items(seed=2, count=15, today=today, relations=relations))
    for n in range(12):
        books.invoice(f"s{n}", side=RECEIVABLE, day=today - timedelta(days=7 * n), amount="2420.00")
        books.invoice(f"p{n}", side=PAYABLE, day=today - timedelta(days=7 * n), amount="968.00")
    books.check(side=RECEIVABLE, day=today, expected="41250.00", actual="41000.00")
    return membership.user


def sign_in(page: Page, email: str) -> None:
    page.goto("/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_the_dashboard_in_a_browser(page: Page, dashboard_user, tmp_path):
    today = timezone.localdate()
    sign_in(page, dashboard_user.email)
    page.get_by_role("link", name="Outstanding Items").click()

    expect(page.get_by_role("heading", name="Outstanding items", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Top debtors")).to_be_visible()
    expect(page.locator("#aging-chart")).to_be_visible()
    expect(page.get_by_role("link", name="<b>Hostile</b> & Co").first).to_be_visible()  # escaped, not markup
    expect(page.get_by_text("Check: -€250.00")).to_be_visible()
    page.screenshot(path="test-results/outstanding-items.png", full_page=True)

    # Tabs: payables.
    page.get_by_role("link", name="Payables").click()
    expect(page.get_by_role("heading", name="Top creditors")).to_be_visible()
    expect(page).to_have_url(re.compile(r"side=payable"))
    page.get_by_role("link", name="Receivables").click()
    expect(page.get_by_role("heading", name="Top debtors")).to_be_visible()

    # As of an earlier day: the snapshot of 30 days ago; then a day without one.
    earlier = today - timedelta(days=30)
    page.get_by_label("As of").fill(earlier.isoformat())
    expect(page).to_have_url(re.compile(rf"as_of={earlier.isoformat()}"))
    expect(page.get_by_text(re.compile(r"^From the daily snapshot: open items"))).to_be_visible()
    missing = today - timedelta(days=31)
    page.get_by_label("As of").fill(missing.isoformat())
    expect(page.get_by_role("heading", name=re.compile(r"^No snapshot for"))).to_be_visible()
    page.screenshot(path="test-results/outstanding-items-no-snapshot.png", full_page=True)
    page.get_by_role("link", name="Show today").click()
    expect(page.get_by_role("heading", name="Top debtors")).to_be_visible()

    # Sort and search the relation table in place (htmx), then drill into a relation.
    table = page.locator("#relations")
    table.get_by_role("link", name="Relation", exact=True).click()
    expect(page).to_have_url(re.compile(r"sort=name"))
    expect(table.locator("tbody tr").first).to_contain_text("<b>Hostile</b> & Co")
    page.get_by_label("Search relations").fill("jansen")
    expect(table.locator("tbody tr")).to_have_count(1)
    table.get_by_role("link", name="Jansen Installatie").click()
    expect(page.get_by_role("heading", name="Jansen Installatie")).to_be_visible()
    expect(page.get_by_role("columnheader", name=re.compile("Days overdue"))).to_be_visible()
    page.screenshot(path="test-results/outstanding-items-relation.png", full_page=True)

    # Both exports of the relation's items download.
    for label, suffix in (("CSV", ".csv"), ("XLSX", ".xlsx")):
        with page.expect_download() as download_info:
            page.get_by_role("link", name=label, exact=True).click()
        download = download_info.value
        assert download.suggested_filename.endswith(suffix)
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        assert target.stat().st_size > 0
    csv_text = (tmp_path / next(p.name for p in tmp_path.iterdir() if p.suffix == ".csv")).read_text("utf-8-sig")
    assert {line.split(",")[2] for line in csv_text.splitlines()[1:]} == {"Jansen Installatie"}

    page.get_by_role("link", name="← Outstanding items").click()
    expect(page.get_by_role("heading", name="Outstanding items", exact=True)).to_be_visible()

    # The relation table's own exports, with its search.
    for label in ("Relations CSV", "Relations XLSX"):
        with page.expect_download() as download_info:
            page.get_by_role("link", name=label).click()
        assert download_info.value.suggested_filename.startswith("outstanding-receivables-relations")


def test_a_relations_invoices_against_their_payment_dates_in_a_browser(page: Page, db):
    today = timezone.localdate()
    organization = OrganizationFactory(name="Chart BV")
    membership = MembershipFactory(organization=organization, role="admin", user__email="chart@monitr.local")
    books = Books.create(organization, name="Chart Trading BV")
    books.relations("Late Payer BV")
    for n in range(14):  # the latest still open, the others paid 20 to 39 days after their due date
        day = today - timedelta(days=45 * n + 20)
        paid = [] if n == 0 else [(day + timedelta(days=30 + 20 + n), "121.00")]
        invoice(books, f"F{n:02d}", day=day, term=30, amount="121.00", paid=paid)
    build(books, today)
    sign_in(page, membership.user.email)

    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/dashboards/outstanding/items/?relation={books.relation('rel-1').pk}")
        expect(page.get_by_role("img", name=re.compile("^Days each invoice was paid"))).to_be_visible()
        drawn = page.evaluate("() => Chart.getChart('payment-chart').data.datasets.map((d) => d.data.length)")
        assert drawn == [13, 1, 2]  # paid, still open, the due date's line
        assert page.evaluate(LAYOUT_PROBLEMS) == []
        page.get_by_text("The invoices as a table").click()
        expect(page.locator(".payment-table tbody tr")).to_have_count(14)
        assert page.evaluate(LAYOUT_PROBLEMS) == []
        page.screenshot(path=f"test-results/outstanding-items-payments-{width}.png", full_page=True)
