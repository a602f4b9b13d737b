"""``manage.py rotate_encryption_keys``: re-encrypt every stored secret with the newest key.

Put the new key first in ``MONITR_FIELD_ENCRYPTION_KEYS`` (keep the old ones after it), run this, then drop the old
keys. Reads and writes the ciphertext directly, row by row, so no secret is ever held as a model instance.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from monitr import crypto
from monitr.fields import EncryptedJSONField


def encrypted_columns() -> list[tuple[str, str, str]]:
    """(table, primary key column, encrypted column) for every encrypted field of every model."""
    found: list[tuple[str, str, str]] = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedJSONField):
                # A concrete field always has a column; django-stubs types Field.column as str | None.
                found.append((model._meta.db_table, model._meta.pk.column, field.column))  # type: ignore[arg-type]
    return found


class Command(BaseCommand):
    help = "Re-encrypt every stored credential with the first key of MONITR_FIELD_ENCRYPTION_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        qn = connection.ops.quote_name
        total = 0
        try:
            with transaction.atomic():
                for table, pk, column in encrypted_columns():
                    with connection.cursor() as cursor:
                        cursor.execute(f"SELECT {qn(pk)}, {qn(column)} FROM {qn(table)} WHERE {qn(column)} IS NOT NULL")  # noqa: S608
                        rows = cursor.fetchall()
                        for row_pk, token in rows:
                            cursor.execute(
                                f"UPDATE {qn(table)} SET {qn(column)} = %s WHERE {qn(pk)} = %s",  # noqa: S608
                                [crypto.rotate(token), row_pk],
                            )
                    total += len(rows)
                    self.stdout.write(f"{table}.{column}: {len(rows)} re-encrypted")
        except crypto.DecryptionError as exc:
            raise CommandError(f"{exc} Nothing was changed.") from exc
        self.stdout.write(self.style.SUCCESS(f"Done: {total} secrets now use the newest key."))
