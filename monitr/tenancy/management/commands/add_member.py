"""``manage.py add_member SLUG EMAIL --role member|admin [--password PW [--reset-password]]``"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from monitr.tenancy.models import Organization, Role
from monitr.tenancy.services import ExistingUserPasswordError, membership_set


class Command(BaseCommand):
    help = "Add a user to an organisation, or change their role. A new user gets no password until one is set."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The organisation's slug.")
        parser.add_argument("email", help="The user's e-mail address.")
        parser.add_argument("--role", choices=Role.values, default=Role.MEMBER)
        parser.add_argument(
            "--password", help="Password for a new user; refused for an existing one unless --reset-password is given."
        )
        parser.add_argument(
            "--reset-password",
            action="store_true",
            help="Replace an existing user's password with --password.",
        )

    def handle(
        self,
        *args: Any,
        slug: str,
        email: str,
        role: str,
        password: str | None,
        reset_password: bool,
        **options: Any,
    ) -> None:
        if reset_password and not password:
            raise CommandError("--reset-password needs the new password in --password.")
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise CommandError(f"No organisation has the slug {slug!r}.")
        try:
            membership, created = membership_set(
                organization=organization, email=email, role=role, password=password, reset_password=reset_password
            )
        except ExistingUserPasswordError as exc:
            raise CommandError(f"{exc} Leave out --password, or add --reset-password to replace it.") from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        verb = "Added" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} {membership.user.email} as {role} of {organization.name}."))
