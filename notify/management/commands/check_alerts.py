"""``manage.py check_alerts [--organization SLUG]``: check the alert rules now, as every sync's end does, of one
organisation or of all that have rules; prints what fired."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from monitr.tenancy.models import Organization
from notify.alerts import alerts_check
from notify.models import AlertRule


class Command(BaseCommand):
    help = "Check the alert rules now (as after every sync) and print the notifications made."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization", metavar="SLUG", help="only this organisation's rules")

    def handle(self, *args: Any, **options: Any) -> None:
        organizations = Organization.objects.filter(
            pk__in=AlertRule.objects.values("organization_id").distinct()
        ).order_by("slug")
        if options["organization"]:
            organizations = Organization.objects.filter(slug=options["organization"])
            if not organizations.exists():
                raise CommandError(f"No organisation with the slug {options['organization']!r}.")
        fired = 0
        with translation.override("en"):
            for organization in organizations:
                for notification in alerts_check(organization=organization):
                    fired += 1
                    self.stdout.write(f"{organization.slug}: {notification.text()}")
        self.stdout.write(f"{fired} alert{'s' if fired != 1 else ''} fired.")
