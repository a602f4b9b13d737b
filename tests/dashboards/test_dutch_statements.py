"""The statements, the transactions, an account, the data checks, the account mapping and the pages before the books
are in, read in Dutch: Dutch headings and labels, Dutch numbers and month names, and none of the English they have
for an English reader."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from dashboards.templatetags.dashboards_ui import short_date
from ledger.models import Account, Transaction
from ledger.records import LineRecord, TransactionRecord, TransactionType
from ledger.services import transactions_upsert

from .factories import PAYABLE, RECEIVABLE
from .test_states import importing

pytestmark = pytest.mark.django_db

PNL = reverse("dashboards:pnl")
BALANCE = reverse("dashboards:balance_sheet")
TRANSACTIONS = reverse("dashboards:transactions")
CHECKS = reverse("dashboards:data_checks")
MAPPING = reverse("dashboards:account_mapping")


@pytest.fixture
def booked(books, today):
    """Sales of 1.210,00 and 605,00 incl. VAT, a purchase of 242,00 and a payment of 1.000,00, all this month; and
    a sale of 109,00 whose revenue line carries the 9% sales VAT code."""
    day = today.replace(day=1)
    books.invoice("s1", side=RECEIVABLE, day=day, amount="1210.00")
    books.invoice("s2", side=RECEIVABLE, day=day, amount="605.00", relation="rel-2")
    books.invoice("p1", side=PAYABLE, day=day, amount="242.00", relation="rel-3")
    books.payment("b1", day=day, amount="1000.00")
    transactions_upsert(
        administration=books.administration,
        transactions=[
            TransactionRecord(
                external_id="s9",
                transaction_type=TransactionType.SALES_INVOICE,
                date=day,
                fingerprint="fp-s9",
                lines=(
                    LineRecord(account_external_id="debtors", amount=Decimal("109.00"), relation_external_id="rel-1"),
                    LineRecord(
                        account_external_id="revenue",
                        amount=Decimal("-100.00"),
                        vat_code="LAAG_VERK_9",
                        vat_amount=Decimal("9.00"),
                    ),
                    LineRecord(account_external_id="vat", amount=Decimal("-9.00")),
                ),
                invoice_number="s9",
                relation_external_id="rel-1",
                account_external_id="debtors",
            )
        ],
    )
    return books


def dutch(client, url: str, params: dict | None = None) -> str:
    response = client.get(url, params or {}, HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    return page


def in_dutch(day: date, pattern: str) -> str:
    with translation.override("nl"):
        return date_format(day, pattern)


def assert_english_gone(page: str, *english: str) -> None:
    """None of ``english`` in the page's own content (the menu around it is the site's)."""
    content = page[page.index("<main") : page.index("</main>")]
    left = [text for text in english if text in content]
    assert not left, left


class TestProfitAndLoss:
    def test_headings_lines_and_subtotals_are_dutch(self, member_client, booked):
        page = dutch(member_client, PNL)

        assert "<h1>Winst en verlies</h1>" in page
        for label in ("Omzet", "Kostprijs van de omzet", "Brutomarge", "Bedrijfsresultaat", "Nettoresultaat"):
            assert label in page, label
        assert "Klik op een bedrag voor de grootboekrekeningen erachter." in page
        assert "Resultaat per maand van" in page and ">Verschil</th>" in page
        assert_english_gone(
            page,
            "Profit and loss",
            "Gross margin",
            "Operating result",
            "Net result",
            "Cost of sales",
            "Click a figure",
            "Result per month",
            ">Change<",
            ">Apply<",
            "prior year",
            "Revenue and financial income",
        )

    def test_figures_and_months_are_written_the_dutch_way(self, member_client, booked, today):
        page = dutch(member_client, PNL)

        # Revenue: 1.000,00 + 500,00 + 100,00 excl. VAT, with a full stop for thousands and a comma for cents.
        assert 'data-figure="revenue">' in page
        assert 'data-figure="revenue"><a href' in page and ">1.600,00</a>" in page
        assert f"1 januari tot en met {in_dutch(today, 'j F')}" in page
        # Month names as Dutch writes them: not capitalised.
        assert '<th scope="col" class="num month">jan</th>' in page
        assert_english_gone(page, ">Jan</th>", "1 Jan –")
        # Subtotals keep their hooks in every language.
        assert 'data-figure="gross-margin"' in page and 'data-figure="net-result"' in page

    def test_an_unmapped_account_is_counted_in_a_dutch_sentence(self, member_client, booked):
        Account.objects.filter(administration=booked.administration, external_id="costs").update(code="X")

        page = dutch(member_client, PNL)

        assert "1 grootboekrekening is niet ingedeeld op een regel en staat onder “Niet ingedeeld”." in page
        assert_english_gone(page, "not mapped to a reporting line", "Not mapped", "Map it")


class TestBalanceSheet:
    def test_sides_lines_and_totals_are_dutch(self, member_client, booked):
        page = dutch(member_client, BALANCE)

        assert "<h1>Balans</h1>" in page
        for label in ("Activa", "Passiva", "Totaal activa", "Totaal passiva", "Liquide middelen", "Vorderingen"):
            assert label in page, label
        assert "saldo aan het eind van de maand" in page
        assert_english_gone(
            page,
            "Balance sheet",
            "Total assets",
            "Equity and liabilities",
            "Cash and bank",
            "Receivables",
            "Balances at the end",
            "Balances count every line",
        )
        # Bank: 1.000,00 received.
        assert 'data-line="cash"' in page and ">1.000,00<" in page
        assert 'data-figure="total-assets"' in page and 'data-figure="total-equity-and-liabilities"' in page


class TestTransactions:
    def test_the_explorer_is_dutch(self, member_client, booked, today):
        page = dutch(member_client, TRANSACTIONS)

        assert "<h1>Boekingen</h1>" in page
        assert "5 boekingen" in page
        for label in ("Omschrijving", "Soort", "Factuur verstuurd", "Factuurbetaling ontvangen", "Toepassen"):
            assert label in page, label
        assert "€\u00a01.210,00" in page
        assert in_dutch(today.replace(day=1), "j b Y") in page
        assert_english_gone(
            page,
            "Every imported transaction",
            "Description",
            "Invoice sent",
            "Invoice payment received",
            "5 transactions",
            "Any account",
            ">Apply<",
            ">Clear<",
            "€1,210.00",
        )

    def test_a_transaction_is_dutch_with_its_vat_code_as_rate_and_kind(self, member_client, booked, today):
        transaction = Transaction.objects.get(administration=booked.administration, external_id="s9")

        page = dutch(member_client, reverse("dashboards:transaction", args=[transaction.pk]))

        assert "<h1>Factuur verstuurd s9</h1>" in page
        assert "Boeking s9" in page and ">sluitend<" in page and ">Gegevens<" in page
        assert ">Debet<" in page and ">Boekstuknummer<" in page and "3 regels" in page
        assert "9% verkoop" in page and "€\u00a0109,00" in page
        assert in_dutch(today.replace(day=1), "j F Y") in page
        assert_english_gone(
            page, "Transaction s9", ">balanced<", ">Details<", ">Debit<", "Entry number", "9% sales", "3 lines"
        )


class TestAccount:
    def test_an_accounts_lines_are_dutch(self, member_client, booked, today):
        debtors = Account.objects.get(administration=booked.administration, external_id="debtors")

        page = dutch(member_client, reverse("dashboards:account", args=[debtors.pk]))

        assert "Vordering (debiteuren)" in page and "Balans" in page
        assert "op “Vorderingen”. Regels van" in page
        assert f"Saldo per {in_dutch(today, 'j b Y')}" in page
        assert "Beginsaldo (alle regels vóór" in page
        # 1.210,00 + 605,00 + 109,00 invoiced, 1.000,00 paid.
        assert "€\u00a0924,00" in page and "4 regels" in page
        assert_english_gone(
            page,
            "Receivable (debtors)",
            "Lines from",
            "Balance brought forward",
            "Balance at",
            "in the ledger",
            "4 lines",
            ">Date<",
        )


class TestDataChecks:
    def test_the_checks_are_dutch(self, member_client, booked):
        page = dutch(member_client, CHECKS)

        assert "<h1>Controles</h1>" in page
        for label in (
            "Verschillen per grootboekrekening en maand",
            "Boekingen die niet sluiten",
            "Niet ingedeelde grootboekrekeningen",
            "Apart gezette gegevens",
            "Openstaande posten zonder vervaldatum",
        ):
            assert label in page, label
        assert_english_gone(
            page,
            "Data checks",
            "Ledger and month mismatches",
            "Transactions that do not balance",
            "Accounts not mapped",
            "Records set aside",
            "Open items without a due date",
            "What could make the dashboards wrong",
        )


class TestAccountMapping:
    def test_the_mapping_is_dutch(self, admin_client, booked):
        page = dutch(admin_client, MAPPING)

        assert "<h1>Rekeningindeling</h1>" in page
        for label in ("Standaardregel", "Staat op", "Liquide middelen", "Omzet", "Personeelskosten", "Opslaan"):
            assert label in page, label
        assert "Standaard (Kortlopende schulden)" in page
        assert_english_gone(
            page, "Account mapping", "Default line", "Reported on", "Cash and bank", "Personnel", ">Save<"
        )

    def test_saving_says_so_in_dutch(self, admin_client, booked):
        costs = Account.objects.get(administration=booked.administration, external_id="costs")

        response = admin_client.post(
            MAPPING, {"account": costs.pk, "line": "housing"}, HTTP_ACCEPT_LANGUAGE="nl", follow=True
        )

        assert "4000 Costs opgeslagen." in response.content.decode()


class TestBeforeTheBooksAreIn:
    @pytest.mark.parametrize(
        ("url", "title"),
        [(PNL, "Winst en verlies"), (BALANCE, "Balans"), (TRANSACTIONS, "Boekingen"), (CHECKS, "Controles")],
    )
    def test_not_connected_says_how_to_connect_in_dutch(self, admin_client, url, title):
        page = dutch(admin_client, url)

        assert f"<h1>{title}</h1>" in page
        assert "Koppel eerst je boekhouding" in page and "Naar Koppelingen" in page
        assert f"{title} komt uit de gegevens die Monitr uit je boekhouding importeert." in page
        assert_english_gone(page, "Connect your bookkeeping first", "Go to Integrations", "is built from the books")

    def test_a_member_is_sent_to_an_admin_in_dutch(self, member_client):
        page = dutch(member_client, PNL)

        assert "Een beheerder van Acme BV kan de boekhouding koppelen" in page
        assert "An admin of" not in page

    def test_the_first_import_is_shown_in_dutch(self, admin_client, books):
        importing(books, at="outstanding_items")

        page = dutch(admin_client, PNL)

        assert "De saldi per maand worden nog geïmporteerd" in page and "Eerste import bezig" in page
        assert_english_gone(page, "First import in progress", "are still being imported", "Nothing is shown")

    def test_the_imports_progress_has_dutch_numbers(self, admin_client, books):
        importing(books, at="mutations", done=1200, total=20300, estimated=True)

        page = dutch(admin_client, PNL)

        assert "1.200 van ongeveer 20.300" in page
        assert "1,200 of about 20,300" not in page


def test_a_short_date_keeps_the_months_capital_in_english_and_drops_it_in_dutch():
    day = date(2026, 3, 4)
    with translation.override("en"):
        assert short_date(day) == "4 Mar 2026"
    with translation.override("nl"):
        assert short_date(day) == "4 mrt 2026"
        assert short_date(date(2026, 5, 1), "M") == "mei"
