"""Outstanding Items and the Overview in Dutch: the words, the aging buckets, the money, the chart's words and the
exports' headers follow the language; the API stays English."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from dashboards.aging import aging_buckets
from dashboards.models import OutstandingSettings
from monitr.web.templatetags.monitr_ui import money

from .factories import PAYABLE, RECEIVABLE, item
from .xlsx import read_rows, read_sheet

pytestmark = pytest.mark.django_db

PAGE = reverse("dashboards:outstanding")
ITEMS = reverse("dashboards:outstanding_items")
OVERVIEW = reverse("dashboards:overview")
TOTAL = Decimal("3584.50")


@pytest.fixture
def receivables(books, today):
    """One invoice not yet due, one 20 days overdue, one 150 days overdue and one without a due date."""
    books.open_items(
        RECEIVABLE,
        [
            item("1", invoiced=today - timedelta(days=10), due=today + timedelta(days=20), total="1234.50"),
            item("2", invoiced=today - timedelta(days=50), due=today - timedelta(days=20), total="2000.00"),
            item(
                "3",
                relation="rel-2",
                invoiced=today - timedelta(days=200),
                due=today - timedelta(days=150),
                total="300",
            ),
            item("4", invoiced=today - timedelta(days=5), due=None, total="50.00"),
        ],
    )


def in_dutch(client, url: str, params=None):
    return client.get(url, params or {}, HTTP_ACCEPT_LANGUAGE="nl")


def content(response) -> str:
    """The page's own part (the <main> element), without the menu and header that other pages share."""
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def in_language(value, language: str) -> str:
    with translation.override(language):
        return str(value)


def dutch_money(amount: Decimal, places: int = 2) -> str:
    with translation.override("nl"):
        return money(amount, places)


def chart(page: str, element_id: str) -> dict:
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', page, re.S)
    assert found is not None
    return json.loads(found.group(1))


class TestBucketLabels:
    def test_the_labels_are_translated_when_shown_not_when_made(self):
        buckets = aging_buckets(boundaries=[30, 60, 90], basis="due")

        labels = [b.label for b in buckets]
        assert [in_language(label, "nl") for label in labels] == [
            "Nog niet vervallen",
            "1–30 dagen",
            "31–60 dagen",
            "61–90 dagen",
            "Meer dan 90 dagen",
        ]
        assert [in_language(label, "en-gb") for label in labels] == [
            "Not yet due",
            "1–30 days",
            "31–60 days",
            "61–90 days",
            "Over 90 days",
        ]

    def test_by_invoice_date_and_one_day_in_dutch(self):
        buckets = aging_buckets(boundaries=[1, 30], basis="invoice")

        assert [in_language(b.label, "nl") for b in buckets] == ["0–1 dag", "2–30 dagen", "Meer dan 30 dagen"]


class TestOutstandingInDutch:
    ENGLISH = [
        "Outstanding items",
        "Who owes you",
        "Total outstanding",
        "Not yet due",
        "1–30 days",
        "Over 90 days",
        "Aging",
        "Bucket",
        "Top debtors",
        "Customers",
        "Search by name or code",
        "Check against the ledger",
        "Not checked yet",
        "Overdue over time",
        "have no due date",
        "days sales outstanding",
        "Change since",
        "Receivables",
        "Payables",
        "(no relation)",
        "Oldest item",
        "Relations CSV",
        "Last import",
        "As of",
        "Age by",
        "Due date",
        "Aging settings",
        "Bucket boundaries",
    ]

    def test_the_dashboard_speaks_dutch_with_dutch_money(self, admin_client, receivables):
        page = content(in_dutch(admin_client, PAGE))

        for dutch in [
            "<h1>Openstaande posten</h1>",
            "Ouderdomsanalyse",
            "Nog niet vervallen",
            "1–30 dagen",
            "Meer dan 90 dagen",
            "Totaal openstaand",
            "Grootste debiteuren",
            "Klanten",
            "Controle met het grootboek",
            "1 post heeft geen vervaldatum",
            "DSO · debiteurenlooptijd in dagen",
            "Debiteuren",
            "Crediteuren",
            "Instellingen ouderdomsanalyse",
            "Vervaldatum",
            "Peildatum",
        ]:
            assert dutch in page, dutch
        assert dutch_money(TOTAL) in page and dutch_money(TOTAL) == "€\u00a03.584,50"
        # Overdue: 20 and 150 days past due, and the item without a due date, aged by its invoice date.
        assert dutch_money(Decimal("2350.00")) in page
        for english in self.ENGLISH:
            assert english not in page, english
        assert "€3,584.50" not in page

    def test_days_outstanding_in_dutch(self, member_client, books, today):
        books.open_items(RECEIVABLE, [item("1", invoiced=today, due=today, total="1500.00")])
        books.invoice("s1", side=RECEIVABLE, day=today - timedelta(days=5), amount="4500.00")

        page = content(in_dutch(member_client, PAGE))

        assert '<div class="stat-value" data-figure="days">30 dagen</div>' in page
        assert "gefactureerd × 90" in page and "na aftrek van creditnota's" in page

    def test_the_charts_words_come_translated_from_the_page(self, member_client, books, receivables, today):
        books.snapshot(today - timedelta(days=1))

        page = content(in_dutch(member_client, PAGE))

        assert chart(page, "outstanding-chart-data")["buckets"]["labels"] == [
            "Nog niet vervallen",
            "1–30 dagen",
            "31–60 dagen",
            "61–90 dagen",
            "Meer dan 90 dagen",
        ]
        assert 'data-label-total="Openstaand"' in page and 'data-label-overdue="Vervallen"' in page

    def test_in_english_the_dashboard_keeps_its_english(self, member_client, receivables):
        page = content(member_client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en"))

        assert "<h1>Outstanding items</h1>" in page and "Not yet due" in page and "Over 90 days" in page
        assert "€3,584.50" in page
        assert "Openstaande posten" not in page and "Nog niet vervallen" not in page

    def test_the_payables_tab_names_its_own_side(self, member_client, books, today):
        books.open_items(PAYABLE, [item("p", relation="rel-3", invoiced=today, due=today, total="80")])

        page = content(in_dutch(member_client, PAGE, {"side": "payable"}))

        assert "Grootste crediteuren" in page and "Leveranciers" in page and "DPO · crediteurenlooptijd" in page
        assert "Top creditors" not in page and "Suppliers" not in page

    def test_a_refused_day_is_explained_in_dutch(self, member_client, receivables, today):
        page = content(in_dutch(member_client, PAGE, {"as_of": (today + timedelta(days=1)).isoformat()}))

        assert "Openstaande posten zijn bekend tot en met vandaag" in page
        assert "Open items are known" not in page

    def test_a_day_without_a_snapshot_says_so_in_dutch(self, member_client, receivables, today):
        page = content(in_dutch(member_client, PAGE, {"as_of": (today - timedelta(days=3)).isoformat()}))

        assert "Geen momentopname van" in page and "Toon vandaag" in page
        assert "No snapshot" not in page and "Show today" not in page

    def test_the_settings_are_refused_in_dutch(self, admin_client, organization):
        response = admin_client.post(
            reverse("dashboards:outstanding_settings"),
            {"basis": "due", "boundaries": "60, 30"},
            follow=True,
            HTTP_ACCEPT_LANGUAGE="nl",
        )

        page = content(response)
        assert "De instellingen van de ouderdomsanalyse zijn niet opgeslagen" in page
        assert "De grenzen moeten oplopen" in page
        assert "The aging settings were not saved" not in page
        assert not OutstandingSettings.objects.filter(organization=organization).exists()


class TestItemsInDutch:
    def test_the_item_list_speaks_dutch_with_dutch_money(self, member_client, receivables):
        page = content(in_dutch(member_client, ITEMS, {"no_due_date": "1"}))

        for dutch in ["Posten zonder vervaldatum", "Factuurdatum", "Vervaldatum", "Dagen vervallen", "Openstaand"]:
            assert dutch in page, dutch
        assert "geen vervaldatum" in page and "Exporteren" in page
        assert dutch_money(Decimal("50.00")) in page
        for english in [
            "Items without a due date",
            "Invoice date",
            "Days overdue",
            "Search by invoice number",
            ">Export<",
        ]:
            assert english not in page, english

    def test_a_relations_invoices(self, member_client, books, receivables):
        relation = books.relation("rel-1")

        page = content(in_dutch(member_client, ITEMS, {"relation": relation.pk}))

        assert "Verstuurde facturen, nog te ontvangen" in page and "← Openstaande posten" in page
        assert dutch_money(Decimal("3284.50")) in page
        assert "Invoices sent" not in page and "Outstanding items" not in page


class TestOverviewInDutch:
    @pytest.fixture
    def booked(self, books, today):
        day = today.replace(day=1)
        books.invoice("s1", side=RECEIVABLE, day=day, amount="1210.00")
        books.invoice("p1", side=PAYABLE, day=day, amount="242.00", relation="rel-3")
        books.payment("b1", day=day, amount="1000.00")
        return books

    def test_the_overview_speaks_dutch_with_dutch_money(self, member_client, booked, today):
        response = in_dutch(member_client, OVERVIEW)
        page = content(response)

        for dutch in [
            "<h1>Overzicht</h1>",
            "Omzet",
            "Brutomarge",
            "Bedrijfsresultaat",
            "Liquide middelen",
            "Debiteuren",
            "Crediteuren",
            "Per maand",
            "1 januari tot en met",
        ]:
            assert dutch in page, dutch
        assert dutch_money(Decimal("1000"), 0) in page and dutch_money(Decimal("1000"), 0) == "€\u00a01.000"
        for english in ["Overview", "Revenue", "Gross margin", "Operating result", "Cash and bank", "By month"]:
            assert english not in page, english
        assert f'data-label-revenue="Omzet {today.year}"' in page
        assert f'data-label-result-prior="Bedrijfsresultaat {today.year - 1}"' in page

    def test_the_figures_are_the_same_in_either_language(self, member_client, booked):
        dutch = in_dutch(member_client, OVERVIEW).context["figures"]
        english = member_client.get(OVERVIEW, HTTP_ACCEPT_LANGUAGE="en").context["figures"]

        assert [f.figures.total for f in dutch] == [f.figures.total for f in english]
        assert dutch[1].key == "gross_margin" and dutch[1].figures.total == Decimal("1000.00")


class TestExportsInDutch:
    def export(self, client, table: str, file_format: str, language: str):
        url = reverse("dashboards:outstanding_export", args=[table, file_format])
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        return b"".join(response.streaming_content)

    def csv(self, data: bytes, delimiter: str) -> list[list[str]]:
        return list(
            csv.reader(io.StringIO(data.decode("utf-8").removeprefix("\ufeff"), newline=""), delimiter=delimiter)
        )

    def test_the_dutch_relation_csv_has_dutch_headers(self, member_client, receivables):
        header, *rows = self.csv(self.export(member_client, "relations", "csv", "nl"), ";")

        assert header == [
            "Administratie",
            "Relatiecode",
            "Relatie",
            "Totaal",
            "Vervallen",
            "Nog niet vervallen",
            "1–30 dagen",
            "31–60 dagen",
            "61–90 dagen",
            "Meer dan 90 dagen",
            "Credit",
            "Oudste factuurdatum",
            "Meeste dagen vervallen",
            "Posten",
            "Betaalgedrag",
            "Dagen te laat, naar bedrag",
            "Volgende opvolging",
        ]
        alpha = next(r for r in rows if r[2] == "Alpha BV")
        assert alpha[3] == "3284,50"  # a decimal comma, no grouping

    def test_the_dutch_item_csv_has_dutch_headers_and_buckets(self, member_client, receivables):
        header, *rows = self.csv(self.export(member_client, "items", "csv", "nl"), ";")

        assert header == [
            "Administratie",
            "Relatiecode",
            "Relatie",
            "Factuurnummer",
            "Factuurdatum",
            "Vervaldatum",
            "Dagen vervallen",
            "Ouderdom",
            "Totaal",
            "Betaald",
            "Openstaand",
        ]
        assert {r[7] for r in rows} == {"Nog niet vervallen", "1–30 dagen", "Meer dan 90 dagen"}

    def test_the_dutch_xlsx_has_dutch_headers(self, member_client, receivables):
        data = self.export(member_client, "items", "xlsx", "nl")

        header, *_ = read_rows(data)
        assert header[:8] == [
            "Administratie",
            "Relatiecode",
            "Relatie",
            "Factuurnummer",
            "Factuurdatum",
            "Vervaldatum",
            "Dagen vervallen",
            "Ouderdom",
        ]
        assert read_sheet(data).title == "Posten"

    def test_the_dutch_relation_xlsx_names_the_buckets_in_dutch(self, member_client, receivables):
        header, *_ = read_rows(self.export(member_client, "relations", "xlsx", "nl"))

        assert header[:6] == ["Administratie", "Relatiecode", "Relatie", "Totaal", "Vervallen", "Nog niet vervallen"]

    def test_the_english_exports_keep_english_headers(self, member_client, receivables):
        header, *_ = self.csv(self.export(member_client, "items", "csv", "en"), ",")
        xlsx_header, *_ = read_rows(self.export(member_client, "relations", "xlsx", "en"))

        assert header[:8] == [
            "Administration",
            "Relation code",
            "Relation",
            "Invoice number",
            "Invoice date",
            "Due date",
            "Days overdue",
            "Bucket",
        ]
        assert xlsx_header[:6] == ["Administration", "Relation code", "Relation", "Total", "Overdue", "Not yet due"]


class TestApiStaysEnglish:
    def test_the_aging_buckets_keep_their_english_labels(self, member_client, receivables):
        data = member_client.get(reverse("api:outstanding_aging"), HTTP_ACCEPT_LANGUAGE="nl").json()

        assert [b["label"] for b in data["buckets"]] == [
            "Not yet due",
            "1–30 days",
            "31–60 days",
            "61–90 days",
            "Over 90 days",
        ]
