"""``manage.py sync_status``: the fleet (queued per lane, running, between slices, waiting for the budget, failed,
the budget in use, tonight's run and its expected end), then every connection with its status, last success and
last error (``--summary``: the fleet alone)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone
from rich.console import Console
from rich.table import Table

from integrations.fleet import fleet_status
from integrations.http.budget import FIRST_IMPORT, MANUAL, SCHEDULED
from integrations.models import Connection

LANE_NAMES = {MANUAL: "Sync now", FIRST_IMPORT: "first imports", SCHEDULED: "schedule"}


class Command(BaseCommand):
    help = (
        "Show the fleet (queued, running, waiting for the budget, failed, the budget in use, tonight's expected end), "
        "then the connections with their sync status, last successful import and last error."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--summary", action="store_true", help="the fleet alone, without the connections")

    def handle(self, *args: Any, **options: Any) -> None:
        # Django's OutputWrapper is a TextIOBase, which typeshed does not count as the IO[str] rich asks for.
        console = Console(file=self.stdout, width=200, highlight=False)  # type: ignore[arg-type]
        self._fleet(console)
        if options["summary"]:
            return
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
        if not connections:
            console.print("No connections yet. Admins add them under Integrations.")
            return
        console.print(table)

    def _fleet(self, console: Console) -> None:
        fleet = fleet_status()
        lanes = ", ".join(f"{LANE_NAMES[p]} {_count(n)}" for p, n in fleet.queued.items())
        console.print(f"Queued: {lanes}; taken by workers {_count(fleet.reserved)}")
        console.print(
            f"Runs: {fleet.running} running, {fleet.between_slices} between slices (queued for their next); "
            f"connections: {fleet.connections}, {fleet.failed} failed, {fleet.reconnect_needed} reconnect needed"
        )
        budget = fleet.budget
        if budget is None:
            console.print("Budget towards e-Boekhouden: none shared (no Redis), or unreadable")
        else:
            rate = f", {budget.rate:g}/s" if budget.rate else ""
            paused = f", paused for {budget.paused_for:.1f} s (429)" if budget.paused_for else ""
            console.print(
                f"Budget towards e-Boekhouden: {budget.in_flight} of {budget.limit} in flight (at most {budget.total}, "
                f"{budget.per_key} per key{rate}){paused}; {budget.waiting_requests} requests waiting "
                f"in {budget.waiting_processes} processes; {len(budget.processes)} processes hold slots"
            )
        night = fleet.tonight
        expected = _when(night.expected_end) if night.expected_end else "unknown"
        console.print(
            f"Tonight: from {_when(night.starts)}, spread until {_when(night.ends_by_schedule)}: "
            f"{night.done} of {night.due} synced, {night.failed} failed; expected end {expected} "
            "(each connection left at its offset, as long as its last scheduled sync took)\n"
        )


def _count(value: int | None) -> str:
    return "?" if value is None else str(value)


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "never"
