"""The layouts, separators, encodings and number styles a ledger file is read in: each writes the same year of
books, and each must read as exactly the same ledger."""

from __future__ import annotations

import codecs
import datetime as dt
import io
from decimal import Decimal

import pytest

from ledgerfile.book import LedgerFile, check
from ledgerfile.columns import guess_columns, parse_columns
from ledgerfile.reading import Source
from ledgerfile.values import DecimalStyle, ValueProblem, parse_amount, parse_date, style_evidence

from . import books

DUTCH_DEFAULT_HEADERS = (
    "Datum", "Boekstuk", "Grootboekrekening", "Rekeningnaam", "Omschrijving", "Debet", "Credit", "Rekeningsoort",
    "Relatie", "Factuurnummer", "Vervaldatum", "Kostenplaats",
)  # fmt: skip


def figures(checked) -> dict:
    """Everything a check found, in a form two reads of the same books must share."""
    assert checked.ok, checked.report.text()
    s = checked.summary
    return {
        "lines": s.lines,
        "entries": s.entries,
        "dates": (s.first_date, s.last_date),
        "totals": (s.debit_total, s.credit_total),
        "account_months": s.account_months,
        "accounts": {code: (a.name, a.role, a.kind) for code, a in s.accounts.items()},
        "relations": s.relations,
        "cost_centres": s.cost_centres,
        "open_items": s.open_item_totals,
    }


@pytest.fixture(scope="module")
def expected(year):
    return figures(check(Source.from_bytes("ledger.csv", books.default_csv(year))))


def test_the_default_layout_reads_the_books_as_written(year, expected):
    assert expected["lines"] == len(year.lines)
    assert expected["totals"][0] == sum(line.amount for line in year.lines if line.amount > 0)
    assert expected["totals"][0] == expected["totals"][1]
    assert expected["dates"] == (dt.date(2025, 1, 1), max(line.date for line in year.lines))
    assert expected["accounts"]["1300"][0] == "Debiteuren"


def _as(year, *, delimiter=",", encoding="utf-8", headers=books.DEFAULT_HEADERS, signed=False, bom=b"") -> bytes:
    rows = books.default_rows(year)
    if signed:
        headers = (*headers[:5], "amount", *headers[7:])
        rows = [[*row[:5], row[5] or f"-{row[6]}", *row[7:]] for row in rows]
    return bom + books.csv_text(headers, rows, delimiter=delimiter).encode(encoding)


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param({"delimiter": ";"}, id="semicolon"),
        pytest.param({"delimiter": "\t"}, id="tab"),
        pytest.param({"bom": codecs.BOM_UTF8}, id="utf-8 with BOM"),
        pytest.param({"delimiter": "\t", "encoding": "utf-16"}, id="utf-16 with BOM"),
        pytest.param({"encoding": "cp1252"}, id="windows-1252"),
        pytest.param({"headers": DUTCH_DEFAULT_HEADERS, "delimiter": ";"}, id="dutch headers"),
        pytest.param({"signed": True}, id="signed amount"),
    ],
)
def test_each_variant_reads_as_the_same_ledger(year, expected, variant):
    assert figures(check(Source.from_bytes("ledger.csv", _as(year, **variant)))) == expected


def test_a_dutch_file_with_its_own_headers_reads_through_a_column_mapping(year, expected):
    data = books.dutch_csv(year)
    assert data.decode("cp1252") and b"Caf\xe9 De Zon" in data  # Windows-1252, as Dutch Excel saves it
    checked = check(Source.from_bytes("grootboek.csv", data), columns=books.DUTCH_MAPPING)
    assert checked.summary.decimal_style == DecimalStyle.COMMA
    assert str(checked.summary.journal_format) == "CSV, semicolon-separated, Windows-1252"
    assert figures(checked) == expected


def test_the_command_lines_mapping_is_the_same_mapping():
    text = "entry=Nr,account_name=Naam rekening,relation=Klant/leverancier"
    assert parse_columns([text, "invoice_number=Factuur,due_date=Vervalt,cost_centre=Afdeling"]) == books.DUTCH_MAPPING
    with pytest.raises(ValueError, match="'Nr' is not field=header"):
        parse_columns("Nr")


def test_an_xlsx_workbook_with_formulas_reads_their_saved_values(year, expected):
    data = books.xlsx(year)
    checked = check(Source.from_bytes("ledger.xlsx", data))
    assert checked.summary.open_items == "ledger.xlsx, sheet Openstaande posten"
    found = figures(checked)
    # The journal is the same ledger; its open items come from the second sheet.
    open_items = figures(
        check(
            Source.from_bytes("ledger.csv", books.default_csv(year)),
            Source.from_bytes("open-items.csv", books.open_items_csv(year)),
        )
    )
    assert found == open_items
    assert {k: v for k, v in found.items() if k != "open_items"} == {
        k: v for k, v in expected.items() if k != "open_items"
    }


def test_a_separate_open_items_file_wins_over_the_second_sheet(year):
    open_items = books.Books(year.lines, year.open_items[:2])
    checked = check(
        Source.from_bytes("ledger.xlsx", books.xlsx(year)),
        Source.from_bytes("open.csv", books.open_items_csv(open_items)),
    )
    assert checked.summary.open_items == "open.csv"
    assert sum(count for count, _ in checked.summary.open_item_totals.values()) == 2


def test_an_xlsx_read_from_a_stream_that_cannot_seek(year, expected):
    data = books.xlsx(year, formulas=False)

    class Unseekable(io.RawIOBase):
        def __init__(self) -> None:
            self.inner = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            chunk = self.inner.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    checked = check(Source("ledger.xlsx", len(data), lambda: io.BufferedReader(Unseekable())))
    assert {k: v for k, v in figures(checked).items() if k != "open_items"} == {
        k: v for k, v in expected.items() if k != "open_items"
    }


def test_transactions_read_from_the_file(year):
    with LedgerFile(Source.from_bytes("ledger.csv", books.default_csv(year))) as ledger:
        records = list(ledger.transaction_records())
    assert len(records) == len({line.entry for line in year.lines})
    assert all(sum(line.amount for line in r.lines) == 0 for r in records)
    opening = records[0]
    assert (opening.transaction_type, opening.date, opening.description) == (
        "opening_balance",
        dt.date(2025, 1, 1),
        "Beginbalans 2025",
    )


def test_the_default_names_are_guessed_in_both_languages():
    assert guess_columns(DUTCH_DEFAULT_HEADERS) == {
        "date": "Datum",
        "entry": "Boekstuk",
        "account_code": "Grootboekrekening",
        "account_name": "Rekeningnaam",
        "description": "Omschrijving",
        "debit": "Debet",
        "credit": "Credit",
        "account_type": "Rekeningsoort",
        "relation": "Relatie",
        "invoice_number": "Factuurnummer",
        "due_date": "Vervaldatum",
        "cost_centre": "Kostenplaats",
    }
    assert guess_columns(["Account Code", "DATE", "Entry_Number", "bedrag"]) == {
        "date": "DATE",
        "entry": "Entry_Number",
        "account_code": "Account Code",
        "amount": "bedrag",
    }


@pytest.mark.parametrize(
    "text,style,amount",
    [
        ("1234.56", DecimalStyle.POINT, "1234.56"),
        ("1,234.56", DecimalStyle.POINT, "1234.56"),
        ("1.234,56", DecimalStyle.COMMA, "1234.56"),
        ("1 234,56", DecimalStyle.COMMA, "1234.56"),
        ("1\u00a0234,5", DecimalStyle.COMMA, "1234.50"),
        ("€ -12,50", DecimalStyle.COMMA, "-12.50"),
        ("12,50-", DecimalStyle.COMMA, "-12.50"),
        ("(12.50)", DecimalStyle.POINT, "-12.50"),
        ("\u22127.5", DecimalStyle.POINT, "-7.50"),
        ("EUR 1.500", DecimalStyle.COMMA, "1500.00"),
        ("1.500", None, "1500.00"),
        ("1,500", None, "1500.00"),
        ("1,500", DecimalStyle.COMMA, "1.50"),
        ("1,234,567", DecimalStyle.POINT, "1234567.00"),
        (",5", DecimalStyle.COMMA, "0.50"),
        ("", DecimalStyle.COMMA, None),
        (12, None, "12.00"),
        (0.1 + 0.2, None, "0.30"),
    ],
)
def test_amounts_as_spreadsheets_write_them(text, style, amount):
    assert parse_amount(text, style) == (None if amount is None else Decimal(amount))


@pytest.mark.parametrize("text", ["1.2.3,4,5", "12,3456.7", "abc", "1,2345", "(12", "1e5", True])
def test_text_that_is_no_amount(text):
    with pytest.raises(ValueProblem):
        parse_amount(text, DecimalStyle.COMMA)


@pytest.mark.parametrize(
    "text,style",
    [("1,50", DecimalStyle.COMMA), ("2.75", DecimalStyle.POINT), ("1.500", None), ("0,500", DecimalStyle.COMMA),
     ("1.234,5", DecimalStyle.COMMA), ("1,234,567", DecimalStyle.POINT), ("100", None)],
)  # fmt: skip
def test_what_one_amount_says_about_the_decimal_style(text, style):
    assert style_evidence(text) == style


@pytest.mark.parametrize(
    "value,day",
    [
        ("2025-03-31", dt.date(2025, 3, 31)),
        ("2025/3/31", dt.date(2025, 3, 31)),
        ("31-03-2025", dt.date(2025, 3, 31)),
        ("31/3/2025", dt.date(2025, 3, 31)),
        ("31.03.2025", dt.date(2025, 3, 31)),
        ("04-05-2025", dt.date(2025, 5, 4)),  # ambiguous: day first
        ("2025-03-31 00:00:00", dt.date(2025, 3, 31)),
        ("4-5-2025 13:45", dt.date(2025, 5, 4)),
        (dt.datetime(2025, 3, 31, 0, 0), dt.date(2025, 3, 31)),
        (45747, dt.date(2025, 3, 31)),  # Excel's day number in a cell without a date format
        ("", None),
    ],
)
def test_dates_as_spreadsheets_write_them(value, day):
    assert parse_date(value) == day


@pytest.mark.parametrize("value", ["03/31/2025", "31-03-25", "2025-02-29", "1899-12-31", 45747.5, "morgen"])
def test_text_that_is_no_date(value):
    with pytest.raises(ValueProblem):
        parse_date(value)
