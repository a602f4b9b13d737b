"""Reporting by cost centre: where the administrations' provider declares cost centres and the books have some, the
P&L, its drill-downs, the transactions explorer and their API filter by one; the note on analytical axes says what
is and is not possible; the integration card says cost centres are reported by."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from dashboards.mapping import ReportingLine, Statement
from dashboards.selectors.capabilities import reporting_axes
from dashboards.selectors.statements import StatementScope, account_ledger, statement_report
from dashboards.selectors.transactions import transactions_list
from ledger.models import Account, CostCenter
from ledger.records import CostCenterRecord
from ledger.services import cost_centers_upsert

from .factories import RECEIVABLE

pytestmark = pytest.mark.django_db

PNL = reverse("dashboards:pnl")
TRANSACTIONS = reverse("dashboards:transactions")


@pytest.fixture
def centres(books, today):
    """Cost centres Shop and Web; sales of 100,00 on Shop, 40,00 on Web and 7,00 on none (excl. VAT), this month."""
    cost_centers_upsert(
        administration=books.administration,
        rows=[CostCenterRecord(external_id="cc1", name="Shop"), CostCenterRecord(external_id="cc2", name="Web")],
    )
    day = today.replace(day=1)
    books.invoice("s1", side=RECEIVABLE, day=day, amount="121.00", cost_centre="cc1")
    books.invoice("s2", side=RECEIVABLE, day=day, amount="48.40", cost_centre="cc2")
    books.invoice("s3", side=RECEIVABLE, day=day, amount="8.47")
    return {c.name: c for c in CostCenter.objects.filter(administration=books.administration)}


def scope(books, today, centre=None) -> StatementScope:
    return StatementScope(
        books.administration.organization, today.year, today.month, books.administration, cost_center=centre
    )


def test_the_pnl_of_a_cost_centre_holds_only_what_was_booked_on_it(books, centres, today):
    whole = statement_report(scope=scope(books, today), statement=Statement.PROFIT_AND_LOSS)
    shop = statement_report(scope=scope(books, today, centres["Shop"]), statement=Statement.PROFIT_AND_LOSS)

    assert whole.row(ReportingLine.REVENUE).figures.total == Decimal("147.00")
    assert shop.row(ReportingLine.REVENUE).figures.total == Decimal("100.00")


def test_an_accounts_lines_follow_the_cost_centre(books, centres, today):
    revenue = Account.objects.get(administration=books.administration, external_id="revenue")

    ledger = account_ledger(scope=scope(books, today, centres["Web"]), account=revenue)

    assert ledger.total == Decimal("-40.00") and [line.amount for line in ledger.lines] == [Decimal("-40.00")]


def test_the_transactions_of_a_cost_centre(organization, centres):
    rows = transactions_list(organization=organization, cost_center=centres["Shop"])

    assert [t.external_id for t in rows] == ["s1"]


def test_the_pnl_page_offers_the_cost_centres_and_filters_by_one(member_client, centres):
    page = member_client.get(PNL).content.decode()
    shop = member_client.get(PNL, {"cost_center": centres["Shop"].pk})

    assert 'name="cost_center"' in page and ">Shop<" in page and ">Web<" in page
    assert "declares no analytical axes" not in page and 'data-axes="cost-centres"' in page
    assert "Other analytical axes (projects, departments) are not available" in page
    assert shop.context["scope"].cost_center == centres["Shop"]
    assert "Only what was booked on cost centre Shop." in shop.content.decode()
    assert f"cost_center={centres['Shop'].pk}" in shop.context["drill_query"]


def test_the_balance_sheet_and_overview_stay_whole_and_say_where_cost_centres_are(member_client, centres):
    shop = centres["Shop"].pk

    balance = member_client.get(reverse("dashboards:balance_sheet"), {"cost_center": shop})
    overview = member_client.get(reverse("dashboards:overview"), {"cost_center": shop})

    assert balance.context["scope"].cost_center is None and overview.context["scope"].cost_center is None
    assert 'name="cost_center"' not in balance.content.decode()
    assert 'data-axes="cost-centres-elsewhere"' in overview.content.decode()


def test_the_transactions_page_filters_by_a_cost_centre(member_client, centres):
    response = member_client.get(TRANSACTIONS, {"cost_center": centres["Web"].pk})

    assert [t.external_id for t in response.context["transactions"]] == ["s2"]
    assert 'name="cost_center"' in response.content.decode()


def test_another_organisations_cost_centre_is_not_found(member_client, centres, other_books):
    cost_centers_upsert(administration=other_books.administration, rows=[CostCenterRecord("x", "Secret")])
    secret = CostCenter.objects.get(administration=other_books.administration)

    assert member_client.get(PNL, {"cost_center": secret.pk}).status_code == 404
    assert member_client.get(TRANSACTIONS, {"cost_center": secret.pk}).status_code == 404
    assert member_client.get(reverse("api:report_pnl"), {"cost_center": secret.pk}).status_code == 404
    assert member_client.get(reverse("api:transactions"), {"cost_center": secret.pk}).status_code == 404


def test_the_api_filters_the_pnl_and_the_transactions_by_cost_centre(member_client, centres):
    shop = centres["Shop"].pk

    report = member_client.get(reverse("api:report_pnl"), {"cost_center": shop}).json()
    transactions = member_client.get(reverse("api:transactions"), {"cost_center": shop}).json()

    revenue = next(r for r in report["rows"] if r["line"] == ReportingLine.REVENUE)
    assert Decimal(revenue["figures"]["total"]) == Decimal("100.00")
    assert [t["external_id"] for t in transactions["results"]] == ["s1"]


def test_books_without_cost_centres_say_there_is_nothing_to_filter_by(member_client, books, today):
    books.invoice("s1", side=RECEIVABLE, day=today.replace(day=1), amount="12.10")

    page = member_client.get(PNL).content.decode()

    assert 'name="cost_center"' not in page and 'data-axes="no-cost-centres"' in page


def test_a_provider_without_cost_centres_is_named_in_the_note(organization, books):
    books.administration.provider = "no-such-provider"

    axes = reporting_axes(organization=organization, administrations=[books.administration])

    assert not axes.by_cost_centre and axes.cost_centres.providers_without == ("no-such-provider",)


def test_the_integration_card_says_cost_centres_are_reported_by(member_client):
    page = member_client.get(reverse("integrations:index"), follow=True).content.decode()

    card = page.split('id="provider-eboekhouden"')[1].split("</section>")[0]
    assert 'data-capability="cost-centres"' in card
