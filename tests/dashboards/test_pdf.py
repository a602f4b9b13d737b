"""The PDFs: a relation's statement of open items and the Outstanding Items and P&L pages as reports. Each is made
through its URL, read back with pypdf, and compared with what the page's selectors give for the same filters."""

from __future__ import annotations

import sys
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation

from dashboards.aging import aging_buckets
from dashboards.mapping import Statement
from dashboards.models import AgingBasis, OutstandingSettings
from dashboards.selectors.outstanding import outstanding_aging, outstanding_items_list, outstanding_items_summary
from dashboards.selectors.scope import OutstandingScope
from dashboards.selectors.statements import StatementScope, statement_report
from dashboards.views.pdf import address_lines
from ledger.models import OutstandingSide, Relation
from ledger.records import RelationRecord
from ledger.services import relations_upsert
from monitr.web.numbers import format_amount, format_money
from tests.pdftext import pdf_pages, pdf_text

from .factories import PAYABLE, RECEIVABLE, Books, item

pytestmark = pytest.mark.django_db

REPORT = reverse("dashboards:outstanding_pdf")
PNL = reverse("dashboards:pnl_pdf")


def statement_url(relation: Relation) -> str:
    return reverse("dashboards:relation_statement_pdf", args=[relation.pk])


def money(value: Decimal | str, language: str = "en-gb") -> str:
    with translation.override(language):
        return format_money(Decimal(value)).replace("\u00a0", " ")


def in_language(text: str, language: str) -> str:
    with translation.override(language):
        return str(translation.gettext(text))


def pdf(response) -> str:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    return pdf_text(response.content)


@pytest.fixture
def addressed(books):
    """Alpha BV with its address from the source; Beta & Zonen abroad; Gamma NV without an address."""
    relations_upsert(
        administration=books.administration,
        rows=[
            RelationRecord(
                external_id="rel-1",
                code="REL0001",
                name="Alpha BV",
                payment_term_days=30,
                address="Kerkstraat 12",
                postal_code="3511 AB",
                city="Utrecht",
                country="NL",
                email="administratie@alpha.example",
            ),
            RelationRecord(
                external_id="rel-2",
                code="REL0002",
                name="Beta & Zonen",
                address="Hauptstraße 5",
                postal_code="40213",
                city="Düsseldorf",
                country="Duitsland",
            ),
        ],
    )
    return books


@pytest.fixture
def receivables(addressed, today):
    """Alpha BV: one invoice not yet due, one 20 days overdue (part paid), one 150 days overdue, a credit note.
    Beta & Zonen: one invoice 40 days overdue."""
    addressed.open_items(
        RECEIVABLE,
        [
            item("1", invoiced=today - timedelta(days=10), due=today + timedelta(days=20), total="1234.50"),
            item("2", invoiced=today - timedelta(days=50), due=today - timedelta(days=20), total="2000.00", paid="500"),
            item("3", invoiced=today - timedelta(days=180), due=today - timedelta(days=150), total="300.00"),
            item("4", invoiced=today - timedelta(days=5), due=None, total="-80.00", invoice_number="CN-4"),
            item("5", relation="rel-2", invoiced=today - timedelta(days=70), due=today - timedelta(days=40)),
        ],
    )
    addressed.open_items(
        PAYABLE, [item("9", relation="rel-2", invoiced=today - timedelta(days=3), due=today + timedelta(days=27))]
    )
    return addressed


def scope_of(organization, today, **changes) -> OutstandingScope:
    values = {"organization": organization, "side": OutstandingSide.RECEIVABLE, "as_of": today, "today": today}
    return OutstandingScope(**{**values, **changes})


class TestStatement:
    def test_lists_each_open_item_with_its_dates_days_overdue_and_open_amount(self, member_client, receivables, today):
        alpha = receivables.relation("rel-1")

        text = pdf(member_client.get(statement_url(alpha)))

        rows = outstanding_items_list(scope=scope_of(alpha.administration.organization, today), relation=alpha)
        assert len(rows) == 4
        for row in rows:
            assert row.invoice_number in text
            assert formats.date_format(row.invoice_date, "DATE_FORMAT") in text
            assert money(row.outstanding) in text
        assert "F2 " in text and money("1500.00") in text  # the open part of the part-paid invoice
        overdue = (today - (today - timedelta(days=150))).days
        assert f"{overdue} " in text or f"{overdue}\n" in text
        assert "Credit" in text  # the credit note is never overdue
        assert "F5" not in text  # Beta's invoice is not Alpha's

    def test_total_and_overdue_are_the_pages_figures(self, member_client, receivables, today):
        alpha = receivables.relation("rel-1")
        rows = outstanding_items_list(scope=scope_of(alpha.administration.organization, today), relation=alpha)
        summary = outstanding_items_summary(rows=rows, as_of=today)

        text = pdf(member_client.get(statement_url(alpha)))

        assert summary["total"] == Decimal("2954.50")
        assert f"Total outstanding {money(summary['total'])}" in text
        assert f"Of which overdue {money(summary['overdue'])}" in text

    def test_the_aging_has_the_organisations_buckets_and_adds_up_to_the_total(
        self, member_client, organization, receivables
    ):
        OutstandingSettings.objects.create(organization=organization, boundaries=[14, 45])
        alpha = receivables.relation("rel-1")

        text = pdf(member_client.get(statement_url(alpha)))

        labels = [str(b.label) for b in aging_buckets(boundaries=[14, 45], basis=AgingBasis.DUE_DATE)]
        assert labels == ["Not yet due", "1–14 days", "15–45 days", "Over 45 days"]
        aging = text[text.index("Aging") :]
        assert " ".join(labels) in aging
        # Not yet due 1,234.50; 15–45: 1,500.00; over 45: 300.00; credit -80.00; total 2,954.50.
        figures = [money("1234.50"), money("0"), money("1500.00"), money("300.00"), money("-80.00"), money("2954.50")]
        assert " ".join(figures) in aging

    def test_shows_the_organisation_and_the_relations_address(self, member_client, organization, receivables):
        alpha = receivables.relation("rel-1")

        text = pdf(member_client.get(statement_url(alpha)))

        assert organization.name in text
        assert "Alpha BV\nKerkstraat 12\n3511 AB Utrecht\nadministratie@alpha.example" in text
        assert "NL" not in text.split("Kerkstraat 12")[1].split("\n")[1]  # a Dutch address prints no country
        assert "REL0001" in text and "30 days" in text

    def test_a_foreign_address_keeps_its_country(self, member_client, receivables):
        text = pdf(member_client.get(statement_url(receivables.relation("rel-2"))))

        assert "Hauptstraße 5\n40213 Düsseldorf\nDuitsland" in text

    def test_a_relation_without_an_address_gets_a_statement_with_its_name_alone(
        self, member_client, receivables, today
    ):
        late = item("7", relation="rel-3", invoiced=today - timedelta(days=45), due=today - timedelta(days=15))
        receivables.open_items(RECEIVABLE, [late])
        gamma = receivables.relation("rel-3")
        assert address_lines(gamma) == []

        text = pdf(member_client.get(statement_url(gamma)))

        assert "Gamma NV" in text and "F7" in text and money("100.00") in text

    def test_a_relation_without_open_items_gets_a_statement_that_says_so(self, member_client, books, today):
        gamma = books.relation("rel-3")

        text = pdf(member_client.get(statement_url(gamma)))

        day = formats.date_format(today, "j F Y")
        assert f"No open items on {day}." in text
        assert f"Total outstanding {money('0')}" in text

    def test_follows_the_day_asked_for(self, member_client, receivables, today):
        alpha = receivables.relation("rel-1")
        receivables.snapshot(today - timedelta(days=1))
        yesterday = (today - timedelta(days=1)).isoformat()

        response = member_client.get(statement_url(alpha), {"as_of": yesterday})

        assert formats.date_format(today - timedelta(days=1), "j F Y") in pdf(response)
        assert yesterday in response["Content-Disposition"]

    def test_is_a_download_named_after_the_relation_and_the_day_never_stored(self, member_client, receivables, today):
        response = member_client.get(statement_url(receivables.relation("rel-1")))

        assert response["Content-Disposition"] == f'attachment; filename="statement-rel0001-{today.isoformat()}.pdf"'
        assert "no-store" in response["Cache-Control"]

    def test_a_hostile_name_makes_a_plain_file_name_and_is_printed_as_text(self, member_client, books, today):
        relations_upsert(
            administration=books.administration,
            rows=[RelationRecord(external_id="rel-9", code="", name='<b>"Evil"</b>\r\n; filename=x.exe')],
        )
        evil = books.relation("rel-9")

        response = member_client.get(statement_url(evil))

        assert response["Content-Disposition"] == (
            f'attachment; filename="statement-bevilb-filenamexexe-{today.isoformat()}.pdf"'
        )
        assert '<b>"Evil"</b>' in pdf(response)

    def test_is_of_the_relations_own_books_whichever_administration_the_page_showed(
        self, member_client, organization, receivables
    ):
        other = Books.create(organization, name="Acme Two BV")

        text = pdf(
            member_client.get(statement_url(receivables.relation("rel-1")), {"administration": other.administration.pk})
        )

        assert f"Total outstanding {money('2954.50')}" in text

    def test_another_organisations_relation_is_not_found(self, member_client, receivables, other_books):
        secret = other_books.relation("rel-1")

        assert member_client.get(statement_url(secret)).status_code == 404

    def test_anonymous_visitors_are_sent_to_sign_in(self, receivables):
        response = Client().get(statement_url(receivables.relation("rel-1")))

        assert response.status_code == 302 and response["Location"].startswith("/login/")


class TestStatementInDutch:
    def test_words_dates_and_money_are_dutch_for_a_dutch_browser(self, member_client, receivables, today):
        alpha = receivables.relation("rel-1")

        text = pdf(member_client.get(statement_url(alpha), HTTP_ACCEPT_LANGUAGE="nl"))

        # The table's headers are printed in capitals: compared without case.
        for word in ("Statement of open items", "Invoice date", "Due date", "Days overdue", "Total outstanding"):
            assert in_language(word, "nl").casefold() in text.casefold()
        assert "factuurdatum" in text.casefold() and "dagen vervallen" in text.casefold()
        assert "Totaal openstaand" in text
        assert money("2954.50", "nl") == "€ 2.954,50"
        assert "€ 2.954,50" in text
        with translation.override("nl"):
            assert formats.date_format(today, "j F Y") in text  # "4 december 2026": Dutch month names
            assert formats.date_format(today - timedelta(days=50), "DATE_FORMAT") in text
        assert "Not yet due" not in text and "Nog niet vervallen" in text

    def test_a_user_who_chose_dutch_gets_it_whatever_the_browser_says(self, member_user, receivables):
        member_user.language = "nl"
        member_user.save(update_fields=["language"])
        client = Client()
        client.force_login(member_user)

        text = pdf(client.get(statement_url(receivables.relation("rel-1")), HTTP_ACCEPT_LANGUAGE="en"))

        assert "DAGEN VERVALLEN" in text and "€ 2.954,50" in text


class TestOutstandingReport:
    def test_has_the_pages_totals_buckets_and_every_relation(self, member_client, organization, receivables, today):
        aging = outstanding_aging(scope=scope_of(organization, today))

        text = pdf(member_client.get(REPORT))

        assert aging.total == Decimal("3054.50")
        assert f"TOTAL OUTSTANDING\n{money(aging.total)}" in text  # the figures' labels are in capitals
        assert money(aging.overdue) in text and money(aging.credit) in text
        for bucket in aging.buckets:
            assert str(bucket.bucket.label) in text
        assert "REL0001 Alpha BV " + money("2954.50") in text
        assert "REL0002 Beta & Zonen " + money("100.00") in text
        assert f"Total {money(aging.total)}" in text  # the relations add up to the page's total

    def test_says_whose_books_which_side_which_day_and_when_it_was_made(
        self, member_client, organization, receivables, today
    ):
        text = pdf(member_client.get(REPORT, {"side": "payable"}))

        assert organization.name in text and receivables.administration.name in text
        assert "Outstanding items · Payables" in text
        assert formats.date_format(today, "DATE_FORMAT") in text and "Made on" in text
        assert "Customers" not in text and "Suppliers" in text
        assert "Alpha BV" not in text and "Beta & Zonen" in text

    def test_follows_the_search_of_the_relation_table(self, member_client, receivables):
        text = pdf(member_client.get(REPORT, {"q": "beta"}))

        assert "Beta & Zonen" in text and "Alpha BV" not in text
        assert "Search beta" in text

    def test_is_a_download_named_after_the_side_and_day(self, member_client, receivables, today):
        response = member_client.get(REPORT, {"side": "payable"})

        assert response["Content-Disposition"] == (
            f'attachment; filename="outstanding-payables-{today.isoformat()}.pdf"'
        )
        assert "no-store" in response["Cache-Control"]

    def test_with_nothing_outstanding_it_says_so(self, member_client, books):
        text = pdf(member_client.get(REPORT))

        assert "Nothing outstanding." in text and money("0") in text

    def test_in_dutch(self, member_client, receivables):
        text = pdf(member_client.get(REPORT, HTTP_ACCEPT_LANGUAGE="nl"))

        assert in_language("Outstanding items", "nl") in text
        assert "Debiteuren" in text and "VERVALLEN" in text and "€ 3.054,50" in text

    def test_another_organisations_administration_is_not_found(self, member_client, receivables, other_books):
        assert member_client.get(REPORT, {"administration": other_books.administration.pk}).status_code == 404


@pytest.fixture
def year_of_books(books, today):
    for month in range(1, today.month + 1):
        day = today.replace(month=month, day=1)
        books.invoice(f"sale-{month}", side=RECEIVABLE, day=day, amount="1210.00")
        books.invoice(f"cost-{month}", side=PAYABLE, day=day, amount="363.00", relation="rel-2")
    return books


class TestPnlReport:
    def test_has_the_pages_lines_and_results(self, member_client, organization, year_of_books, today):
        scope = StatementScope(organization=organization, year=today.year, month=today.month, today=today)
        report = statement_report(scope=scope, statement=Statement.PROFIT_AND_LOSS)

        text = pdf(member_client.get(PNL))

        assert "Profit and loss" in text and organization.name in text and str(today.year) in text
        for row in report.rows:
            assert f"{row.label} " in text
            assert format_amount(row.figures.total) in text
        net = next(r for r in report.rows if r.key == "net-result")
        assert net.figures.total == Decimal("700.00") * today.month  # 1,000 revenue less 300 costs a month
        months = " ".join(format_amount(m) for m in net.figures.months)
        assert f"Net result {months} {format_amount(net.figures.total)}" in text

    def test_is_a_download_named_after_its_last_day(self, member_client, year_of_books, today):
        response = member_client.get(PNL, {"year": today.year - 1})

        assert response["Content-Disposition"] == f'attachment; filename="profit-and-loss-{today.year - 1}-12-31.pdf"'
        assert str(today.year - 1) in pdf(response)

    def test_in_dutch(self, member_client, year_of_books, today):
        text = pdf(member_client.get(PNL, HTTP_ACCEPT_LANGUAGE="nl"))

        assert "Winst en verlies" in text and "Nettoresultaat" in text and "Omzet" in text


class TestWithoutWeasyPrint:
    def test_a_pdf_becomes_a_page_that_says_why(self, member_client, receivables, monkeypatch):
        monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint now raises ImportError

        response = member_client.get(statement_url(receivables.relation("rel-1")))

        assert response.status_code == 503
        assert response["Content-Type"].startswith("text/html")
        page = response.content.decode()
        assert "PDFs cannot be made on this server" in page and "WeasyPrint" in page

    def test_the_pages_still_work(self, member_client, receivables, monkeypatch):
        monkeypatch.setitem(sys.modules, "weasyprint", None)

        assert member_client.get(reverse("dashboards:outstanding")).status_code == 200


class TestLinks:
    def test_the_relations_drill_down_offers_its_statement(self, member_client, receivables):
        alpha = receivables.relation("rel-1")

        page = member_client.get(reverse("dashboards:outstanding_items"), {"relation": alpha.pk}).content.decode()

        assert f'href="{statement_url(alpha)}?' in page and "Statement (PDF)" in page

    def test_the_outstanding_page_offers_its_report(self, member_client, receivables):
        page = member_client.get(reverse("dashboards:outstanding"), {"q": "beta"}).content.decode()

        assert f'href="{REPORT}?side=receivable&amp;q=beta"' in page

    def test_the_pnl_page_offers_its_report_and_the_balance_sheet_does_not(self, member_client, year_of_books):
        assert f'href="{PNL}?' in member_client.get(reverse("dashboards:pnl")).content.decode()
        assert PNL not in member_client.get(reverse("dashboards:balance_sheet")).content.decode()


@pytest.mark.parametrize("count", [120])
def test_a_long_statement_repeats_its_header_and_numbers_its_pages(member_client, books, today, count):
    books.open_items(
        RECEIVABLE,
        [
            item(f"{n}", invoiced=today - timedelta(days=n), due=today - timedelta(days=n - 30), total="10.00")
            for n in range(count)
        ],
    )

    response = member_client.get(statement_url(books.relation("rel-1")))
    text = pdf(response)
    pages = pdf_pages(response.content)

    assert pages > 1
    assert text.count("DAYS OVERDUE") == pages  # the table's header (in capitals) on every page
    assert f"Page {pages} of {pages}" in text
    assert f"Total outstanding {money(Decimal('10.00') * count)}" in text


def test_a_pdf_fetches_nothing_the_page_names(monkeypatch, httpserver, member_client, receivables):
    """Whatever ends up in a document's HTML, the server makes no request for it: no image, no stylesheet."""
    httpserver.expect_request("/logo.png").respond_with_data(b"", content_type="image/png")
    html = f'<html><body><img src="{httpserver.url_for("/logo.png")}"><link rel="stylesheet" href="file:///etc/hosts"></body></html>'
    monkeypatch.setattr("dashboards.pdf.render_to_string", lambda *args, **kwargs: html)

    response = member_client.get(statement_url(receivables.relation("rel-1")))

    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert httpserver.log == []
