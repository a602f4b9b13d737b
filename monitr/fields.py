"""A model field that stores a JSON value encrypted (see :mod:`monitr.crypto`).

The value in Python is the plain JSON value (for credentials, a dict); in the database it is a Fernet token. The
field is not searchable and has no meaningful ordering; its ``repr`` in forms, admin and errors never shows it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import models

from . import crypto


class Secret(dict):
    """A dict of credentials whose repr and str hide the values, so a stray log line or traceback shows none."""

    def __repr__(self) -> str:
        return f"Secret({', '.join(sorted(self))})"

    __str__ = __repr__


if TYPE_CHECKING:
    # What the field takes and gives in Python, for the type checker (django-stubs), instead of TextField's str.
    _TextField = models.TextField[Mapping[str, str], Secret]
else:
    _TextField = models.TextField


class EncryptedJSONField(_TextField):
    description = "JSON, encrypted with the Fernet keys of MONITR_FIELD_ENCRYPTION_KEYS"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Secret | None:
        if value is None:
            return None
        return Secret(crypto.decrypt_json(value))

    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, dict):
            return Secret(value) if isinstance(value, dict) else None
        return Secret(crypto.decrypt_json(value))

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        return crypto.encrypt_json(dict(value))

    def value_to_string(self, obj: models.Model) -> str:
        # Serialisation (dumpdata) keeps the ciphertext: a dump never holds a plain secret.
        return self.get_prep_value(self.value_from_object(obj)) or ""
