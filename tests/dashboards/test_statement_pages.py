"""The P&L, balance sheet, drill-down and mapping pages: what they show, who may change the mapping, and that
nobody sees another organisation's accounts or transactions."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from dashboards.mapping import ReportingLine, default_reporting_line
from dashboards.models import AccountMapping
from dashboards.templatetags.dashboards_ui import amount, month_cells
from ledger.models import Account, AccountKind, AccountRole, Administration, Transaction
from ledger.records import AccountRecord, LineRecord, TransactionRecord, TransactionType
from ledger.services import accounts_upsert, transactions_upsert
from monitr.web.templatetags.monitr_ui import money

from .factories import PAYABLE, RECEIVABLE, Books

pytestmark = pytest.mark.django_db

PNL = reverse("dashboards:pnl")
BALANCE = reverse("dashboards:balance_sheet")
MAPPING = reverse("dashboards:account_mapping")


@pytest.fixture
def booked(books, today):
    """Sales of 1.210,00 and 605,00 incl. VAT, a purchase of 242,00 and a payment of 1.000,00, all this month."""
    day = today.replace(day=1)
    books.invoice("s1", side=RECEIVABLE, day=day, amount="1210.00")
    books.invoice("s2", side=RECEIVABLE, day=day, amount="605.00", relation="rel-2")
    books.invoice("p1", side=PAYABLE, day=day, amount="242.00", relation="rel-3")
    books.payment("b1", day=day, amount="1000.00")
    return books


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def account(books, external_id: str) -> Account:
    return Account.objects.get(administration=books.administration, external_id=external_id)


class TestDefaultMapping:
    @pytest.mark.parametrize(
        "role,code,kind,line",
        [
            (AccountRole.CASH, "1100", AccountKind.BALANCE_SHEET, ReportingLine.CASH),
            (AccountRole.RECEIVABLE, "1300", AccountKind.BALANCE_SHEET, ReportingLine.RECEIVABLES),
            (AccountRole.PAYABLE, "1600", AccountKind.BALANCE_SHEET, ReportingLine.CURRENT_LIABILITIES),
            (AccountRole.VAT, "1500", AccountKind.BALANCE_SHEET, ReportingLine.VAT),
            (AccountRole.VAT, "1530", AccountKind.BALANCE_SHEET, ReportingLine.VAT),
            # The role wins over the code: a bank account numbered like a debt is still cash.
            (AccountRole.CASH, "1700", AccountKind.BALANCE_SHEET, ReportingLine.CASH),
            (AccountRole.EQUITY, "X1", AccountKind.BALANCE_SHEET, ReportingLine.EQUITY),
            (AccountRole.REVENUE, "ABC", AccountKind.PROFIT_AND_LOSS, ReportingLine.REVENUE),
            # A side-only role lets the code choose within its side, and falls back on the side's usual line.
            (AccountRole.COST, "4000", AccountKind.PROFIT_AND_LOSS, ReportingLine.PERSONNEL),
            (AccountRole.COST, "8000", AccountKind.PROFIT_AND_LOSS, ReportingLine.OTHER_OPERATING),
            (AccountRole.ASSET, "0100", AccountKind.BALANCE_SHEET, ReportingLine.FIXED_ASSETS),
            (AccountRole.ASSET, "1600", AccountKind.BALANCE_SHEET, ReportingLine.FIXED_ASSETS),
            (AccountRole.LIABILITY, "0600", AccountKind.BALANCE_SHEET, ReportingLine.LONG_TERM),
            (AccountRole.LIABILITY, "A", AccountKind.BALANCE_SHEET, ReportingLine.CURRENT_LIABILITIES),
            # A role that does not fit the statement is not trusted: the code decides.
            (AccountRole.REVENUE, "1100", AccountKind.BALANCE_SHEET, ReportingLine.CASH),
            (AccountRole.CASH, "8000", AccountKind.PROFIT_AND_LOSS, ReportingLine.REVENUE),
            (AccountRole.UNSPECIFIED, "0100", AccountKind.BALANCE_SHEET, ReportingLine.FIXED_ASSETS),
            (AccountRole.UNSPECIFIED, "0500", AccountKind.BALANCE_SHEET, ReportingLine.EQUITY),
            (AccountRole.UNSPECIFIED, "0600", AccountKind.BALANCE_SHEET, ReportingLine.LONG_TERM),
            (AccountRole.UNSPECIFIED, "1700", AccountKind.BALANCE_SHEET, ReportingLine.CURRENT_LIABILITIES),
            (AccountRole.UNSPECIFIED, "8000", AccountKind.PROFIT_AND_LOSS, ReportingLine.REVENUE),
            (AccountRole.UNSPECIFIED, "7000", AccountKind.PROFIT_AND_LOSS, ReportingLine.COST_OF_SALES),
            (AccountRole.UNSPECIFIED, "4000", AccountKind.PROFIT_AND_LOSS, ReportingLine.PERSONNEL),
            (AccountRole.UNSPECIFIED, "4200", AccountKind.PROFIT_AND_LOSS, ReportingLine.HOUSING),
            (AccountRole.UNSPECIFIED, "4500", AccountKind.PROFIT_AND_LOSS, ReportingLine.OTHER_OPERATING),
            (AccountRole.UNSPECIFIED, "4700", AccountKind.PROFIT_AND_LOSS, ReportingLine.DEPRECIATION),
            (AccountRole.UNSPECIFIED, "8900", AccountKind.PROFIT_AND_LOSS, ReportingLine.FINANCIAL),
            (AccountRole.UNSPECIFIED, "9600", AccountKind.PROFIT_AND_LOSS, ReportingLine.TAXES),
        ],
    )
    def test_places_an_account_by_its_role_and_code(self, role, code, kind, line):
        assert default_reporting_line(role=role, code=code, kind=kind) == line

    @pytest.mark.parametrize(
        "code,kind",
        [
            ("3000", AccountKind.BALANCE_SHEET),
            ("ABC", AccountKind.PROFIT_AND_LOSS),
            ("1000", AccountKind.PROFIT_AND_LOSS),
        ],
    )
    def test_leaves_an_account_it_cannot_place_unmapped(self, code, kind):
        assert default_reporting_line(role=AccountRole.UNSPECIFIED, code=code, kind=kind) is None


class TestProfitAndLoss:
    def test_shows_revenue_costs_and_the_result_of_the_month(self, member_client, booked, today):
        page = html(member_client.get(PNL))

        assert 'data-figure="revenue">' in page
        assert amount(Decimal("1500.00")) in page  # 1.000,00 + 500,00 excl. VAT
        assert amount(Decimal("200.00")) in page  # the purchase excl. VAT, on 4000 = Personnel
        assert amount(Decimal("1300.00")) in page  # net result

    def test_says_there_are_no_cost_centres_to_filter_by_when_none_are_booked(self, member_client, booked):
        booked.administration.provider = "eboekhouden"
        booked.administration.save(update_fields=["provider"])

        page = html(member_client.get(PNL))

        assert 'data-axes="no-cost-centres"' in page and "No cost centres are booked" in page
        assert 'name="cost_center"' not in page

    def test_a_line_lists_its_accounts_adding_up_to_the_figure(self, member_client, booked, today):
        url = reverse("dashboards:statement_line", args=["pnl", "revenue"])

        page = html(member_client.get(url, {"m": today.month}))

        assert "8000" in page and "Revenue" in page
        assert f'data-figure="accounts-total">{money(Decimal("1500.00"))}' in page
        # The heading names the one administration; its accounts do not each repeat it.
        assert ">Administration</th>" not in page and 'colspan="2">Total' in page

    def test_a_line_of_all_administrations_names_each_accounts_administration(
        self, member_client, organization, booked, today
    ):
        Books.create(organization, name="Second Books BV")
        url = reverse("dashboards:statement_line", args=["pnl", "revenue"])

        page = html(member_client.get(url, {"m": today.month}))

        assert ">Administration</th>" in page and "Acme Books BV</td>" in page

    @pytest.mark.parametrize(("language", "booked_in"), [("en", "Booked from 1 {month} through"), ("nl", "1 {month}")])
    def test_a_month_is_named_and_a_name_ending_in_a_stop_gets_no_second(
        self, member_client, booked, today, language, booked_in
    ):
        Administration.objects.filter(pk=booked.administration.pk).update(name="Gouda Hoveniers B.V.")
        url = reverse("dashboards:statement_line", args=["pnl", "revenue"])

        with translation.override(language):
            page = html(
                member_client.get(
                    url, {"m": today.month, "administration": booked.administration.pk}, HTTP_ACCEPT_LANGUAGE=language
                )
            )
            month = date_format(today, "F")

        assert booked_in.format(month=month, year=today.year) in page
        assert f"{today.year}-{today.month:02d}" not in page
        assert "Gouda Hoveniers B.V.</p>" in page and "B.V.." not in page

    def test_the_statement_names_its_administration_with_one_full_stop(self, member_client, booked):
        Administration.objects.filter(pk=booked.administration.pk).update(name="Gouda Hoveniers B.V.")

        page = html(member_client.get(PNL, {"administration": booked.administration.pk}))

        assert "the year to date, Gouda Hoveniers B.V. Click a figure" in page and "B.V.." not in page

    def test_an_account_lists_its_lines_and_opens_a_transaction(self, member_client, booked, today):
        revenue = account(booked, "revenue")

        page = html(member_client.get(reverse("dashboards:account", args=[revenue.pk]), {"m": today.month}))

        transaction = Transaction.objects.get(external_id="s1")
        assert reverse("dashboards:transaction", args=[transaction.pk]) in page
        assert f'data-figure="account-total">{money(Decimal("1500.00"))}' in page
        detail = html(member_client.get(reverse("dashboards:transaction", args=[transaction.pk])))
        assert "1300 Debtors" in detail and "8000 Revenue" in detail
        assert f'data-figure="debit">{money(Decimal("1210.00"))}' in detail

    def test_a_transaction_shows_each_line_s_vat_as_rate_and_kind(self, member_client, books, today):
        transactions_upsert(
            administration=books.administration,
            transactions=[
                TransactionRecord(
                    external_id="v1",
                    transaction_type=TransactionType.JOURNAL,
                    date=today,
                    fingerprint="fp-v1",
                    lines=(
                        LineRecord(account_external_id="bank", amount=Decimal("-109.00")),
                        LineRecord(
                            account_external_id="revenue",
                            amount=Decimal("109.00"),
                            vat_code="LAAG_VERK_9",
                            vat_amount=Decimal("9.00"),
                        ),
                    ),
                )
            ],
        )
        transaction = Transaction.objects.get(external_id="v1")

        with translation.override("en"):
            detail = html(member_client.get(reverse("dashboards:transaction", args=[transaction.pk])))

        assert 'title="LAAG_VERK_9">9% sales' in detail

    def test_an_unknown_line_is_not_found(self, member_client, booked):
        response = member_client.get(reverse("dashboards:statement_line", args=["pnl", "nonsense"]))
        assert response.status_code == 404


class TestMonthCells:
    @pytest.mark.parametrize(("language", "thousands"), [("nl", "1.235"), ("en", "1,235")])
    def test_links_each_figure_to_its_months_accounts_and_greys_out_a_zero(self, language, thousands):
        with translation.override(language):
            cells = month_cells(
                [Decimal("1234.56"), Decimal("0.00"), Decimal("-80.00")],
                url="/dashboards/statements/pnl/revenue/",
                query="year=2025&month=3",
                mark_zero=True,
            )

        assert cells == (
            '<td class="num"><a href="/dashboards/statements/pnl/revenue/?year=2025&amp;month=3&amp;m=1">'
            f"{thousands}</a></td>"
            '<td class="num zero">0</td>'
            '<td class="num"><a href="/dashboards/statements/pnl/revenue/?year=2025&amp;month=3&amp;m=3">-80</a></td>'
        )

    def test_escapes_what_it_is_given(self):
        cells = month_cells([Decimal("1")], url='/x/"><script>', query="a=<b>", css='num "x"')

        assert "<script>" not in cells and "<b>" not in cells and 'class="num &quot;x&quot;"' in cells
        assert month_cells([Decimal("5")]) == '<td class="num">5</td>'

    def test_shows_only_the_months_asked_for(self):
        assert month_cells([Decimal("1"), Decimal("2"), Decimal("3")], shown=2) == (
            '<td class="num">1</td><td class="num">2</td>'
        )


class TestBalanceSheet:
    def test_balances_with_the_result_for_the_year(self, member_client, booked, today):
        page = html(member_client.get(BALANCE))

        total = amount(Decimal("1815.00") + Decimal("0.00"))  # bank 1.000 + debtors 815
        assert f'data-figure="total-assets">{total}' in page
        assert f'data-figure="total-equity-and-liabilities">{total}' in page
        assert "do not balance" not in page

    def test_the_last_month_is_the_period_s_end_and_shown_once(self, member_client, booked, today):
        page = html(member_client.get(BALANCE, {"year": today.year, "month": 3}))

        months = re.findall(r'<th scope="col" class="num month">([^<]+)</th>', page)
        assert months == [date_format(date(today.year, m, 1), "M") for m in (1, 2)]
        assert f">{date_format(date(today.year, 3, 31), 'DATE_FORMAT')}</th>" in page
        first_line = re.search(r'<tr class="statement-line".*?</tr>', page, re.DOTALL).group()
        assert first_line.count('class="num month') == 2

    def test_a_balance_drills_down_to_its_account_with_what_came_before(self, member_client, booked, today):
        debtors = account(booked, "debtors")

        page = html(member_client.get(reverse("dashboards:account", args=[debtors.pk])))

        assert "Balance brought forward" in page
        assert f'data-figure="account-total">{money(Decimal("815.00"))}' in page


class TestMapping:
    def test_lists_and_counts_the_accounts_not_mapped(self, member_client, books):
        accounts_upsert(
            administration=books.administration,
            rows=[AccountRecord(external_id="odd", code="3100", name="Voorraad", kind=AccountKind.BALANCE_SHEET)],
        )

        page = html(member_client.get(MAPPING, {"unmapped": "1"}))

        assert 'data-figure="unmapped">1<' in page
        assert "Voorraad" in page and "Debtors" not in page

    def test_names_each_account_s_administration_only_when_there_are_several(self, member_client, organization, books):
        heading = '<th scope="col">Administration</th>'
        assert heading not in html(member_client.get(MAPPING))

        Books.create(organization, name="Second Books BV")
        page = html(member_client.get(MAPPING))

        assert heading in page and "Second Books BV" in page and "Acme Books BV" in page

    def test_an_admin_moves_an_account_to_another_line_and_back(self, admin_client, booked, today):
        costs = account(booked, "costs")

        response = admin_client.post(MAPPING, {"account": costs.pk, "line": ReportingLine.HOUSING})

        assert response.status_code == 302
        assert AccountMapping.objects.get(account=costs).line == ReportingLine.HOUSING
        url = reverse("dashboards:statement_line", args=["pnl", "housing"])
        assert "4000" in html(admin_client.get(url))
        admin_client.post(MAPPING, {"account": costs.pk, "line": ""})
        assert not AccountMapping.objects.filter(account=costs).exists()

    def test_a_line_of_the_other_statement_is_refused(self, admin_client, booked):
        costs = account(booked, "costs")

        admin_client.post(MAPPING, {"account": costs.pk, "line": ReportingLine.CASH})

        assert not AccountMapping.objects.filter(account=costs).exists()

    def test_a_member_cannot_change_the_mapping(self, member_client, booked):
        costs = account(booked, "costs")

        response = member_client.post(MAPPING, {"account": costs.pk, "line": ReportingLine.HOUSING})

        assert response.status_code in (403, 404)
        assert not AccountMapping.objects.exists()


def added_later(books, *records: AccountRecord) -> None:
    """Accounts an import adds after the chart was reviewed an hour ago (the first chart seen two hours ago)."""
    now = timezone.now()
    Account.objects.filter(administration=books.administration).update(first_seen_at=now - timedelta(hours=2))
    Administration.objects.filter(pk=books.administration.pk).update(accounts_reviewed_at=now - timedelta(hours=1))
    books.administration.refresh_from_db()
    accounts_upsert(administration=books.administration, rows=records)


class TestNewAccounts:
    def test_the_chart_of_the_first_import_is_not_new(self, member_client, books):
        page = html(member_client.get(MAPPING))

        assert books.administration.accounts_reviewed_at is not None
        assert 'data-figure="new">0<' in page

    def test_an_account_imported_after_the_review_is_listed_and_counted_as_new(self, member_client, books):
        added_later(
            books, AccountRecord(external_id="n1", code="4410", name="Software", kind=AccountKind.PROFIT_AND_LOSS)
        )

        page = html(member_client.get(MAPPING, {"new": "1"}))

        assert 'data-figure="new">1<' in page
        assert "Software" in page and "Debtors" not in page
        checks = html(member_client.get(reverse("dashboards:data_checks")))
        assert 'data-check="new-accounts">1<' in checks

    def test_an_account_changed_by_a_later_import_stays_as_old_as_it_was(self, books):
        debtors = Account.objects.get(administration=books.administration, code="1300")
        added_later(
            books,
            AccountRecord(
                external_id=debtors.external_id,
                code="1300",
                name="Debiteuren NL",
                kind=AccountKind.BALANCE_SHEET,
                role=AccountRole.RECEIVABLE,
            ),
        )

        renamed = Account.objects.get(pk=debtors.pk)
        assert renamed.name == "Debiteuren NL"
        assert renamed.first_seen_at < books.administration.accounts_reviewed_at

    def test_an_admin_marks_the_chart_reviewed(self, admin_client, books):
        added_later(
            books, AccountRecord(external_id="n1", code="4410", name="Software", kind=AccountKind.PROFIT_AND_LOSS)
        )

        response = admin_client.post(MAPPING, {"action": "reviewed"})

        assert response.status_code == 302
        assert 'data-figure="new">0<' in html(admin_client.get(MAPPING))

    def test_a_member_cannot_mark_the_chart_reviewed(self, member_client, books):
        added_later(
            books, AccountRecord(external_id="n1", code="4410", name="Software", kind=AccountKind.PROFIT_AND_LOSS)
        )

        assert member_client.post(MAPPING, {"action": "reviewed"}).status_code in (403, 404)
        assert 'data-figure="new">1<' in html(member_client.get(MAPPING))


class TestTenancy:
    def test_another_organisations_account_and_transaction_are_not_found(self, member_client, booked, other_books):
        other_books.invoice("x1", side=RECEIVABLE, day=date(2025, 1, 5), amount="121.00", relation="rel-1")
        other_account = account(other_books, "revenue")
        other_transaction = Transaction.objects.get(external_id="x1")

        assert member_client.get(reverse("dashboards:account", args=[other_account.pk])).status_code == 404
        assert member_client.get(reverse("dashboards:transaction", args=[other_transaction.pk])).status_code == 404
        assert member_client.get(PNL, {"administration": other_books.administration.pk}).status_code == 404

    def test_an_admin_cannot_map_another_organisations_account(self, admin_client, booked, other_books):
        response = admin_client.post(MAPPING, {"account": account(other_books, "costs").pk, "line": "housing"})

        assert response.status_code == 404
        assert not AccountMapping.objects.exists()

    def test_the_pnl_shows_nothing_of_another_organisation(self, member_client, booked, other_books, today):
        other_books.invoice("x2", side=RECEIVABLE, day=today.replace(day=1), amount="12100.00", relation="rel-1")

        page = html(member_client.get(PNL))

        assert money(Decimal("10000.00")) not in page
        assert "Other Books BV" not in page


class TestOverview:
    def test_shows_the_key_figures_of_the_year_against_the_prior_year(self, member_client, booked, today):
        page = html(member_client.get(reverse("dashboards:overview")))

        assert 'data-figure="revenue"' in page and money(Decimal("1500"), 0) in page
        assert 'data-figure="cash"' in page and money(Decimal("1000"), 0) in page
        assert 'data-figure="receivables"' in page and money(Decimal("815"), 0) in page
        assert 'data-figure="payables"' in page and money(Decimal("242"), 0) in page
        assert 'id="overview-chart-data"' in page

    def test_an_organisation_without_books_is_asked_to_connect_them(self, member_client):
        assert "Connect your bookkeeping first" in html(member_client.get(reverse("dashboards:overview")))
