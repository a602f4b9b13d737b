"""``manage.py sync (--connection ID | --organization SLUG | --all) [--provider KEY] [--full] [--since DATE]
[--inline]``

Whatever the provider. Without ``--inline`` the syncs are queued for the worker. With it they run here, one after
the other, with a progress bar per stream and a summary; the exit code is non-zero when any of them failed. A
provider app may keep a command of its own: this one with ``provider_key`` set.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from integrations import registry
from integrations.models import Connection, SyncRun, SyncRunStatus, SyncTrigger
from integrations.sync.engine import SyncSkipped, sync_run_execute
from integrations.tasks import sync_connection
from integrations.templatetags.integrations_ui import counts_summary


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--since must be a date like 2025-01-31, not {value!r}.") from exc


class Command(BaseCommand):
    help = "Sync connections: queue them for the worker, or run them here with --inline."
    # Set by a provider's own command: only that provider's connections, and no --provider option.
    provider_key: str | None = None

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--connection", type=int, metavar="ID", help="One connection, by id (see sync_status).")
        which.add_argument("--organization", metavar="SLUG", help="Every connection of one organisation.")
        which.add_argument("--all", action="store_true", help="Every connection.")
        if self.provider_key is None:
            parser.add_argument("--provider", metavar="KEY", help="Only the connections to this provider.")
        parser.add_argument("--full", action="store_true", help="Re-read everything instead of from the cursors.")
        parser.add_argument("--since", metavar="YYYY-MM-DD", help="Re-read transactions from this date on.")
        parser.add_argument("--inline", action="store_true", help="Run here, with a progress bar, and wait.")

    def handle(self, *args: Any, **options: Any) -> None:
        since = _date(options["since"]) if options["since"] else None
        provider_key = self.provider_key or options.get("provider")
        provider = None
        connections = Connection.objects.select_related("administration", "integration__organization")
        if provider_key:
            try:
                provider = registry.get(provider_key)
            except registry.UnknownProvider as unknown:
                raise CommandError(str(unknown)) from None
            connections = connections.filter(integration__provider_key=provider.key)
        if options["connection"] is not None:
            connections = connections.filter(pk=options["connection"])
        elif options["organization"]:
            connections = connections.filter(integration__organization__slug=options["organization"])
        chosen = list(connections.order_by("pk"))
        if not chosen:
            which = f"{provider.name} connection" if provider is not None else "connection"
            raise CommandError(f"No {which} matches; `manage.py sync_status` lists them.")
        if not options["inline"]:
            for connection in chosen:
                sync_connection.delay(
                    connection.pk, SyncTrigger.COMMAND, options["full"], since.isoformat() if since else None
                )
                self.stdout.write(f"Queued a sync of {connection.administration.name} (connection {connection.pk}).")
            return
        failed = [c for c in chosen if not self.run_inline(c, full=options["full"], since=since)]
        if failed:
            raise CommandError(f"{len(failed)} of {len(chosen)} syncs failed.")

    def run_inline(self, connection: Connection, *, full: bool, since: dt.date | None) -> bool:
        # Django's OutputWrapper writes like a text stream; the stub asks for IO[str] only.
        console = Console(file=self.stdout, highlight=False)  # type: ignore[arg-type]
        console.print(f"[bold]{connection.administration.name}[/] ({connection.integration.organization.name})")
        columns = (TextColumn("{task.description:<20}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=False) as progress:
            bars: dict[str, TaskID] = {}
            labels: dict[str, str] = {}

            def observe(stream: str, done: int, total: int) -> None:
                if stream not in bars:
                    bars[stream] = progress.add_task(labels[stream], total=total or None)
                progress.update(bars[stream], completed=done, total=total or None)

            try:
                outcome = sync_run_execute(
                    connection_id=connection.pk,
                    trigger=SyncTrigger.COMMAND,
                    full=full,
                    since=since,
                    observer=observe,
                    stream_observer=labels.__setitem__,
                )
            except SyncSkipped as skipped:
                console.print(f"[yellow]Skipped:[/] {skipped}")
                return True
            except Exception as error:  # a transient error is raised for the task's retry; here it is the end
                console.print(f"[red]Failed:[/] {error}")
                return False
        if outcome.run_id is None:
            console.print(f"[yellow]Not synced:[/] {outcome.message}")
            return False
        run = SyncRun.objects.get(pk=outcome.run_id)
        if run.status != SyncRunStatus.SUCCEEDED:
            console.print(f"[red]Failed:[/] {run.error_message}")
            return False
        for stream in run.stream_results:
            console.print(f"  {stream.label:<20} {counts_summary(stream.counts)}")
        console.print(
            f"[green]Succeeded[/] in {run.duration.total_seconds():.1f} s with {run.api_calls_total} API calls."
        )
        return True
