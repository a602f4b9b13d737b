"""``manage.py import_ledger_file --organization SLUG --administration NAME PATH [--open-items PATH] [--columns ...]``

Checks the file(s) and prints the report; with any problem it exits non-zero and imports nothing. Otherwise it
connects the file as a new administration of that name, or, when the organisation has a ledger-file administration
of that name already, makes the file its latest upload; then it runs the sync here and prints what each stream did.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from integrations.models import Connection, SyncRun, SyncRunStatus, SyncTrigger
from integrations.services import ConnectionRefused, SyncUnavailable
from integrations.sync.engine import SyncSkipped, sync_run_execute
from integrations.templatetags.integrations_ui import counts_summary
from monitr.tenancy.models import Organization

from ...columns import parse_columns
from ...reading import Source
from ...report import FileRefused
from ...services import (
    administration_by_name,
    ledger_file_connect,
    new_external_id,
    upload_check,
    upload_replace,
    upload_store,
)


def _source(path: str) -> Source:
    try:
        return Source.from_path(path)
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.") from error


class Command(BaseCommand):
    help = "Import a general ledger file (CSV or XLSX) as an administration, or replace its file, and sync it here."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", metavar="PATH", help="The journal file, CSV or XLSX.")
        parser.add_argument("--organization", required=True, metavar="SLUG")
        parser.add_argument("--administration", required=True, metavar="NAME", help="The administration's name.")
        parser.add_argument("--open-items", metavar="PATH", help="The open items, CSV or XLSX.")
        parser.add_argument(
            "--columns",
            action="append",
            default=[],
            metavar="FIELD=HEADER,...",
            help="The column mapping for headers Monitr does not recognise, e.g. date=Boekdatum,entry=Nr.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organization = Organization.objects.filter(slug=options["organization"]).first()
        if organization is None:
            raise CommandError(f"No organisation has the slug {options['organization']!r}.")
        name = options["administration"].strip()
        if not name:
            raise CommandError("--administration must name the administration.")
        try:
            columns = parse_columns(options["columns"])
        except ValueError as error:
            raise CommandError(f"--columns: {error}") from error
        journal = _source(options["path"])
        open_items = _source(options["open_items"]) if options["open_items"] else None

        checked = upload_check(journal=journal, open_items=open_items, columns=columns)
        self.stdout.write(checked.report.text())
        if not checked.ok:
            raise CommandError("Nothing was imported.")
        summary = checked.summary
        assert summary is not None
        self.stdout.write(
            f"{summary.journal}: {summary.journal_format}; {summary.lines} lines in {summary.entries} entries from "
            f"{summary.first_date} to {summary.last_date}, {len(summary.accounts)} accounts."
        )
        # Stored with the outcome of the check above, and connected as it is: the file is not checked twice.
        upload = upload_store(
            organization=organization,
            external_id=new_external_id(),
            administration_name=name,
            journal=journal,
            open_items=open_items,
            columns=columns,
            checked=checked,
        )
        try:
            connection = self._connect(organization, name, upload)
        except CommandError:
            upload.delete()
            raise
        self._sync(connection)

    def _connect(self, organization, name, upload) -> Connection:
        existing = administration_by_name(organization=organization, name=name)
        try:
            if existing is not None:
                connection = Connection.objects.filter(administration=existing).select_related("integration").first()
                if connection is None:
                    raise CommandError(
                        f"{existing.name} was imported before and then disconnected. Connect it again in Monitr, or "
                        "choose another name."
                    )
                upload_replace(connection=connection, upload=upload, sync=False)
                self.stdout.write(f"Replaced the file of {existing.name} (connection {connection.pk}).")
                return connection
            try:
                with transaction.atomic():
                    connection = ledger_file_connect(organization=organization, upload=upload)
            except SyncUnavailable:
                # The worker's queue is down; the sync runs here anyway, and the connection is kept.
                connection = Connection.objects.get(
                    administration=administration_by_name(organization=organization, name=name)
                )
            self.stdout.write(f"Connected {name} to {organization.name} (connection {connection.pk}).")
            return connection
        except (FileRefused, ConnectionRefused) as error:
            raise CommandError(str(error)) from error

    def _sync(self, connection: Connection) -> None:
        try:
            outcome = sync_run_execute(connection_id=connection.pk, trigger=SyncTrigger.COMMAND)
        except SyncSkipped as skipped:
            raise CommandError(f"{skipped} The file is stored; that sync or the next one imports it.") from skipped
        run = SyncRun.objects.get(pk=outcome.run_id) if outcome.run_id else None
        if run is None or run.status != SyncRunStatus.SUCCEEDED:
            raise CommandError(f"The import failed: {run.error_message if run else outcome.message}")
        for stream in run.stream_results:
            self.stdout.write(f"  {stream.label:<20} {counts_summary(stream.counts)}")
        self.stdout.write(self.style.SUCCESS(f"Imported in {run.duration.total_seconds():.1f} s."))
