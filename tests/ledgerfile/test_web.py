"""The Ledger file pages through Django's test client: upload → columns → preview → import, a broken file's report,
a corrected file from the card's gear, and who may see which upload.

The expected figures are computed here from the sample files with the csv module, not read from Monitr."""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from integrations.models import Connection, Integration
from ledger.models import Administration, OutstandingItem, Transaction, TransactionLine
from ledgerfile.models import LedgerUpload
from ledgerfile.services import new_external_id, upload_store
from monitr.celery import app as celery_app
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "ledgerfile" / "samples"
DEFAULT_LAYOUT = SAMPLES / "ledger.csv"
OTHER_LAYOUT = SAMPLES / "grootboek-nl.csv"  # the same books with Dutch headers, decimal commas, one signed amount
OPEN_ITEMS = SAMPLES / "open-items.csv"
ADD = reverse("ledgerfile:add")


@dataclass(frozen=True)
class Figures:
    """What the sample books hold, summed from the CSV itself."""

    entries: int
    lines: int
    accounts: int
    first_date: dt.date
    last_date: dt.date
    debit: Decimal
    credit: Decimal
    revenue: Decimal  # credit minus debit on the revenue accounts
    net_result: Decimal  # credit minus debit on every profit and loss account (codes 4–9)
    cash: Decimal  # the bank accounts' balance at the end
    receivables: Decimal  # the debtors accounts' balance at the end
    open_receivable: Decimal
    open_receivable_count: int
    open_payable: Decimal


def sample_figures(journal: Path = DEFAULT_LAYOUT, open_items: Path = OPEN_ITEMS) -> Figures:
    with journal.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    with open_items.open(newline="", encoding="utf-8") as file:
        items = list(csv.DictReader(file))

    def amount(row: dict[str, str]) -> Decimal:
        return Decimal(row["debit"] or "0") - Decimal(row["credit"] or "0")

    def total(rows_of) -> Decimal:
        return sum((amount(row) for row in rows_of), Decimal("0.00"))

    dates = [dt.date.fromisoformat(row["date"]) for row in rows]
    open_receivable = [item for item in items if item["side"] == "receivable"]
    return Figures(
        entries=len({row["entry"] for row in rows}),
        lines=len(rows),
        accounts=len({row["account_code"] for row in rows}),
        first_date=min(dates),
        last_date=max(dates),
        debit=sum((Decimal(row["debit"] or "0") for row in rows), Decimal("0.00")),
        credit=sum((Decimal(row["credit"] or "0") for row in rows), Decimal("0.00")),
        revenue=-total(row for row in rows if row["account_type"] == "revenue"),
        net_result=-total(row for row in rows if row["account_code"][0] in "456789"),
        cash=total(row for row in rows if row["account_type"] == "bank"),
        receivables=total(row for row in rows if row["account_type"] == "receivable"),
        open_receivable=sum((Decimal(item["amount_open"]) for item in open_receivable), Decimal("0.00")),
        open_receivable_count=len(open_receivable),
        open_payable=sum(
            (Decimal(item["amount_open"]) for item in items if item["side"] == "payable"), Decimal("0.00")
        ),
    )


def money(value: Decimal) -> str:
    """As the pages write euros in English: ``€1,234.56``."""
    sign = "-" if value < 0 else ""
    return f"{sign}€{abs(value):,.2f}"


def broken_journal() -> bytes:
    """The default sample with the first credit of entry 0002 off by one euro: that entry no longer balances."""
    text = DEFAULT_LAYOUT.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if ",0002," in line and re.search(r",\d+\.\d\d,[a-z]", line))
    cells = lines[index].split(",")
    credit = 6  # date, entry, account_code, account_name, description, debit, credit, ...
    cells[credit] = f"{Decimal(cells[credit]) + 1:.2f}"
    lines[index] = ",".join(cells)
    return "".join(lines).encode("utf-8")


def upload_file(path: Path, *, name: str | None = None, data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes() if data is None else data, "text/csv")


@pytest.fixture
def eager_sync():
    """Syncs run in the request that starts them, as a worker would run them, instead of waiting for a worker."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def post_upload(client: Client, url: str = ADD, *, journal=None, open_items=None, name: str | None = "Acme books"):
    data = {"ledger": journal or upload_file(DEFAULT_LAYOUT)}
    if name is not None:
        data["name"] = name
    if open_items is not None:
        data["open_items"] = open_items
    return client.post(url, data)


def import_default(client: Client, django_capture_on_commit_callbacks) -> Connection:
    preview = post_upload(client, open_items=upload_file(OPEN_ITEMS))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(preview.url)
    return Connection.objects.get()


class TestDefaultLayout:
    def test_upload_preview_import_connects_and_the_sync_imports_the_figures(
        self, admin_client, organization, eager_sync, django_capture_on_commit_callbacks
    ):
        expected = sample_figures()

        response = post_upload(admin_client, open_items=upload_file(OPEN_ITEMS))

        assert response.status_code == 302 and response.url.endswith("/preview/")  # no columns step
        html = admin_client.get(response.url).content.decode()
        figure = dict(re.findall(r'data-figure="([\w-]+)">([^<]*)<', html))
        assert figure["entries"] == f"{expected.entries:,}" and figure["lines"] == f"{expected.lines:,}"
        assert figure["accounts"] == str(expected.accounts)
        assert figure["debit"] == figure["credit"] == money(expected.debit) and expected.debit == expected.credit
        assert figure["period"] == f"{expected.first_date:%-d %b %Y} – {expected.last_date:%-d %b %Y}"
        assert figure["open-receivable"] == money(expected.open_receivable)
        assert figure["open-payable"] == money(expected.open_payable)
        assert "Balanced" in html and "Jansen Bouw BV" in html  # the first lines' descriptions
        assert not Connection.objects.exists()  # nothing is imported before Import

        with django_capture_on_commit_callbacks(execute=True):
            done = admin_client.post(response.url)

        connection = Connection.objects.get()
        assert done.status_code == 302 and done.url.startswith(reverse("integrations:category", args=["accounting"]))
        assert connection.integration.provider_key == "ledger_file"
        assert connection.administration.organization == organization
        assert connection.administration.name == "Acme books"
        assert connection.status == "succeeded", connection.status_message
        administration = connection.administration
        assert Transaction.objects.filter(administration=administration).count() == expected.entries
        revenue = TransactionLine.objects.filter(
            transaction__administration=administration, account__role="revenue"
        ).aggregate(total=Sum("amount"))["total"]
        assert -revenue == expected.revenue
        receivable = OutstandingItem.objects.filter(administration=administration, side="receivable")
        assert receivable.count() == expected.open_receivable_count
        assert receivable.aggregate(total=Sum("outstanding"))["total"] == expected.open_receivable
        assert not LedgerUpload.objects.exclude(external_id=administration.external_id).exists()  # pending is gone

    def test_the_card_shows_the_connection_and_offers_a_corrected_file_instead_of_a_key(
        self, admin_client, eager_sync, django_capture_on_commit_callbacks
    ):
        connection = import_default(admin_client, django_capture_on_commit_callbacks)

        html = admin_client.get(reverse("integrations:category", args=["accounting"])).content.decode()

        assert 'id="provider-ledger_file"' in html and "Acme books" in html
        assert f'href="{ADD}"' in html
        assert f'href="{reverse("ledgerfile:replace", args=[connection.pk])}"' in html
        assert "Upload a corrected file" in html
        assert reverse("integrations:update_key", args=[connection.pk]) not in html

    def test_the_credentials_wizard_sends_its_visitors_to_the_upload(self, admin_client):
        response = admin_client.get(reverse("integrations:add", args=["ledger_file"]))

        assert response.status_code == 302 and response.url == ADD

    def test_cancel_deletes_the_pending_upload(self, admin_client):
        preview = post_upload(admin_client)
        assert LedgerUpload.objects.count() == 1

        response = admin_client.post(preview.url, {"cancel": "1"})

        assert response.status_code == 302
        assert not LedgerUpload.objects.exists() and not Connection.objects.exists()


class TestOtherLayout:
    def test_upload_needing_a_mapping_then_map_then_preview(
        self, admin_client, eager_sync, django_capture_on_commit_callbacks
    ):
        expected = sample_figures()

        response = post_upload(admin_client, journal=upload_file(OTHER_LAYOUT))

        assert response.status_code == 302 and response.url.endswith("/columns/")
        page = admin_client.get(response.url).content.decode()
        assert 'accept=".csv,.xlsx"' not in page  # no file input here: the choices only
        # Headers the default names know are chosen already; the entry number ("Nr") is not one of them.
        assert re.search(r'<select name="date"[^>]*>.*?<option value="Boekdatum" selected>', page, re.S)
        assert re.search(r'<select name="amount"[^>]*>.*?<option value="Bedrag" selected>', page, re.S)
        assert not re.search(r'<select name="entry"[^>]*>.*?selected>Nr<', page, re.S)
        assert "Required" in page

        chosen = {
            "date": "Boekdatum",
            "entry": "Nr",
            "account_code": "Rekening",
            "account_name": "Naam rekening",
            "description": "Omschrijving",
            "amount": "Bedrag",
            "account_type": "Soort",
            "relation": "Klant/leverancier",
            "invoice_number": "Factuur",
            "due_date": "Vervalt",
            "cost_centre": "Afdeling",
        }
        preview = admin_client.post(response.url, chosen)

        assert preview.status_code == 302 and preview.url.endswith("/preview/")
        html = admin_client.get(preview.url).content.decode()
        figure = dict(re.findall(r'data-figure="([\w-]+)">([^<]*)<', html))
        assert figure["entries"] == f"{expected.entries:,}" and figure["debit"] == money(expected.debit)
        assert "Back to the columns" in html
        with django_capture_on_commit_callbacks(execute=True):
            admin_client.post(preview.url)
        administration = Connection.objects.get().administration
        assert Transaction.objects.filter(administration=administration).count() == expected.entries

    def test_a_required_field_left_out_is_said_next_to_it(self, admin_client):
        columns = post_upload(admin_client, journal=upload_file(OTHER_LAYOUT)).url

        response = admin_client.post(columns, {"date": "Boekdatum", "account_code": "Rekening", "amount": "Bedrag"})

        html = response.content.decode()
        assert response.status_code == 200
        assert re.search(r'<select name="entry"[^>]*aria-invalid="true"', html) or "This field is required." in html
        assert not Connection.objects.exists()

    def test_one_header_for_two_fields_is_refused(self, admin_client):
        columns = post_upload(admin_client, journal=upload_file(OTHER_LAYOUT)).url

        response = admin_client.post(
            columns, {"date": "Boekdatum", "entry": "Nr", "account_code": "Nr", "amount": "Bedrag"}
        )

        assert "“Nr” is already chosen for Entry number" in response.content.decode()

    def test_open_items_in_another_layout_get_a_columns_step_of_their_own(self, admin_client):
        expected = sample_figures()
        text = OPEN_ITEMS.read_text(encoding="utf-8").splitlines(keepends=True)
        text[0] = "Post,Klant,Nummer,Datum factuur,Vervalt,Nog te ontvangen\n"
        items = upload_file(OPEN_ITEMS, data="".join(text).encode("utf-8"))

        columns = post_upload(admin_client, open_items=items).url
        page = admin_client.get(columns).content.decode()

        assert "Open items: open-items.csv" in page and "Journal:" not in page  # the journal's headers are known
        preview = admin_client.post(
            columns,
            {
                "open_items.side": "Post",
                "open_items.relation": "Klant",
                "open_items.invoice_number": "Nummer",
                "open_items.invoice_date": "Datum factuur",
                "open_items.due_date": "Vervalt",
                "open_items.amount_open": "Nog te ontvangen",
            },
        )
        html = admin_client.get(preview.url).content.decode()
        assert f'data-figure="open-receivable">{money(expected.open_receivable)}<' in html

    def test_an_xlsx_workbook_with_its_open_items_on_a_second_sheet(self, admin_client):
        expected = sample_figures()
        workbook = SimpleUploadedFile(
            "ledger.xlsx",
            (SAMPLES / "ledger.xlsx").read_bytes(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )

        preview = post_upload(admin_client, journal=workbook)

        html = admin_client.get(preview.url).content.decode()
        assert "Excel workbook (XLSX)" in html
        assert f'data-figure="entries">{expected.entries}<' in html
        assert f'data-figure="open-receivable">{money(expected.open_receivable)}<' in html


class TestBrokenFile:
    def test_the_report_is_shown_and_nothing_is_written(self, admin_client, organization):
        response = post_upload(admin_client, journal=upload_file(DEFAULT_LAYOUT, data=broken_journal()))

        html = response.content.decode()
        assert response.status_code == 200
        assert "The file cannot be imported: 1 problem found. Nothing was imported." in html
        assert re.search(r'data-label="Row" class="num">\d+</td>', html)
        assert "does not balance" in html
        assert not LedgerUpload.objects.exists()
        assert not Integration.objects.exists() and not Connection.objects.exists()
        assert not Administration.objects.exists() and not Transaction.objects.exists()

    def test_a_long_report_lists_the_first_problems_and_counts_them_all(self, admin_client):
        rows = DEFAULT_LAYOUT.read_text(encoding="utf-8").splitlines(keepends=True)
        undated = [",".join(["31-02-2025", *row.split(",")[1:]]) for row in rows[1:]]  # no such day

        response = post_upload(
            admin_client, journal=upload_file(DEFAULT_LAYOUT, data="".join(rows[:1] + undated).encode())
        )

        html = response.content.decode()
        listed = len(re.findall(r'<td data-label="Problem">', html))
        total = int(re.search(r"cannot be imported: (\d+) problems found", html)[1])
        assert 0 < listed < total
        assert f"and {total - listed:,} more problems not listed: {total:,} in all" in html
        assert not LedgerUpload.objects.exists()

    def test_a_file_that_is_not_csv_or_xlsx_is_refused_next_to_its_field(self, admin_client):
        response = post_upload(admin_client, journal=SimpleUploadedFile("ledger.pdf", b"%PDF-1.4"))

        assert "Choose a CSV or XLSX file (.csv or .xlsx)." in response.content.decode()
        assert not LedgerUpload.objects.exists()

    def test_a_file_over_the_limit_gets_a_message_not_an_error_page(self, admin_client, settings):
        settings.LEDGER_FILE_MAX_BYTES = DEFAULT_LAYOUT.stat().st_size - 1

        response = post_upload(admin_client, journal=upload_file(DEFAULT_LAYOUT))

        html = response.content.decode()
        assert response.status_code == 200
        assert "This file is larger than the" in html and "This field is required" not in html
        assert not LedgerUpload.objects.exists()

    def test_a_file_of_the_limit_itself_is_taken(self, admin_client, settings):
        settings.LEDGER_FILE_MAX_BYTES = DEFAULT_LAYOUT.stat().st_size

        response = post_upload(admin_client, journal=upload_file(DEFAULT_LAYOUT))

        assert response.status_code == 302 and LedgerUpload.objects.get().journal_size == DEFAULT_LAYOUT.stat().st_size

    def test_the_limit_is_fifty_megabytes_as_the_form_says(self, admin_client, settings):
        assert settings.LEDGER_FILE_MAX_BYTES == 50 * 1024 * 1024
        assert "Up to 50 MB." in admin_client.get(ADD).content.decode()


class TestAccess:
    def test_a_member_is_refused_every_step(self, member_client, admin_client, organization):
        preview = post_upload(admin_client).url
        upload = LedgerUpload.objects.get()

        assert member_client.get(ADD).status_code == 403
        assert post_upload(member_client).status_code == 403
        assert member_client.get(preview).status_code == 403
        assert member_client.post(preview).status_code == 403
        assert not Connection.objects.exists() and LedgerUpload.objects.get() == upload

    def test_another_organisations_pending_upload_is_not_found(self, admin_client, other_organization):
        theirs = upload_store(
            organization=other_organization,
            external_id=new_external_id(),
            administration_name="Their books",
            journal=upload_file(DEFAULT_LAYOUT),
            user=MembershipFactory(organization=other_organization, role="admin").user,
        )

        for name in ("ledgerfile:add_preview", "ledgerfile:add_columns"):
            url = reverse(name, args=[theirs.pk])
            assert admin_client.get(url).status_code == 404
            assert admin_client.post(url).status_code == 404
        assert not Connection.objects.exists() and LedgerUpload.objects.get() == theirs

    def test_another_admins_pending_upload_is_not_found_either(self, admin_client, organization):
        other_admin = Client()
        other_admin.force_login(MembershipFactory(organization=organization, role="admin").user)
        theirs = post_upload(other_admin).url

        assert admin_client.get(theirs).status_code == 404

    def test_an_expired_upload_asks_for_the_file_again(self, admin_client):
        preview = post_upload(admin_client).url
        LedgerUpload.objects.update(uploaded_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))

        response = admin_client.get(preview, follow=True)

        assert response.redirect_chain[-1][0] == ADD
        assert "Upload the file again" in response.content.decode()
        assert not LedgerUpload.objects.exists()


class TestCorrectedFile:
    def test_upload_a_corrected_file_from_the_gear(self, admin_client, eager_sync, django_capture_on_commit_callbacks):
        connection = import_default(admin_client, django_capture_on_commit_callbacks)
        administration = connection.administration
        entries = Transaction.objects.filter(administration=administration).count()
        # The correction: the last entry is left out of the file.
        rows = DEFAULT_LAYOUT.read_text(encoding="utf-8").splitlines(keepends=True)
        last_entry = rows[-1].split(",")[1]
        corrected = "".join(line for line in rows if line.split(",")[1] != last_entry).encode("utf-8")
        replace = reverse("ledgerfile:replace", args=[connection.pk])

        form = admin_client.get(replace).content.decode()
        response = post_upload(admin_client, replace, journal=upload_file(DEFAULT_LAYOUT, data=corrected), name=None)

        assert "Upload a corrected file for Acme books" in form and 'name="name"' not in form
        assert response.status_code == 302 and response.url.endswith("/preview/")
        assert "Replace and import" in admin_client.get(response.url).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            done = admin_client.post(response.url)

        assert done.status_code == 302
        connection.refresh_from_db()
        assert connection.status == "succeeded", connection.status_message
        assert Connection.objects.count() == 1 and connection.administration == administration
        assert Transaction.objects.filter(administration=administration).count() == entries - 1
        assert connection.runs.count() == 2

    def test_a_broken_corrected_file_changes_nothing(
        self, admin_client, eager_sync, django_capture_on_commit_callbacks
    ):
        connection = import_default(admin_client, django_capture_on_commit_callbacks)
        before = Transaction.objects.count(), LedgerUpload.objects.count()

        response = post_upload(
            admin_client,
            reverse("ledgerfile:replace", args=[connection.pk]),
            journal=upload_file(DEFAULT_LAYOUT, data=broken_journal()),
            name=None,
        )

        assert "does not balance" in response.content.decode()
        assert (Transaction.objects.count(), LedgerUpload.objects.count()) == before
        assert connection.runs.count() == 1

    def test_only_a_ledger_file_connection_can_be_replaced(self, admin_client, organization):
        integration = Integration.objects.create(organization=organization, provider_key="eboekhouden")
        administration = Administration.objects.create(
            organization=organization, provider="eboekhouden", external_id="e-1", name="Online books"
        )
        connection = Connection.objects.create(
            integration=integration, administration=administration, credentials={"api_token": "x" * 40}
        )

        assert admin_client.get(reverse("ledgerfile:replace", args=[connection.pk])).status_code == 404


def test_sample_figures_read_the_file():
    """The control of the expectations above: the sample's own totals balance and its open items add up."""
    figures = sample_figures()

    assert figures.debit == figures.credit > 0
    assert figures.revenue > 0 and figures.open_receivable > 0 and figures.entries < figures.lines
