"""Bad input gets a clear report, and nothing of it is written: one test per kind of problem."""

from __future__ import annotations

import io

import pytest

from ledgerfile.reading import Source
from ledgerfile.report import LISTED, FileRefused, Report

from . import books
from .conftest import connect, nothing_written

pytestmark = pytest.mark.django_db

HEADER = "date,entry,account_code,account_name,description,debit,credit,account_type"
GOOD = [
    "2025-01-02,1,1100,Bank,Sale,121.00,,bank",
    "2025-01-02,1,8000,Revenue,Sale,,100.00,revenue",
    "2025-01-02,1,1510,VAT,Sale,,21.00,vat",
]


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return "\r\n".join([header, *rows]).encode() + b"\r\n"


def refused(organization, journal: bytes, open_items: bytes | None = None, *, name="ledger.csv", **kwargs) -> Report:
    """The report that refuses the upload; checks that nothing at all was stored."""
    with pytest.raises(FileRefused) as error:
        connect(organization, Source.from_bytes(name, journal), open_items, **kwargs)
    report = error.value.report
    assert report is not None and not report.ok
    assert error.value.user_message == report.message
    assert nothing_written()
    return report


def where(report: Report) -> list[tuple[int | None, str]]:
    return [(p.row, p.column) for p in report.problems]


def test_unbalanced_entries_are_named_with_their_difference(organization, enqueued):
    report = refused(
        organization,
        csv_bytes(
            *GOOD,
            "2025-01-03,2,4500,Office,Paper,10.00,,cost",
            "2025-01-03,2,1100,Bank,Paper,,15.00,bank",
            "2025-01-04,3,4500,Office,Ink,7.50,,cost",
        ),
    )
    assert where(report) == [(5, "entry"), (7, "entry")]
    assert [p.message for p in report.problems] == [
        "Entry 2 does not balance: credit exceeds debit by 5.00.",
        "Entry 3 does not balance: debit exceeds credit by 7.50.",
    ]
    assert report.problems[0].file == "ledger.csv"


def test_dates_that_cannot_be_read_are_named_by_row_and_column(organization, enqueued):
    report = refused(
        organization,
        csv_bytes(
            "31-02-2025,1,1100,Bank,x,1.00,,bank",
            "31-02-2025,1,8000,Revenue,x,,1.00,revenue",
            "yesterday,2,1100,Bank,x,1.00,,bank",
            "2025-01-05,2,8000,Revenue,x,,1.00,revenue",
            "12/31/2025,3,1100,Bank,x,1.00,,bank",
        ),
    )
    assert where(report) == [(2, "date"), (3, "date"), (4, "date"), (6, "date")]
    assert "there is no day 31 in month 2 of 2025" in report.problems[0].message
    assert report.problems[2].message.startswith("'yesterday' is not a date Monitr reads")
    assert "no day 12 in month 31" in report.problems[3].message  # day first: 12/31 is the 12th of month 31


def test_amounts_that_cannot_be_read_are_named_by_row_and_column(organization, enqueued):
    report = refused(
        organization,
        csv_bytes(
            "2025-01-02,1,1100,Bank,x,12.3x,,bank",
            "2025-01-02,1,8000,Revenue,x,,12.34,revenue",
            "2025-01-02,2,1100,Bank,x,1.005,,bank",
        ),
    )
    assert where(report) == [(2, "debit"), (4, "debit")]
    assert report.problems[0].message == "'12.3x' is not an amount."
    assert "fractions of a cent" in report.problems[1].message


def test_debit_and_credit_both_filled(organization, enqueued):
    report = refused(
        organization,
        csv_bytes(*GOOD[:2], "2025-01-02,1,1510,VAT,Sale,4.00,21.00,vat", "2025-01-03,2,1100,Bank,x,0.00,5.00,bank"),
    )
    # A zero in the other column is not "filled": row 5 is a credit of 5.00 (and its entry does not balance).
    assert where(report) == [(4, "credit"), (5, "entry")]
    assert report.problems[0].message.startswith("Both debit (4.00) and credit (21.00) are filled")


def test_missing_required_columns_are_named_with_the_headers_found(organization, enqueued):
    report = refused(organization, csv_bytes("2025-01-02,Sale,121.00", header="Datum,Omschrijving,Bedrag"))
    assert where(report) == [(None, "")]
    assert report.problems[0].message.startswith(
        "Missing required columns: entry, account_code. The headers found are: Datum, Omschrijving, Bedrag."
    )


def test_a_mapping_that_names_a_header_the_file_lacks(organization, enqueued):
    report = refused(organization, csv_bytes(*GOOD), columns={"entry": "Boekstuknr", "colour": "x"})
    messages = [p.message for p in report.problems]
    assert "The column mapping names 'colour', which is not a field." in messages[0]
    assert messages[1].startswith("The column mapping names the header 'Boekstuknr' for entry, but the file has no")
    assert report.problems[1].column == "Boekstuknr"


def test_an_account_with_two_names_or_two_types(organization, enqueued):
    report = refused(
        organization,
        csv_bytes(
            *GOOD,
            "2025-01-03,2,1100,Bank ING,x,5.00,,bank",
            "2025-01-03,2,8000,Revenue,x,,5.00,cost",
            "2025-01-04,3,1100,Bank ING,x,5.00,,bank",
            "2025-01-04,3,8000,Revenue,x,,5.00,revenue",
        ),
    )
    assert where(report) == [(5, "account_name"), (6, "account_type")]
    assert (
        report.problems[0].message
        == "Account 1100 is named 'Bank' in an earlier row and 'Bank ING' here: one code has one name."
    )
    assert "has the type 'revenue' in an earlier row and 'cost' here" in report.problems[1].message


def test_an_unknown_type_and_an_account_whose_kind_cannot_be_told(organization, enqueued):
    report = refused(
        organization,
        csv_bytes(
            "2025-01-02,1,1100,Bank,x,5.00,,bank",
            "2025-01-02,1,8000,Revenue,x,,3.00,sales tax thing",
            "2025-01-02,1,KAS,Cash box,x,,2.00,",
        ),
    )
    assert where(report) == [(3, "account_type"), (4, "account_code")]
    assert report.problems[0].message.startswith("'sales tax thing' is not an account type Monitr knows")
    assert "Account KAS has no account type, and its code does not start with a digit" in report.problems[1].message


def test_an_entry_on_two_dates_and_a_due_date_before_its_date(organization, enqueued):
    header = HEADER + ",due_date"
    report = refused(
        organization,
        csv_bytes(
            "2025-01-02,1,1300,Debtors,x,5.00,,receivable,2025-02-01",
            "2025-01-03,1,8000,Revenue,x,,5.00,revenue,",
            "2025-01-05,2,1300,Debtors,y,1.00,,receivable,2025-01-01",
            "2025-01-05,2,8000,Revenue,y,,1.00,revenue,",
            header=header,
        ),
    )
    assert where(report) == [(3, "date"), (4, "due_date")]
    assert report.problems[0].message.startswith("Entry 1 is dated 2025-01-02 in row 2 and 2025-01-03 here")
    assert report.problems[1].message == "The due date 2025-01-01 is before the date."


def test_a_mix_of_decimal_commas_and_points_names_the_rows(organization, enqueued):
    rows = [
        "2025-01-02;1;1100;Bank;x;1,50;;bank",
        "2025-01-02;1;8000;Revenue;x;;1,50;revenue",
        "2025-01-03;2;1100;Bank;x;2.75;;bank",
        "2025-01-03;2;8000;Revenue;x;;2,75;revenue",
        "2025-01-04;3;1100;Bank;x;1.500;;bank",  # says nothing either way
        "2025-01-04;3;8000;Revenue;x;;1.500;revenue",
    ]
    report = refused(organization, csv_bytes(*rows, header=HEADER.replace(",", ";")))
    assert where(report) == [(4, "debit")]
    assert report.problems[0].message == (
        "2.75 is written with a decimal point, while 3 other amounts of the file have a decimal comma (row 2: 1,50), "
        "so Monitr cannot tell what the file means. Use one decimal separator throughout the file."
    )


@pytest.mark.parametrize(
    "data,message",
    [
        (b"", "The file is empty."),
        (b"\r\n \r\n", "The file is empty."),
        (b"\xef\xbb\xbf", "The file is empty."),
        (csv_bytes(), "The file has column headers but no rows to import."),
    ],
)
def test_an_empty_file(organization, enqueued, data, message):
    report = refused(organization, data)
    assert [str(p) for p in report.problems] == [f"ledger.csv: {message}"]


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(organization, enqueued, settings, monkeypatch):
    settings.LEDGER_FILE_MAX_BYTES = 1_000_000
    opened = []
    data = csv_bytes(*GOOD) + b"x" * 1_000_000
    source = Source("big.csv", len(data), lambda: opened.append(1) or io.BytesIO(data))

    with pytest.raises(FileRefused) as error:
        connect(organization, source)

    assert opened == []
    assert [p.message for p in error.value.report.problems] == [
        "The file is 1.0 MB, more than the 1 MB Monitr reads. Split the ledger into smaller periods, or leave out "
        "columns Monitr does not use."
    ]
    assert nothing_written()


def test_an_xlsx_formula_without_a_saved_value_is_named_by_its_cell(organization, enqueued):
    from openpyxl import Workbook

    workbook = Workbook()  # openpyxl writes formulas and never calculates them: no value is saved
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append(["2025-01-02", "1", "4500", "Office", "Paper", 100, None, "cost"])
    sheet.append(["2025-01-02", "1", "1520", "VAT", "Paper", "=ROUND(F2*0.21,2)", None, "vat"])
    sheet.append(["2025-01-02", "1", "1100", "Bank", "Paper", None, 121, "bank"])
    out = io.BytesIO()
    workbook.save(out)

    report = refused(organization, out.getvalue(), name="ledger.xlsx")

    assert where(report) == [(3, "debit")]
    assert report.problems[0].file == "ledger.xlsx, sheet Sheet"
    assert report.problems[0].message.startswith("Cell F3 holds a formula without a saved value.")


@pytest.mark.parametrize(
    "data,bad,encodings",
    [
        (csv_bytes(*GOOD) + b"2025-01-03,2,1100,Caf\x81,x,1.00,,bank\r\n", b"\x81", "UTF-8 or Windows-1252"),
        (b"\xef\xbb\xbf" + csv_bytes(*GOOD).replace(b"Bank", b"Caf\xe9"), b"\xe9", "UTF-8 with BOM"),
    ],
)
def test_a_file_that_decodes_as_no_text_encoding(organization, enqueued, data, bad, encodings):
    report = refused(organization, data)
    assert [p.message for p in report.problems] == [
        f"The file cannot be read as text: byte 0x{bad[0]:02X} at position {data.index(bad)} is not {encodings}. "
        "Save it again as CSV UTF-8."
    ]


@pytest.mark.parametrize(
    "data,message",
    [
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
            "This is not a text (CSV) or Excel (XLSX) file",
        ),
        (
            b"date,entry\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10,x\r\n",
            "This is not a text (CSV) or Excel (XLSX) file",
        ),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "This is an old Excel workbook (.xls)"),
        (b"PK\x03\x04 this is not a zip at all", "This file looks like an Excel workbook but cannot be opened"),
    ],
)
def test_a_binary_file_is_refused(organization, enqueued, data, message):
    report = refused(organization, data)
    assert len(report.problems) == 1
    assert report.problems[0].message.startswith(message)


def test_open_items_with_an_unknown_side_or_amount(organization, enqueued):
    open_items = csv_bytes(
        "receivable,Jansen,V1,2025-01-02,2025-02-01,121.00",
        "klant,Jansen,V2,2025-01-02,2025-02-01,50.00",
        "payable,Smit,S1,2025-01-02,2025-02-01,",
        "crediteur,Smit,S2,2025-01-02,2025-02-01,veel",
        "debiteur,Jansen,V1,2025-01-05,2025-02-04,3.00",
        header=",".join(books.OPEN_ITEM_HEADERS),
    )
    report = refused(organization, csv_bytes(*GOOD), open_items)
    assert [(p.file, p.row, p.column) for p in report.problems] == [
        ("open-items.csv", 3, "side"),
        ("open-items.csv", 4, "amount_open"),
        ("open-items.csv", 5, "amount_open"),
        ("open-items.csv", 6, "invoice_number"),
    ]
    messages = [p.message for p in report.problems]
    assert messages[0] == "'klant' is not a side: write receivable or payable (debiteur or crediteur)."
    assert messages[1] == "The open amount is missing."
    assert messages[2] == "'veel' is not an amount."
    assert messages[3].startswith("This open item is listed twice: row 2 has the same side, relation and invoice")


def test_the_listing_is_capped_and_every_problem_counted(organization, enqueued):
    rows = [f"2025-01-{day % 28 + 1:02d},{day},1100,Bank,x,abc,,bank" for day in range(LISTED * 3)]
    report = refused(organization, csv_bytes(*rows))
    assert report.total == LISTED * 3
    assert len(report.problems) == LISTED
    assert [p.row for p in report.problems] == list(range(2, LISTED + 2))
    assert report.text().endswith(f"… and {LISTED * 2} more problems not listed.")
    assert (
        report.message.splitlines()[0]
        == f"The file cannot be imported: {LISTED * 3} problems found. Nothing was imported."
    )
    assert report.message.splitlines()[-1] == f"… and {LISTED * 3 - 5} more."


def test_problems_of_entries_spread_over_the_file_are_found_too(organization, enqueued):
    report = refused(
        organization,
        csv_bytes(
            "2025-01-02,1,1100,Bank,x,5.00,,bank",
            "2025-01-03,2,1100,Bank,y,7.00,,bank",
            "2025-01-02,1,8000,Revenue,x,,5.00,revenue",
            "2025-01-04,2,8000,Revenue,y,,6.00,revenue",
        ),
    )
    assert where(report) == [(3, "entry"), (5, "date")]
    assert report.problems[0].message == "Entry 2 does not balance: debit exceeds credit by 1.00."
    assert report.problems[1].message.startswith("Entry 2 is dated 2025-01-03 in row 3 and 2025-01-04 here")
