"""``manage.py create_organization "Name" --admin EMAIL [--password PW] [--reset-password]``"""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from monitr.tenancy.services import ExistingUserPasswordError, organization_create


class Command(BaseCommand):
    help = "Create an organisation with its first admin (the user is created when new)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help='The organisation\'s name, e.g. "Bakkerij De Vries BV".')
        parser.add_argument("--admin", required=True, metavar="EMAIL", help="E-mail address of the admin.")
        parser.add_argument(
            "--password",
            help="Password for a new admin user; asked for when not given and the user is new. Refused for an "
            "existing user unless --reset-password is given.",
        )
        parser.add_argument(
            "--reset-password",
            action="store_true",
            help="Replace an existing admin user's password (with --password, or typed in a terminal).",
        )

    def handle(
        self, *args: Any, name: str, admin: str, password: str | None, reset_password: bool, **options: Any
    ) -> None:
        from django.contrib.auth import get_user_model

        exists = get_user_model().objects.filter(email__iexact=admin).exists()
        if password is None and (reset_password or not exists):
            if not self.stdin_is_tty():
                who = "The admin user is new" if not exists else "--reset-password needs the new password"
                raise CommandError(f"{who}: give --password, or run this in a terminal to type it.")
            password = self.ask_password()
        if password is not None:
            try:
                validate_password(password)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        try:
            organization = organization_create(
                name=name, admin_email=admin, admin_password=password, reset_password=reset_password
            )
        except ExistingUserPasswordError as exc:
            raise CommandError(f"{exc} Leave out --password, or add --reset-password to replace it.") from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Created organisation {organization.name!r} (slug {organization.slug}) with admin {admin}."
            )
        )

    @staticmethod
    def stdin_is_tty() -> bool:
        import sys

        return sys.stdin.isatty()

    @staticmethod
    def ask_password() -> str:
        while True:
            first = getpass.getpass("Password: ")
            if first and first == getpass.getpass("Password (again): "):
                return first
            print("The passwords were empty or did not match; try again.")
