"""A small but realistic year of a consultancy's books, and the files it is written as.

One deterministic year (2025): an opening balance, sales invoices with 21% VAT on three cost centres, purchase
invoices, their payments through the bank (most of them, some late, some not yet), monthly salaries and bank
costs; what is unpaid at the end of the year is the open items. The same books are written in each layout the
ledger file reads, so the samples in ``ledgerfile/samples/`` and the tests' files are the same ledger:

    .venv/bin/python -m tests.ledgerfile.books      # writes ledgerfile/samples/
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "ledgerfile" / "samples"
YEAR_END = dt.date(2025, 12, 31)
CENT = Decimal("0.01")

# code: (name, type)
ACCOUNTS = {
    "0100": ("Inventaris", "asset"),
    "0500": ("Eigen vermogen", "equity"),
    "1100": ("Bank ING", "bank"),
    "1300": ("Debiteuren", "receivable"),
    "1510": ("BTW af te dragen hoog", "vat"),
    "1520": ("BTW te vorderen", "vat"),
    "1600": ("Crediteuren", "payable"),
    "4000": ("Lonen en salarissen", "cost"),
    "4200": ("Huur kantoor", "cost"),
    "4500": ("Kantoorkosten", "cost"),
    "4900": ("Bankkosten", "cost"),
    "7000": ("Inkoop uitbesteed werk", "cost"),
    "8000": ("Omzet advies", "revenue"),
}
CUSTOMERS = ("Jansen Bouw BV", "De Vries Logistiek", "Café De Zon", "Bakker & Zn", "Hoogland Zorg", "Mulder ICT")
SUPPLIERS = ("Kantoorhuis Utrecht", "Freelance Pool BV", "Drukkerij Noord", "Vastgoed Oost")
COST_CENTRES = ("Advies", "Training", "Software")


@dataclass(frozen=True)
class Line:
    date: dt.date
    entry: str
    account: str
    description: str
    amount: Decimal  # debit positive
    relation: str = ""
    invoice_number: str = ""
    due_date: dt.date | None = None
    cost_centre: str = ""

    @property
    def name(self) -> str:
        return ACCOUNTS[self.account][0]

    @property
    def type(self) -> str:
        return ACCOUNTS[self.account][1]


@dataclass(frozen=True)
class OpenItem:
    side: str
    relation: str
    invoice_number: str
    invoice_date: dt.date
    due_date: dt.date
    amount_open: Decimal


@dataclass
class Books:
    lines: list[Line]
    open_items: list[OpenItem]


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low * 100, high * 100)) / 100


def year(seed: int = 2025) -> Books:
    rng = random.Random(seed)
    lines: list[Line] = []
    number = iter(range(1, 10_000))

    def entry(*rows: tuple[str, Decimal, dict], date: dt.date, description: str) -> None:
        key = f"{next(number):04d}"
        assert sum(amount for _, amount, _ in rows) == 0
        for account, amount, extra in rows:
            lines.append(Line(date, key, account, description, amount, **extra))

    entry(
        ("1100", Decimal("18450.00"), {}),
        ("0100", Decimal("9200.00"), {}),
        ("1600", Decimal("-1250.00"), {}),
        ("0500", Decimal("-26400.00"), {}),
        date=dt.date(2025, 1, 1),
        description="Beginbalans 2025",
    )
    open_items: list[OpenItem] = []
    payments: list[tuple[dt.date, str, Decimal, str, str]] = []  # (date, side, amount, relation, invoice)
    for index in range(36):
        day = dt.date(2025, 1, 6) + dt.timedelta(days=index * 10 + rng.randrange(0, 5))
        customer = rng.choice(CUSTOMERS)
        invoice = f"V2025-{index + 1:03d}"
        net = _money(rng, 400, 6000)
        vat = (net * Decimal("0.21")).quantize(CENT)
        due = day + dt.timedelta(days=30)
        relation = {"relation": customer, "invoice_number": invoice}
        entry(
            ("1300", net + vat, {**relation, "due_date": due}),
            ("8000", -net, {**relation, "cost_centre": rng.choice(COST_CENTRES)}),
            ("1510", -vat, relation),
            date=day,
            description=f"Factuur {invoice} {customer}",
        )
        paid = day + dt.timedelta(days=rng.randrange(8, 60))
        if paid <= YEAR_END and rng.random() < 0.9:
            payments.append((paid, "receivable", net + vat, customer, invoice))
        else:
            open_items.append(OpenItem("receivable", customer, invoice, day, due, net + vat))
    for index in range(24):
        day = dt.date(2025, 1, 10) + dt.timedelta(days=index * 15 + rng.randrange(0, 7))
        supplier = rng.choice(SUPPLIERS)
        invoice = f"{supplier.split()[0][:3].upper()}-{rng.randrange(10000, 99999)}"
        cost = "4200" if supplier == "Vastgoed Oost" else rng.choice(("4500", "7000"))
        net = _money(rng, 150, 3500)
        vat = (net * Decimal("0.21")).quantize(CENT)
        due = day + dt.timedelta(days=14)
        relation = {"relation": supplier, "invoice_number": invoice}
        entry(
            ("1600", -(net + vat), {**relation, "due_date": due}),
            (cost, net, relation),
            ("1520", vat, relation),
            date=day,
            description=f"Inkoopfactuur {invoice} {supplier}",
        )
        paid = day + dt.timedelta(days=rng.randrange(5, 40))
        if paid <= YEAR_END and rng.random() < 0.85:
            payments.append((paid, "payable", net + vat, supplier, invoice))
        else:
            open_items.append(OpenItem("payable", supplier, invoice, day, due, net + vat))
    entry(
        ("1600", Decimal("1250.00"), {"relation": "Drukkerij Noord", "invoice_number": "DRU-2024-88"}),
        ("1100", Decimal("-1250.00"), {"relation": "Drukkerij Noord", "invoice_number": "DRU-2024-88"}),
        date=dt.date(2025, 1, 14),
        description="Betaling DRU-2024-88",
    )
    for paid, side, amount, relation, invoice in sorted(payments):
        extra = {"relation": relation, "invoice_number": invoice}
        if side == "receivable":
            entry(("1100", amount, extra), ("1300", -amount, extra), date=paid, description=f"Ontvangst {invoice}")
        else:
            entry(("1600", amount, extra), ("1100", -amount, extra), date=paid, description=f"Betaling {invoice}")
    for month in range(1, 13):
        payday = dt.date(2025, month, 25)
        salary = Decimal("4850.00") + (Decimal("250.00") if month >= 7 else 0)
        entry(("4000", salary, {}), ("1100", -salary, {}), date=payday, description=f"Salarissen {month:02d}-2025")
        fee = Decimal("12.50") + Decimal(month % 3)
        entry(("4900", fee, {}), ("1100", -fee, {}), date=payday, description="Kosten zakelijke rekening")
    lines.sort(key=lambda line: (line.date, line.entry))
    return Books(lines, open_items)


# --- the layouts ---------------------------------------------------------------------------------------------------

DEFAULT_HEADERS = (
    "date",
    "entry",
    "account_code",
    "account_name",
    "description",
    "debit",
    "credit",
    "account_type",
    "relation",
    "invoice_number",
    "due_date",
    "cost_centre",
)
OPEN_ITEM_HEADERS = ("side", "relation", "invoice_number", "invoice_date", "due_date", "amount_open")


def _point(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _comma(amount: Decimal) -> str:
    """Dutch: 1.234,56."""
    return f"{amount:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


def default_rows(books: Books) -> list[list[str]]:
    return [
        [
            line.date.isoformat(),
            line.entry,
            line.account,
            line.name,
            line.description,
            _point(line.amount) if line.amount > 0 else "",
            _point(-line.amount) if line.amount < 0 else "",
            line.type,
            line.relation,
            line.invoice_number,
            line.due_date.isoformat() if line.due_date else "",
            line.cost_centre,
        ]
        for line in books.lines
    ]


def open_item_rows(books: Books) -> list[list[str]]:
    return [
        [item.side, item.relation, item.invoice_number, item.invoice_date.isoformat(), item.due_date.isoformat(),
         _point(item.amount_open)]
        for item in books.open_items
    ]  # fmt: skip


def csv_text(headers, rows, *, delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue()


def default_csv(books: Books) -> bytes:
    return csv_text(DEFAULT_HEADERS, default_rows(books)).encode("utf-8")


def open_items_csv(books: Books) -> bytes:
    return csv_text(OPEN_ITEM_HEADERS, open_item_rows(books)).encode("utf-8")


# Dutch Excel's "CSV (gescheiden door lijstscheidingsteken)": semicolons, decimal commas, day-first dates,
# Windows-1252, and headers of its own that need a column mapping.
DUTCH_HEADERS = (
    "Boekdatum", "Nr", "Rekening", "Naam rekening", "Omschrijving", "Bedrag", "Soort", "Klant/leverancier",
    "Factuur", "Vervalt", "Afdeling",
)  # fmt: skip
DUTCH_MAPPING = {
    "entry": "Nr",
    "account_name": "Naam rekening",
    "relation": "Klant/leverancier",
    "invoice_number": "Factuur",
    "due_date": "Vervalt",
    "cost_centre": "Afdeling",
}
DUTCH_TYPES = {"asset": "activa", "equity": "eigen vermogen", "bank": "bank", "receivable": "debiteuren",
               "vat": "btw", "payable": "crediteuren", "cost": "kosten", "revenue": "omzet"}  # fmt: skip


def _dutch_date(day: dt.date | None) -> str:
    return f"{day.day}-{day.month}-{day.year}" if day else ""


def dutch_csv(books: Books) -> bytes:
    rows = [
        [
            _dutch_date(line.date),
            line.entry,
            line.account,
            line.name,
            line.description,
            _comma(line.amount),
            DUTCH_TYPES[line.type],
            line.relation,
            line.invoice_number,
            _dutch_date(line.due_date),
            line.cost_centre,
        ]
        for line in books.lines
    ]
    return csv_text(DUTCH_HEADERS, rows, delimiter=";").encode("cp1252")


def xlsx(books: Books, *, formulas: bool = True) -> bytes:
    """Both sheets in one workbook: real date cells, number cells, and (``formulas``) each invoice's VAT line as a
    formula on its net amount with the value Excel would have saved."""
    import xlsxwriter

    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True})
    workbook.set_properties({"created": dt.datetime(2026, 1, 5, 9, 0)})  # the same bytes on every run
    dates = workbook.add_format({"num_format": "dd-mm-yyyy"})
    journal = workbook.add_worksheet("Journaal")
    journal.write_row(0, 0, DEFAULT_HEADERS)
    previous: dict[str, int] = {}
    for row, line in enumerate(books.lines, start=1):
        journal.write_datetime(row, 0, dt.datetime.combine(line.date, dt.time()), dates)
        journal.write_string(row, 1, line.entry)
        if line.account.startswith("0"):
            journal.write_string(row, 2, line.account)  # a code typed as text keeps its leading zero
        else:
            journal.write_number(row, 2, int(line.account))  # as Excel stores a code typed as a number
        journal.write_row(row, 3, (line.name, line.description))
        column = 5 if line.amount > 0 else 6
        value = float(abs(line.amount))
        net_row = previous.get(line.entry)
        if formulas and line.type == "vat" and net_row is not None:
            # The VAT of an invoice: 21% of the net amount on the row above, as the bookkeeper typed it.
            net_column = "F" if column == 5 else "G"
            journal.write_formula(row, column, f"=ROUND({net_column}{net_row + 1}*0.21,2)", None, value)
        else:
            journal.write_number(row, column, value)
        journal.write_row(row, 7, (line.type, line.relation, line.invoice_number))
        if line.due_date:
            journal.write_datetime(row, 10, dt.datetime.combine(line.due_date, dt.time()), dates)
        journal.write_string(row, 11, line.cost_centre)
        if line.type in {"revenue", "cost"}:
            previous[line.entry] = row
    items = workbook.add_worksheet("Openstaande posten")
    items.write_row(0, 0, OPEN_ITEM_HEADERS)
    for row, item in enumerate(books.open_items, start=1):
        items.write_row(row, 0, (item.side, item.relation, item.invoice_number))
        items.write_datetime(row, 3, dt.datetime.combine(item.invoice_date, dt.time()), dates)
        items.write_datetime(row, 4, dt.datetime.combine(item.due_date, dt.time()), dates)
        items.write_number(row, 5, float(item.amount_open))
    workbook.close()
    return out.getvalue()


SAMPLE_FILES = {
    "ledger.csv": default_csv,
    "open-items.csv": open_items_csv,
    "grootboek-nl.csv": dutch_csv,
    "ledger.xlsx": xlsx,
}


def write_samples(folder: Path = SAMPLES) -> None:
    books = year()
    folder.mkdir(parents=True, exist_ok=True)
    for name, write in SAMPLE_FILES.items():
        (folder / name).write_bytes(write(books))


if __name__ == "__main__":
    write_samples()
