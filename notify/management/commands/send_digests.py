"""``manage.py send_digests [--organization SLUG] [--now]``: queue the e-mail digests that are due (as the beat does
every hour), of one organisation or all; ``--now`` sends every digest that is not switched off, whatever its day."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from monitr.tenancy.models import Organization
from notify.services import digests_send_due


class Command(BaseCommand):
    help = "Queue the e-mail digests that are due (or, with --now, every one that is not switched off)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization", metavar="SLUG", help="only this organisation's members")
        parser.add_argument("--now", action="store_true", help="send now, whatever day and hour each member chose")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = None
        if options["organization"]:
            organization = Organization.objects.filter(slug=options["organization"]).first()
            if organization is None:
                raise CommandError(f"No organisation with the slug {options['organization']!r}.")
        count = digests_send_due(organization=organization, force=options["now"])
        self.stdout.write(f"{count} digest{'s' if count != 1 else ''} queued; the worker sends them.")
