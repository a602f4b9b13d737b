"""The Ledger file pages in Dutch: the upload, the columns, the preview with Dutch figures, and a file's problems as
the report lists them and as the connection card says them."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from ledgerfile.report import Report
from ledgerfile.values import NO_SUCH_DAY

from .test_web import ADD, DEFAULT_LAYOUT, OPEN_ITEMS, OTHER_LAYOUT, broken_journal, sample_figures, upload_file

pytestmark = pytest.mark.django_db

NL = {"HTTP_ACCEPT_LANGUAGE": "nl"}
DUTCH_MONTHS = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


def dutch_money(amount: Decimal) -> str:
    """``€ 1.234,50``, written here rather than by Monitr."""
    return "€\u00a0" + f"{amount:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def dutch_date(day) -> str:
    return f"{day.day} {DUTCH_MONTHS[day.month - 1]} {day.year}"


def post(client, *, journal, open_items=None, name="Acme books"):
    data = {"ledger": journal, "name": name}
    if open_items is not None:
        data["open_items"] = open_items
    return client.post(ADD, data, **NL)


def test_the_upload_page_in_dutch(admin_client):
    html = admin_client.get(ADD, **NL).content.decode()

    for dutch in (
        "Grootboekbestand koppelen",
        "Een grootboek als CSV- of Excel-export uit elk boekhoudpakket",
        "Naam van de administratie",
        "Bestand met openstaande posten (optioneel)",
        "Maximaal 50 MB.",
        "De eerste rij bevat de kolomkoppen.",
        "</span> Uploaden</li>",
        "</span> Kolommen</li>",
        "</span> Voorbeeld</li>",
        ">Volgende</button>",
    ):
        assert dutch in html, dutch
    for english in ("Connect a ledger file", "Administration name", "Up to 50 MB", "The first row holds", ">Next<"):
        assert english not in html, english


def test_the_preview_in_dutch_with_dutch_figures(admin_client):
    expected = sample_figures()

    response = post(admin_client, journal=upload_file(DEFAULT_LAYOUT), open_items=upload_file(OPEN_ITEMS))
    html = admin_client.get(response.url, **NL).content.decode()

    figure = dict(re.findall(r'data-figure="([\w-]+)">([^<]*)<', html))
    assert figure["lines"] == f"{expected.lines:,}".replace(",", ".")
    assert figure["debit"] == figure["credit"] == dutch_money(expected.debit)
    assert figure["period"] == f"{dutch_date(expected.first_date)} – {dutch_date(expected.last_date)}"
    assert figure["open-receivable"] == dutch_money(expected.open_receivable)
    assert expected.debit >= 1000  # the figure shows the Dutch grouping
    for dutch in (
        "Dit is Acme books zoals Monitr het las uit <strong>ledger.csv</strong> (CSV, gescheiden door komma’s, UTF-8)",
        "Controleer de cijfers en importeer daarna.",
        "Totaal debet",
        "Totaal credit",
        "In balans",
        "Openstaande posten, debiteuren",
        "Openstaande posten, crediteuren",
        "De eerste regels",
        '<th scope="col">Grootboekrekening</th>',
        ">Importeren</button>",
    ):
        assert dutch in html, dutch
    for english in ("as Monitr read it", "Check the figures", "Total debit", "Balanced", "The first lines", ">Import<"):
        assert english not in html, english


def test_the_columns_step_in_dutch(admin_client):
    response = post(admin_client, journal=upload_file(OTHER_LAYOUT))

    html = admin_client.get(response.url, **NL).content.decode()

    assert "Kies voor elk veld de kolom van het bestand waarin het staat." in html
    assert "Journaal: grootboek-nl.csv" in html and "Boekstuknummer" in html and "Verplicht" in html
    assert "— Niet in dit bestand —" in html
    assert "For each field" not in html and "Entry number" not in html and "Not in this file" not in html


def test_a_file_that_does_not_balance_is_reported_in_dutch(admin_client):
    response = post(admin_client, journal=upload_file(DEFAULT_LAYOUT, data=broken_journal()))

    html = response.content.decode()
    assert "Het bestand kan niet worden geïmporteerd: 1 probleem gevonden. Er is niets geïmporteerd." in html
    assert re.search(r"Boeking 0002 is niet in balans: het credit is 1,00 hoger dan het debet\.", html)
    assert '<th scope="col" class="num">Rij</th>' in html and '<th scope="col">Probleem</th>' in html
    assert "Corrigeer het bestand en upload het opnieuw." in html
    assert "cannot be imported" not in html and "does not balance" not in html and "Correct the file" not in html


def test_many_problems_are_counted_in_dutch(admin_client):
    rows = DEFAULT_LAYOUT.read_text(encoding="utf-8").splitlines(keepends=True)
    undated = [",".join(["31-02-2025", *row.split(",")[1:]]) for row in rows[1:]]  # no such day

    response = post(admin_client, journal=upload_file(DEFAULT_LAYOUT, data="".join(rows[:1] + undated).encode()))

    html = response.content.decode()
    total = int(re.search(r"kan niet worden geïmporteerd: (\d+) problemen gevonden", html)[1])
    assert (
        "'31-02-2025' is geen datum: maand 2 van 2025 heeft geen dag 31 (datums worden gelezen met de dag eerst)."
        in (html.replace("&#x27;", "'"))
    )
    assert "… en nog" in html and "problemen die niet in de lijst staan" in html
    assert f"{total} in totaal" in html or f"{total:,} in totaal".replace(",", ".") in html
    assert "is not a date" not in html and "more problems not listed" not in html


def test_a_file_that_is_not_csv_or_xlsx_is_refused_in_dutch(admin_client):
    response = post(admin_client, journal=SimpleUploadedFile("ledger.pdf", b"%PDF-1.4"))

    html = response.content.decode()
    assert "Kies een CSV- of XLSX-bestand (.csv of .xlsx)." in html
    assert "Choose a CSV or XLSX file" not in html


def test_a_report_message_is_stored_in_english_and_read_in_dutch():
    from monitr.web.stored_text import shown

    report = Report()
    report.add(
        NO_SUCH_DAY % {"value": "'31-02-2025'", "day": 31, "month": 2, "year": 2025},
        file="ledger.csv",
        row=2,
        column="date",
    )
    stored = report.message

    with translation.override("nl"):
        read = shown(stored)

    assert stored.startswith("The file cannot be imported: 1 problem found.")
    assert read.splitlines() == [
        "Het bestand kan niet worden geïmporteerd: 1 probleem gevonden. Er is niets geïmporteerd.",
        "ledger.csv, rij 2, kolom date: '31-02-2025' is geen datum: maand 2 van 2025 heeft geen dag 31 (datums worden "
        "gelezen met de dag eerst).",
    ]
