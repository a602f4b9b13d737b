"""``manage.py connect_eboekhouden --organization SLUG --api-key-file PATH --administration GUID``

Scripted onboarding. The key is read from a file (``-`` for standard input), never from the command line, where it
would end up in shell history and process lists.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from integrations.errors import IntegrationError
from integrations.services import ConnectionRefused, SyncUnavailable, connection_create
from monitr.tenancy.models import Organization

from ...forms import EboekhoudenCredentialsForm
from ...provider import EboekhoudenProvider


class Command(BaseCommand):
    help = "Connect an e-Boekhouden administration to an organisation with an API key read from a file or stdin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization", required=True, metavar="SLUG")
        parser.add_argument("--api-key-file", required=True, metavar="PATH", help="A file holding the key, or -.")
        parser.add_argument("--administration", required=True, metavar="GUID", help="The administration's GUID.")

    def handle(self, *args: Any, organization: str, api_key_file: str, administration: str, **options: Any) -> None:
        org = Organization.objects.filter(slug=organization).first()
        if org is None:
            raise CommandError(f"No organisation has the slug {organization!r}.")
        try:
            key = sys.stdin.read() if api_key_file == "-" else Path(api_key_file).read_text()
        except OSError as exc:
            raise CommandError(f"Cannot read the key file: {exc.strerror}.") from exc
        form = EboekhoudenCredentialsForm({"api_key": key.strip()})
        if not form.is_valid():
            raise CommandError(" ".join(str(e) for errors in form.errors.values() for e in errors))
        provider = EboekhoudenProvider()
        try:
            check = provider.check_credentials(form.cleaned_data)
            with transaction.atomic():
                connection = connection_create(
                    organization=org, provider_key=provider.key, check=check, external_id=administration
                )
        except (IntegrationError, ConnectionRefused) as error:
            raise CommandError(str(error)) from error
        except SyncUnavailable as unavailable:
            raise CommandError(
                f"The administration is connected, but its first sync is not queued. {unavailable} It starts by "
                "itself once syncing is back."
            ) from unavailable
        self.stdout.write(
            self.style.SUCCESS(
                f"Connected {connection.administration.name} to {org.name} (connection {connection.pk}); "
                "the first sync is queued."
            )
        )
