"""``manage.py add_member SLUG EMAIL --role member|admin``"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from monitr.tenancy.models import Organization, Role
from monitr.tenancy.services import membership_set


class Command(BaseCommand):
    help = "Add a user to an organisation, or change their role. A new user gets no password until one is set."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The organisation's slug.")
        parser.add_argument("email", help="The user's e-mail address.")
        parser.add_argument("--role", choices=Role.values, default=Role.MEMBER)
        parser.add_argument("--password", help="Password when the user is new (otherwise set it later).")

    def handle(self, *args: Any, slug: str, email: str, role: str, password: str | None, **options: Any) -> None:
        organization = Organization.objects.filter(slug=slug).first()
        if organization is None:
            raise CommandError(f"No organisation has the slug {slug!r}.")
        try:
            membership, created = membership_set(organization=organization, email=email, role=role, password=password)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        verb = "Added" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} {membership.user.email} as {role} of {organization.name}."))
