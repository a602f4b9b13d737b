"""``manage.py remove_member SLUG EMAIL``"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from monitr.tenancy.models import Membership
from monitr.tenancy.services import membership_remove


class Command(BaseCommand):
    help = "Remove a user from an organisation and revoke the API tokens they made for it. The user account stays."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The organisation's slug.")
        parser.add_argument("email", help="The user's e-mail address.")

    def handle(self, *args: Any, slug: str, email: str, **options: Any) -> None:
        membership = (
            Membership.objects.select_related("organization", "user")
            .filter(organization__slug=slug, user__email__iexact=email.strip())
            .first()
        )
        if membership is None:
            raise CommandError(f"{email} is not a member of an organisation with the slug {slug!r}.")
        try:
            revoked = membership_remove(membership=membership)
        except ValueError as exc:
            raise CommandError(f"{exc} Make someone else admin first (add_member --role admin).") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Removed {membership.user.email} from {membership.organization.name}; {revoked} API token(s) revoked."
            )
        )
