"""An admin imports a ledger file in a real browser: the default layout with its open items, a file whose columns
are mapped, and a broken file's report. The dashboards must show the file's figures, summed here from the sample
file itself."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from integrations.models import Connection
from ledger.models import Transaction
from ledgerfile.models import LedgerUpload
from tests.factories import TEST_PASSWORD, MembershipFactory, OrganizationFactory
from tests.ledgerfile.test_web import DEFAULT_LAYOUT, OPEN_ITEMS, OTHER_LAYOUT, broken_journal, money, sample_figures

pytestmark = pytest.mark.django_db(transaction=True)

YEAR = sample_figures().last_date.year


@pytest.fixture
def admin(db):
    organization = OrganizationFactory(name="Adviesbureau Noord BV")
    return MembershipFactory(organization=organization, role="admin").user


def sign_in(page: Page, email: str) -> None:
    page.goto("/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def open_upload(page: Page) -> None:
    page.get_by_role("complementary", name="Main navigation").get_by_role("link", name="Integrations").click()
    page.get_by_role("tab", name="Accounting Software").click()
    page.get_by_role("region", name="Ledger file").get_by_role("link", name="Add").click()


def amount(value) -> str:
    """As the statements write amounts in English (in euro, no symbol): ``-1,234.50``."""
    return money(value).replace("€", "")


def figure(page: Page, name: str):
    return page.locator(f'[data-figure="{name}"]')


def test_the_default_layout_with_open_items_reaches_the_dashboards(page: Page, admin, eager_worker):
    expected = sample_figures()
    sign_in(page, admin.email)
    open_upload(page)

    page.get_by_label("Administration name").fill("Adviesbureau Noord")
    page.get_by_label("Ledger file").set_input_files(DEFAULT_LAYOUT)
    page.get_by_label("Open items file").set_input_files(OPEN_ITEMS)
    page.get_by_role("button", name="Next").click()

    expect(page.locator('[aria-current="step"]')).to_contain_text("Preview")  # no columns step for this layout
    expect(figure(page, "entries")).to_have_text(f"{expected.entries:,}")
    expect(figure(page, "lines")).to_have_text(f"{expected.lines:,}")
    expect(figure(page, "debit")).to_have_text(money(expected.debit))
    expect(figure(page, "credit")).to_have_text(money(expected.credit))
    expect(figure(page, "open-receivable")).to_have_text(money(expected.open_receivable))
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(1 + 12)
    page.get_by_role("button", name="Import", exact=True).click()

    connection = page.get_by_role("region", name="Ledger file").get_by_role("listitem", name="Adviesbureau Noord")
    expect(connection.locator("[data-status]")).to_have_text("Succeeded", timeout=30_000)

    nav = page.get_by_role("complementary", name="Main navigation")
    nav.get_by_role("link", name="Outstanding Items").click()
    expect(figure(page, "total")).to_have_text(money(expected.open_receivable))

    page.goto(f"/dashboards/pnl/?year={YEAR}")
    expect(figure(page, "revenue")).to_have_text(amount(expected.revenue))
    expect(figure(page, "net-result")).to_have_text(amount(expected.net_result))

    page.goto(f"/dashboards/balance-sheet/?year={YEAR}")
    expect(figure(page, "cash")).to_have_text(amount(expected.cash))
    expect(figure(page, "receivables")).to_have_text(amount(expected.receivables))


def test_a_file_in_another_layout_is_mapped_then_imported(page: Page, admin, eager_worker):
    expected = sample_figures()  # the same books as the default sample, in other columns
    sign_in(page, admin.email)
    open_upload(page)

    page.get_by_label("Administration name").fill("Adviesbureau Noord")
    page.get_by_label("Ledger file").set_input_files(OTHER_LAYOUT)
    page.get_by_role("button", name="Next").click()

    expect(page.locator('[aria-current="step"]')).to_contain_text("Columns")
    expect(page.get_by_label("Date", exact=True)).to_have_value("Boekdatum")  # matched by its header
    expect(page.get_by_label("Entry number")).to_have_value("")
    page.get_by_label("Entry number").select_option("Nr")
    page.get_by_label("Account name").select_option("Naam rekening")
    page.get_by_label("Relation").select_option("Klant/leverancier")
    page.get_by_label("Due date").select_option("Vervalt")
    page.get_by_label("Cost centre").select_option("Afdeling")
    page.get_by_role("button", name="Next").click()

    expect(figure(page, "entries")).to_have_text(f"{expected.entries:,}")
    expect(figure(page, "debit")).to_have_text(money(expected.debit))
    page.get_by_role("button", name="Import", exact=True).click()

    connection = page.get_by_role("region", name="Ledger file").get_by_role("listitem", name="Adviesbureau Noord")
    expect(connection.locator("[data-status]")).to_have_text("Succeeded", timeout=30_000)
    page.goto(f"/dashboards/pnl/?year={YEAR}")
    expect(figure(page, "revenue")).to_have_text(amount(expected.revenue))
    expect(figure(page, "net-result")).to_have_text(amount(expected.net_result))
    page.goto(f"/dashboards/balance-sheet/?year={YEAR}")
    expect(figure(page, "cash")).to_have_text(amount(expected.cash))


def test_a_broken_file_shows_its_report_and_imports_nothing(page: Page, admin, tmp_path):
    broken = tmp_path / "ledger.csv"
    broken.write_bytes(broken_journal())
    sign_in(page, admin.email)
    open_upload(page)

    page.get_by_label("Administration name").fill("Adviesbureau Noord")
    page.get_by_label("Ledger file").set_input_files(broken)
    page.get_by_role("button", name="Next").click()

    report = page.get_by_role("region", name="Problems in the file")
    expect(report.get_by_role("alert")).to_contain_text("1 problem found. Nothing was imported.")
    problem = report.get_by_role("row").nth(1)
    expect(problem).to_contain_text("ledger.csv")
    expect(problem).to_contain_text(re.compile(r"Entry 0002 does not balance"))
    expect(problem.locator('[data-label="Row"]')).to_have_text(re.compile(r"^\d+$"))
    expect(page.get_by_label("Administration name")).to_have_value("Adviesbureau Noord")
    assert not LedgerUpload.objects.exists() and not Connection.objects.exists()
    assert not Transaction.objects.exists()


def test_a_large_file_is_checked_in_the_worker_while_the_page_follows_it(page: Page, admin, monkeypatch):
    from ledgerfile import services

    queued: list[tuple[int, str]] = []
    monkeypatch.setattr(services, "CHECK_IN_REQUEST_BYTES", 0)  # every file counts as large here
    monkeypatch.setattr("ledgerfile.tasks.check_upload.delay", lambda *args: queued.append(args))
    expected = sample_figures()
    sign_in(page, admin.email)
    open_upload(page)

    page.get_by_label("Administration name").fill("Adviesbureau Noord")
    page.get_by_label("Ledger file").set_input_files(DEFAULT_LAYOUT)
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_role("heading", name="Checking the file")).to_be_visible()
    expect(page.locator("[data-check-step]")).to_contain_text("Waiting for a free worker")
    assert len(queued) == 1
    services.upload_check_run(upload_id=queued[0][0], token=queued[0][1])  # what the worker does

    # The page asks every second how far the check is, and goes on to the preview once it has passed.
    expect(figure(page, "entries")).to_have_text(f"{expected.entries:,}", timeout=10_000)
    expect(page.locator('[aria-current="step"]')).to_contain_text("Preview")
