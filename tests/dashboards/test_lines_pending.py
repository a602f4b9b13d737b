"""Transactions still coming: while a first import has not stored every line of an administration, the statements
show the source's monthly balances for the later months and say so; the drill-downs and the explorer say their list
is not complete yet. Once every line is in, nothing is said."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from dashboards.templatetags.dashboards_ui import amount
from ledger import capabilities
from ledger.models import Account, Administration
from ledger.services import lines_complete_advance, lines_complete_mark, lines_complete_reset
from ledger.services import monthly_balances_from_source as from_source
from monitr.web.templatetags.monitr_ui import money

from .factories import RECEIVABLE, Books

pytestmark = pytest.mark.django_db

PNL = reverse("dashboards:pnl")
BALANCE = reverse("dashboards:balance_sheet")
OVERVIEW = reverse("dashboards:overview")
EXPLORER = reverse("dashboards:transactions")
STILL_COMING = "data-lines-pending"


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def in_june():
    """Today is 15 June 2026: the statements' last month has not ended."""
    with time_machine.travel(datetime(2026, 6, 15, 12, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def year(today) -> int:
    return today.year - 1


@pytest.fixture
def importing(books, year) -> Books:
    """Last year's books halfway through a first import: the lines of January and February are all in (revenue
    1.000 and 500), of April one sale so far (100); the source's balances say March's revenue was 2.000 and April's
    3.000 (with the debtors to match)."""
    books.invoice("s1", side=RECEIVABLE, day=date(year, 1, 5), amount="1210.00")
    books.invoice("s2", side=RECEIVABLE, day=date(year, 2, 5), amount="605.00", relation="rel-2")
    books.invoice("s3", side=RECEIVABLE, day=date(year, 4, 7), amount="121.00")
    administration = books.administration
    lines_complete_reset(administration=administration, before=date(year, 1, 1))
    lines_complete_advance(
        administration=administration, window_start=date(year, 1, 1), window_end=date(year, 3, 1) - timedelta(days=1)
    )
    for month, revenue in ((3, "2000.00"), (4, "3000.00")):
        from_source(
            administration=administration,
            month=date(year, month, 1),
            balances={"revenue": -Decimal(revenue), "debtors": Decimal(revenue)},
        )
    return books


def figure(page: str, key: str) -> str:
    """The text of the figure ``data-figure="key"``, through its drill-down link."""
    found = re.search(rf'data-figure="{key}">(?:<a [^>]*>)?([^<]*)<', page)
    assert found, key
    return found.group(1)


def provider_name() -> str:
    return capabilities.get("eboekhouden").name


class TestStatements:
    def test_the_pnl_says_which_months_come_from_the_providers_balances(self, member_client, importing, year):
        page = html(member_client.get(PNL, {"year": year, "month": 12}))

        assert "Transactions are still being imported." in page
        assert (
            f"Figures for March {year} onwards come from {provider_name()}’s monthly balances; "
            "drill-downs show the transactions imported so far." in page
        )
        # Revenue: January and February from the lines, March and April from the source (not April's 100 of lines).
        assert figure(page, "revenue") == amount(Decimal("6500.00"))
        # March to December are marked as read from the source.
        assert page.count('class="num month from-source"') == 10

    def test_says_the_prior_years_month_counts_whole_while_it_is_read_from_the_source(
        self, in_june, member_client, importing, year
    ):
        for url in (PNL, OVERVIEW, BALANCE):
            page = html(member_client.get(url))

            assert f"The prior year’s June {year} counts whole, not through 15 June {year}," in page, url
            # The prior year's figures and the change are marked; this year's are not.
            marked = re.findall(r'data-figure="([\w-]+)"[^>]*data-provisional', page)
            assert marked and all(key.endswith(("-prior", "-change", "-against")) for key in marked), url

    def test_says_nothing_of_the_prior_years_month_once_its_lines_are_in(self, in_june, member_client, importing, year):
        lines_complete_advance(
            administration=importing.administration, window_start=date(year, 3, 1), window_end=date(year, 6, 30)
        )

        page = html(member_client.get(PNL))

        assert STILL_COMING in page and "data-prior-month-whole" not in page and "data-provisional" not in page

    def test_the_notice_stands_above_the_figures(self, member_client, importing, year):
        page = html(member_client.get(PNL, {"year": year, "month": 12}))

        assert page.index(STILL_COMING) < page.index('class="card statement-card"')

    def test_the_balance_sheet_and_the_overview_say_it_too(self, member_client, importing, year):
        for url in (BALANCE, OVERVIEW):
            page = html(member_client.get(url, {"year": year, "month": 6}))

            assert f"Figures for March {year} onwards come from {provider_name()}’s monthly balances" in page, url
        balance = html(member_client.get(BALANCE, {"year": year, "month": 6}))
        # Debtors: 1.210 + 605 of lines, 2.000 + 3.000 of the source; the balance sheet still balances.
        total = amount(Decimal("6815.00"))
        assert f'data-figure="total-assets">{total}' in balance
        assert f'data-figure="total-equity-and-liabilities">{total}' in balance

    def test_a_lines_accounts_say_it(self, member_client, importing, year):
        url = reverse("dashboards:statement_line", args=["pnl", "revenue"])

        page = html(member_client.get(url, {"year": year, "month": 12, "m": 4}))

        assert "Transactions are still being imported." in page
        assert f'data-figure="accounts-total">{money(Decimal("3000.00"))}' in page

    def test_names_the_provider_as_it_declared_itself(self, member_client, importing, year):
        capabilities.declare(key="paperbooks", name="Paper Books", capabilities=[])
        try:
            Administration.objects.filter(pk=importing.administration.pk).update(provider="paperbooks")

            page = html(member_client.get(PNL, {"year": year, "month": 12}))
        finally:
            capabilities.withdraw("paperbooks")

        assert "come from Paper Books’s monthly balances" in page

    def test_a_provider_no_longer_registered_is_the_bookkeepings_own(self, member_client, importing, year):
        Administration.objects.filter(pk=importing.administration.pk).update(provider="gone")

        page = html(member_client.get(PNL, {"year": year, "month": 12}))

        assert "come from the bookkeeping’s own monthly balances" in page

    def test_with_every_line_in_nothing_is_said_and_the_lines_count(self, member_client, importing, year):
        lines_complete_mark(administration=importing.administration)

        for url in (PNL, BALANCE, OVERVIEW):
            page = html(member_client.get(url, {"year": year, "month": 12}))
            assert STILL_COMING not in page, url
            assert "from-source" not in page, url
        page = html(member_client.get(PNL, {"year": year, "month": 12}))
        assert figure(page, "revenue") == amount(Decimal("1600.00"))

    def test_all_administrations_together_name_the_one_importing(self, member_client, importing, organization, year):
        Books.create(organization, name="Complete Books BV")

        page = html(member_client.get(PNL, {"year": year}))

        assert "Transactions of Acme Books BV are still being imported." in page
        assert "Transactions of Complete Books BV" not in page

    def test_a_complete_administration_chosen_alone_says_nothing(self, member_client, importing, organization):
        complete = Books.create(organization, name="Complete Books BV")

        page = html(member_client.get(PNL, {"administration": complete.administration.pk}))

        assert STILL_COMING not in page


class TestLists:
    def test_an_accounts_lines_are_not_complete_yet(self, member_client, importing, year):
        revenue = Account.objects.get(administration=importing.administration, external_id="revenue")

        page = html(member_client.get(reverse("dashboards:account", args=[revenue.pk]), {"year": year, "m": 4}))

        assert "This list is not complete yet." in page
        assert "may not add up to the figure on the statement" in page
        assert f"from {provider_name()}: those dated up to {date(year, 2, 28 + (year % 4 == 0)):%-d %B %Y}" in page
        # The lines imported so far, as they are: April's one sale, not the figure on the statement.
        assert f'data-figure="account-total">{money(Decimal("100.00"))}' in page
        assert "of the lines imported so far" in page and "as on the statement" not in page

    def test_a_balance_brings_forward_the_lines_imported_so_far(self, member_client, importing, year):
        debtors = Account.objects.get(administration=importing.administration, external_id="debtors")

        page = html(member_client.get(reverse("dashboards:account", args=[debtors.pk]), {"year": year + 1}))

        # Every sale of last year imported so far (1.210 + 605 + 121), not the source's balances of March and April.
        assert "Balance brought forward" in page and money(Decimal("1936.00")) in page
        assert f'data-figure="account-total">{money(Decimal("1936.00"))}' in page

    def test_the_explorer_is_not_complete_yet(self, member_client, importing):
        page = html(member_client.get(EXPLORER))

        assert "This list is not complete yet." in page
        assert "s3" in page

    def test_once_complete_the_lists_say_nothing(self, member_client, importing, year):
        lines_complete_mark(administration=importing.administration)
        revenue = Account.objects.get(administration=importing.administration, external_id="revenue")

        assert STILL_COMING not in html(member_client.get(EXPLORER))
        page = html(member_client.get(reverse("dashboards:account", args=[revenue.pk])))
        assert STILL_COMING not in page and "as on the statement" in page
