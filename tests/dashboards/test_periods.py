"""A month that has not ended is shown up to today: its figures stop at today, the prior year's at the same day a
year earlier, and the labels say so ("today", "1 Jan – 3 Dec"), never a month end that has not come."""

from __future__ import annotations

import datetime as dt
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from dashboards.mapping import RESULT_FOR_THE_YEAR, ReportingLine, Statement
from dashboards.selectors.statements import StatementScope, account_ledger, statement_report, statement_reports
from ledger.models import Account

from .factories import RECEIVABLE

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)


@pytest.fixture
def december(books):
    """Sales (incl. 21% VAT) of 100,00 on 2 Dec 2025 and 200,00 on 20 Dec 2025, 300,00 on 2 Dec 2026 and 400,00
    dated ahead, on 20 Dec 2026."""
    for external_id, day, amount in (
        ("a", date(2025, 12, 2), "121.00"),
        ("b", date(2025, 12, 20), "242.00"),
        ("c", date(2026, 12, 2), "363.00"),
        ("d", date(2026, 12, 20), "484.00"),
    ):
        books.invoice(external_id, side=RECEIVABLE, day=day, amount=amount)
    return books


def scope(books, today: date | None = TODAY, month: int = 12) -> StatementScope:
    return StatementScope(books.administration.organization, 2026, month, books.administration, today=today)


def test_the_year_to_date_compares_the_same_days_of_the_prior_year(december):
    revenue = statement_report(scope=scope(december), statement=Statement.PROFIT_AND_LOSS).row(ReportingLine.REVENUE)

    assert (revenue.figures.total, revenue.figures.prior_total) == (Decimal("300.00"), Decimal("100.00"))
    assert (revenue.figures.months[-1], revenue.figures.prior_months[-1]) == (Decimal("300.00"), Decimal("100.00"))


def test_a_balance_is_todays_and_a_year_earlier_the_same_days(december):
    report = statement_report(scope=scope(december), statement=Statement.BALANCE_SHEET)

    receivables = report.row(ReportingLine.RECEIVABLES).figures
    # 2025 closed with 363,00 open; 363,00 more by 3 Dec 2026 (the invoice of 20 Dec is not yet). 3 Dec 2025: 121,00.
    assert (receivables.total, receivables.prior_total) == (Decimal("726.00"), Decimal("121.00"))
    assert report.difference is not None and report.difference.total == 0 and report.difference.prior_total == 0


def test_the_overview_and_the_statements_read_the_same_cut(december):
    reports = statement_reports(scope=scope(december), statements=[Statement.PROFIT_AND_LOSS, Statement.BALANCE_SHEET])

    result = reports[Statement.BALANCE_SHEET].row(RESULT_FOR_THE_YEAR).figures
    assert (result.total, result.prior_total) == (Decimal("300.00"), Decimal("100.00"))


def test_a_month_that_has_ended_is_whole(december):
    ended = scope(december, today=date(2027, 1, 5))
    revenue = statement_report(scope=ended, statement=Statement.PROFIT_AND_LOSS).row(ReportingLine.REVENUE)

    assert not ended.is_partial and ended.through == date(2026, 12, 31)
    assert (revenue.figures.total, revenue.figures.prior_total) == (Decimal("700.00"), Decimal("300.00"))


def test_the_last_day_a_year_earlier_of_29_february_is_the_28th(books):
    leap = StatementScope(books.administration.organization, 2028, 2, books.administration, today=date(2028, 2, 29))

    assert (leap.through, leap.prior_through) == (date(2028, 2, 29), date(2027, 2, 28))


def test_an_accounts_lines_stop_at_today_as_its_figure_does(december):
    revenue = Account.objects.get(administration=december.administration, external_id="revenue")

    ledger = account_ledger(scope=scope(december), account=revenue)

    assert ledger.end == TODAY and ledger.total == Decimal("-300.00")


@pytest.fixture
def on_3_december():
    with time_machine.travel(dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)):
        yield


@pytest.mark.usefixtures("on_3_december")
class TestLabels:
    def test_the_overview_says_today_and_the_span_it_compares(self, member_client, december):
        page = member_client.get(reverse("dashboards:overview")).content.decode()

        assert "31 Dec" not in page
        assert "Cash and bank · today" in page and "Revenue · 1 Jan – 3 Dec" in page
        assert "from 1 Jan to 3 Dec 2025" in page and "on 3 Dec 2025" in page
        assert "1 January through 3 December 2026" in page

    def test_the_pnl_and_balance_sheet_name_the_days_they_cover(self, member_client, december):
        pnl = member_client.get(reverse("dashboards:pnl")).content.decode()
        balance = member_client.get(reverse("dashboards:balance_sheet")).content.decode()

        assert "1 Jan – 3 Dec" in pnl and "1 Jan – 3 Dec 2025" in pnl
        assert "3 Dec 2026" in balance and "3 Dec 2025" in balance and "31 Dec 2026" not in balance

    def test_a_lines_drill_down_names_its_period(self, member_client, december):
        url = reverse("dashboards:statement_line", args=["pnl", ReportingLine.REVENUE])

        year = member_client.get(url).content.decode()
        november = member_client.get(url, {"m": 11}).content.decode()

        assert "Year to date, 1 January through 3 December 2026" in year
        assert "Booked from 1 November through 30 November 2026" in november
