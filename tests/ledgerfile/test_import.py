"""Connecting a ledger file, syncing it, uploading it again, and uploading a corrected one."""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
from decimal import Decimal

import pytest

from integrations.models import Connection, ConnectionStatus
from ledger.models import Account, AccountKind, AccountRole, OutstandingItem, Transaction, TransactionType
from ledgerfile.models import LedgerUpload, LedgerUploadPiece
from ledgerfile.reading import Source
from ledgerfile.report import FileRefused
from ledgerfile.services import KEEP_UPLOADS, upload_latest, upload_replace, upload_sources
from tests.factories import OrganizationFactory

from . import books
from .conftest import connect, imported

pytestmark = pytest.mark.django_db


def _entries(year) -> dict[str, list[books.Line]]:
    found: dict[str, list[books.Line]] = {}
    for line in year.lines:
        found.setdefault(line.entry, []).append(line)
    return found


def test_connecting_stores_the_files_and_queues_the_first_import(
    organization, admin_user, year, enqueued, django_capture_on_commit_callbacks
):
    journal, open_items = books.default_csv(year), books.open_items_csv(year)
    with django_capture_on_commit_callbacks(execute=True):
        connection = connect(organization, journal, open_items, user=admin_user, name="Acme 2025")

    administration = connection.administration
    assert (administration.provider, administration.name) == ("ledger_file", "Acme 2025")
    assert uuid.UUID(administration.external_id)
    assert (connection.transport, connection.credentials_hint, dict(connection.credentials)) == ("file", "", {})
    assert enqueued == [(connection.pk, "connect", False)]
    upload = LedgerUpload.objects.get()
    assert (upload.organization, upload.external_id, upload.uploaded_by) == (
        organization,
        administration.external_id,
        admin_user,
    )
    assert upload.journal_sha256 == hashlib.sha256(journal).hexdigest()
    assert upload.open_items_sha256 == hashlib.sha256(open_items).hexdigest()
    stored_journal, stored_open_items = upload_sources(upload)
    with stored_journal.open() as stream:
        assert stream.read() == journal
    with stored_open_items.open() as stream:
        assert stream.read() == open_items


def test_a_stored_file_is_read_back_piece_by_piece(organization, enqueued, settings, monkeypatch):
    monkeypatch.setattr("ledgerfile.services.PIECE", 1000)
    data = books.default_csv(books.year())
    connection = connect(organization, data)

    assert LedgerUploadPiece.objects.count() == -(-len(data) // 1000)
    journal, _ = upload_sources(
        upload_latest(organization=organization, external_id=connection.administration.external_id)
    )
    with journal.open() as stream:
        assert stream.read() == data


def test_the_first_sync_imports_everything(organization, year, enqueued):
    connection = connect(organization, books.default_csv(year), books.open_items_csv(year))

    run = imported(connection)

    entries = _entries(year)
    assert run.counts["ledgers"]["new"] == len(books.ACCOUNTS)
    assert run.counts["relations"]["new"] == len(books.CUSTOMERS) + len(books.SUPPLIERS)
    assert run.counts["cost_centres"]["new"] == len(books.COST_CENTRES)
    assert run.counts["transactions"]["new"] == len(entries)
    assert run.counts["outstanding_items"]["new"] == len(year.open_items)
    assert run.api_calls == {}
    administration = connection.administration
    bank = Account.objects.get(administration=administration, code="1100")
    assert (bank.name, bank.role, bank.kind, bank.category) == (
        "Bank ING",
        AccountRole.CASH,
        AccountKind.BALANCE_SHEET,
        "bank",
    )
    revenue = Account.objects.get(administration=administration, code="8000")
    assert (revenue.role, revenue.kind) == (AccountRole.REVENUE, AccountKind.PROFIT_AND_LOSS)
    # An invoice: booked on the debtors account, with its relation, invoice number and term.
    invoice = Transaction.objects.get(administration=administration, invoice_number="V2025-001", account__code="1300")
    assert invoice.transaction_type == TransactionType.SALES_INVOICE
    assert (invoice.account.code, invoice.relation.name, invoice.payment_term_days) == ("1300", "Jansen Bouw BV", 30)
    lines = list(invoice.lines.order_by("line_number").values_list("account__code", "amount", "cost_center__name"))
    first = entries[invoice.external_id]
    assert lines == [(line.account, line.amount, line.cost_centre or None) for line in first]
    kinds = set(Transaction.objects.filter(administration=administration).values_list("transaction_type", flat=True))
    assert kinds == {
        TransactionType.OPENING_BALANCE,
        TransactionType.SALES_INVOICE,
        TransactionType.PURCHASE_INVOICE,
        TransactionType.PAYMENT_RECEIVED,
        TransactionType.PAYMENT_SENT,
        TransactionType.MONEY_SENT,
    }
    item = OutstandingItem.objects.get(administration=administration, invoice_number=year.open_items[0].invoice_number)
    expected = year.open_items[0]
    assert (item.due_date, item.outstanding, item.total, item.paid) == (
        expected.due_date,
        expected.amount_open,
        expected.amount_open,
        Decimal("0.00"),
    )
    assert connection.administration.ledger_checked_at is None  # read before the run; the run checked it
    administration.refresh_from_db()
    assert administration.ledger_checked_at is not None
    assert not administration.reconciliations.exclude(difference=0).exists()


def test_the_same_file_again_changes_nothing(organization, year, enqueued):
    connection = connect(organization, books.default_csv(year), books.open_items_csv(year))
    first = imported(connection)

    upload_replace(
        connection=connection,
        journal=Source.from_bytes("ledger.csv", books.default_csv(year)),
        open_items=Source.from_bytes("open-items.csv", books.open_items_csv(year)),
        sync=False,
    )
    again = imported(connection)

    assert set(again.counts) == set(first.counts)
    for stream, counts in again.counts.items():
        assert (counts["new"], counts["changed"], counts["deleted"]) == (0, 0, 0), stream
        assert counts["unchanged"] == first.counts[stream]["new"], stream


def test_a_corrected_file_replaces_what_changed_entry_by_entry(organization, year, enqueued):
    connection = connect(organization, books.default_csv(year))
    imported(connection)
    entries = _entries(year)
    salary = next(key for key, lines in entries.items() if lines[0].description == "Salarissen 03-2025")
    dropped = next(key for key, lines in entries.items() if lines[0].description.startswith("Kosten zakelijke"))
    corrected = []
    for line in year.lines:
        if line.entry == dropped:
            continue
        if line.entry == salary:
            line = dataclasses.replace(line, amount=line.amount + (Decimal("100.00") if line.amount > 0 else -100))
        corrected.append(line)
    added = [
        books.Line(line.date, "9001", line.account, "Correctie huur", amount)
        for line, amount in (
            (year.lines[-1], Decimal("75.00")),
            (dataclasses.replace(year.lines[-1], account="1100"), Decimal("-75.00")),
        )
    ]
    added = [dataclasses.replace(added[0], account="4200"), added[1]]
    new_books = books.Books(corrected + added, year.open_items)

    upload_replace(
        connection=connection, journal=Source.from_bytes("ledger.csv", books.default_csv(new_books)), sync=False
    )
    run = imported(connection)

    assert {k: v for k, v in run.counts["transactions"].items() if k not in ("label", "records")} == {
        "new": 1,
        "changed": 1,
        "deleted": 1,
        "unchanged": len(entries) - 2,
    }
    administration = connection.administration
    assert not Transaction.objects.filter(administration=administration, external_id=dropped).exists()
    changed = Transaction.objects.get(administration=administration, external_id=salary)
    assert sorted(changed.lines.values_list("amount", flat=True)) == [Decimal("-4950.00"), Decimal("4950.00")]
    assert Transaction.objects.get(administration=administration, external_id="9001").lines.count() == 2


def test_upload_replace_queues_a_sync(organization, year, enqueued, django_capture_on_commit_callbacks):
    connection = connect(organization, books.default_csv(year))
    imported(connection)
    enqueued.clear()

    with django_capture_on_commit_callbacks(execute=True):
        upload = upload_replace(connection=connection, journal=Source.from_bytes("fixed.csv", books.default_csv(year)))

    assert enqueued == [(connection.pk, "manual", False)]
    assert Connection.objects.get(pk=connection.pk).status == ConnectionStatus.WAITING
    assert upload_latest(organization=organization, external_id=connection.administration.external_id) == upload
    assert upload.journal_name == "fixed.csv"


def test_upload_replace_refuses_a_bad_file_and_keeps_the_last_good_one(organization, year, enqueued):
    connection = connect(organization, books.default_csv(year))
    before = LedgerUpload.objects.get()

    with pytest.raises(FileRefused) as refused:
        upload_replace(connection=connection, journal=Source.from_bytes("bad.csv", b"date,entry\n2025-01-01,1\n"))

    assert "Missing required column" in refused.value.user_message
    assert list(LedgerUpload.objects.all()) == [before]


def test_only_the_latest_uploads_are_kept(organization, year, enqueued):
    connection = connect(organization, books.default_csv(year))
    for number in range(KEEP_UPLOADS + 1):
        upload_replace(
            connection=connection,
            journal=Source.from_bytes(f"ledger-{number}.csv", books.default_csv(year)),
            sync=False,
        )

    names = list(LedgerUpload.objects.values_list("journal_name", flat=True))
    assert names == [f"ledger-{n}.csv" for n in reversed(range(1, KEEP_UPLOADS + 1))]
    assert set(LedgerUploadPiece.objects.values_list("upload__journal_name", flat=True)) == set(names)


def test_a_file_sorted_by_account_imports_the_same_entries(organization, year, enqueued):
    by_account = books.Books(sorted(year.lines, key=lambda line: (line.account, line.date)), year.open_items)
    in_order = connect(organization, books.default_csv(year), name="In entry order")
    spread = connect(organization, books.default_csv(by_account), name="Sorted by account")

    imported(in_order)
    imported(spread)

    def stored(connection):
        rows = Transaction.objects.filter(administration=connection.administration)
        return {t.external_id: (t.transaction_type, t.date, t.lines_digest) for t in rows}

    # Within an entry the lines keep the file's order, so only the entries' set and sums can be compared.
    assert stored(in_order).keys() == stored(spread).keys()
    for connection in (in_order, spread):
        assert not Transaction.objects.filter(administration=connection.administration).exclude(imbalance=0).exists()


def test_uploads_are_scoped_to_their_organisation(organization, year, enqueued):
    connection = connect(organization, books.default_csv(year))
    other = OrganizationFactory()

    assert upload_latest(organization=other, external_id=connection.administration.external_id) is None
    assert not LedgerUpload.objects.for_organization(other).exists()
    assert LedgerUpload.objects.for_organization(organization).count() == 1


def test_the_schedule_leaves_a_ledger_file_alone_and_the_card_says_when_it_was_uploaded(
    organization, year, enqueued, admin_client
):
    """The books change only with an upload, which starts its own sync: the nightly schedule would read the same file
    again for nothing."""
    import datetime as dt

    import time_machine
    from django.urls import reverse
    from django.utils import timezone

    from integrations import tasks

    connection = connect(organization, books.default_csv(year))
    imported(connection)
    connection.refresh_from_db()
    upload = LedgerUpload.objects.get()

    assert connection.status == ConnectionStatus.SUCCEEDED and connection.next_sync_at is None
    with time_machine.travel(connection.last_success_at + dt.timedelta(days=3)):
        assert tasks.enqueue_due_syncs() == 0
    assert enqueued == []  # the schedule queued nothing
    html = admin_client.get(reverse("integrations:category", args=["accounting"])).content.decode()
    assert f'ledger.csv uploaded <time datetime="{timezone.localtime(upload.uploaded_at).isoformat()}"' in html
    assert "Next sync" not in html
