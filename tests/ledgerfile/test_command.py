"""``manage.py import_ledger_file``: check, print the report, connect or replace, and sync in-process."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command

from integrations.models import Connection, SyncRun, SyncRunStatus
from ledger.models import Administration, Transaction
from ledgerfile.models import LedgerUpload

from . import books
from .conftest import IMPORTED_AT, nothing_written

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).resolve().parents[2] / "ledgerfile" / "samples"


def run(*args: str) -> str:
    out = io.StringIO()
    with time_machine.travel(IMPORTED_AT, tick=False):
        call_command("import_ledger_file", *args, stdout=out)
    return out.getvalue()


def test_a_good_file_is_connected_and_imported_here(organization, enqueued):
    output = run(
        str(SAMPLES / "ledger.csv"),
        "--organization", organization.slug,
        "--administration", "Acme 2025",
        "--open-items", str(SAMPLES / "open-items.csv"),
    )  # fmt: skip

    administration = Administration.objects.get(organization=organization, provider="ledger_file")
    assert administration.name == "Acme 2025"
    run_ = SyncRun.objects.get(administration=administration)
    assert (run_.status, run_.trigger) == (SyncRunStatus.SUCCEEDED, "command")
    entries = len({line.entry for line in books.year().lines})
    assert Transaction.objects.filter(administration=administration).count() == entries
    assert "The file can be imported." in output
    assert f"334 lines in {entries} entries from 2025-01-01 to" in output
    assert f"Transactions         +{entries} new" in output
    assert "Open items           +10 new" in output


def test_a_mapping_on_the_command_line(organization, enqueued):
    columns = ",".join(f"{field}={header}" for field, header in books.DUTCH_MAPPING.items())

    output = run(
        str(SAMPLES / "grootboek-nl.csv"),
        "--organization", organization.slug,
        "--administration", "Acme NL",
        "--columns", columns,
    )  # fmt: skip

    assert "CSV, semicolon-separated, Windows-1252" in output
    assert LedgerUpload.objects.get().columns == books.DUTCH_MAPPING
    assert Transaction.objects.filter(administration__name="Acme NL").exists()


def test_the_same_name_again_replaces_the_file(organization, enqueued):
    args = ("--organization", organization.slug, "--administration", "Acme 2025")
    run(str(SAMPLES / "ledger.csv"), *args)

    output = run(str(SAMPLES / "ledger.xlsx"), "--organization", organization.slug, "--administration", "acme 2025")

    connection = Connection.objects.get()
    assert f"Replaced the file of Acme 2025 (connection {connection.pk})." in output
    assert list(LedgerUpload.objects.values_list("journal_name", flat=True)) == ["ledger.xlsx", "ledger.csv"]
    last = SyncRun.objects.filter(connection=connection).first()
    # The XLSX is the same journal: only its open items (its second sheet) are new.
    assert last.counts["transactions"]["new"] == 0
    assert last.counts["outstanding_items"]["new"] == 10


def test_a_bad_file_prints_the_report_and_imports_nothing(organization, enqueued, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("date,entry,account_code,debit,credit\n2025-01-02,1,1100,10.00,\n2025-01-02,1,8000,,9.00\n")
    out = io.StringIO()

    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command(
            "import_ledger_file", str(bad), "--organization", organization.slug, "--administration", "X", stdout=out
        )

    assert out.getvalue().splitlines() == [
        "The file cannot be imported: 1 problem found. Nothing was imported.",
        "bad.csv, row 2, column entry: Entry 1 does not balance: debit exceeds credit by 1.00.",
    ]
    assert nothing_written()


@pytest.mark.parametrize(
    "args,message",
    [
        (("--organization", "nobody", "--administration", "X"), "No organisation has the slug 'nobody'."),
        (("--administration", "X", "--columns", "Nr"), "--columns: 'Nr' is not field=header"),
        (("--administration", "X", "--open-items", "/nonexistent.csv"), "Cannot read /nonexistent.csv"),
    ],
)
def test_wrong_arguments(organization, args, message):
    if "--organization" not in args:
        args = ("--organization", organization.slug, *args)
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(".", r"\.")):
        call_command("import_ledger_file", str(SAMPLES / "ledger.csv"), *args, stdout=io.StringIO())
