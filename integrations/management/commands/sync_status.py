"""``manage.py sync_status``: every connection with its status, last success and last error."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone
from rich.console import Console
from rich.table import Table

from integrations.models import Connection


class Command(BaseCommand):
    help = "List the connections with their sync status, last successful import and last error."

    def handle(self, *args: Any, **options: Any) -> None:
        table = Table(show_lines=False)
        for column in ("ID", "Organisation", "Administration", "Provider", "Status", "Last success", "Next sync"):
            table.add_column(column)
        table.add_column("Last error", overflow="fold", max_width=60)
        connections = Connection.objects.select_related("administration", "integration__organization").order_by(
            "integration__organization__name", "administration__name"
        )
        for c in connections:
            table.add_row(
                str(c.pk),
                c.integration.organization.name,
                c.administration.name,
                c.integration.provider.name,
                c.get_shown_status_display(),  # a run whose lease ran out shows as failed, not In progress
                _when(c.last_success_at),
                _when(c.next_sync_at),
                c.shown_status_message if c.shown_status in {"failed", "reconnect_needed"} else "",
            )
        # Django's OutputWrapper is a TextIOBase, which typeshed does not count as the IO[str] rich asks for.
        console = Console(file=self.stdout, width=200, highlight=False)  # type: ignore[arg-type]
        if not connections:
            console.print("No connections yet. Admins add them under Integrations.")
            return
        console.print(table)


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "never"
