"""Encryption of stored credentials, with Fernet keys kept apart from ``SECRET_KEY``.

``MONITR_FIELD_ENCRYPTION_KEYS`` lists the keys newest first: the first encrypts, every one decrypts, so a new key
can be added in front and ``manage.py rotate_encryption_keys`` re-encrypts what is stored before the old key is
dropped. ``cryptography``'s MultiFernet does the work; the thin layer here exists because the packaged
encrypted-field libraries either break on Django 5 or hand back the ciphertext when decryption fails, and a
credential that cannot be decrypted must stop the caller, never pass for a value.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key."""

    def __init__(self) -> None:
        super().__init__(
            "A stored credential could not be decrypted with any key in MONITR_FIELD_ENCRYPTION_KEYS. "
            "Was a key removed before rotate_encryption_keys ran?"
        )


@lru_cache(maxsize=8)
def _multifernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("MONITR_FIELD_ENCRYPTION_KEYS is empty: credentials cannot be stored.")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "MONITR_FIELD_ENCRYPTION_KEYS must hold url-safe base64 Fernet keys of 32 bytes, comma-separated."
        ) from exc


def fernet() -> MultiFernet:
    return _multifernet(tuple(settings.MONITR_FIELD_ENCRYPTION_KEYS))


def encrypt_json(value: Any) -> str:
    return fernet().encrypt(json.dumps(value, separators=(",", ":")).encode()).decode()


def decrypt_json(token: str) -> Any:
    try:
        plain = fernet().decrypt(token.encode())
    except InvalidToken:
        raise DecryptionError() from None
    return json.loads(plain)


def rotate(token: str) -> str:
    """The same secret, encrypted with the newest key."""
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError() from None
