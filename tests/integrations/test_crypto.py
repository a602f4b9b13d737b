"""Credentials are stored encrypted, fail loudly when they cannot be decrypted, and survive a key rotation."""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection as db

from integrations.models import Connection
from monitr.crypto import DecryptionError

pytestmark = pytest.mark.django_db

KEY = "FAKE-KEY-0123456789"


def stored_ciphertext(connection: Connection) -> str:
    with db.cursor() as cursor:
        cursor.execute("SELECT credentials FROM integrations_connection WHERE id = %s", [connection.pk])
        return cursor.fetchone()[0]


def test_the_database_holds_ciphertext_not_the_key(connection):
    assert KEY not in stored_ciphertext(connection)


def test_credentials_read_back_as_entered(connection):
    assert Connection.objects.get(pk=connection.pk).credentials == {"api_key": KEY}


def test_the_credentials_repr_hides_the_values(connection):
    loaded = Connection.objects.get(pk=connection.pk)

    assert KEY not in repr(loaded.credentials)
    assert KEY not in str(loaded.credentials)
    assert KEY not in repr(loaded)


def test_a_value_no_key_can_decrypt_raises_instead_of_passing_the_ciphertext(connection, settings):
    settings.MONITR_FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(DecryptionError):
        Connection.objects.get(pk=connection.pk)


def test_rotation_re_encrypts_with_the_newest_key(connection, settings):
    old = list(settings.MONITR_FIELD_ENCRYPTION_KEYS)
    new = Fernet.generate_key().decode()
    settings.MONITR_FIELD_ENCRYPTION_KEYS = [new, *old]
    before = stored_ciphertext(connection)

    call_command("rotate_encryption_keys", stdout=io.StringIO())

    after = stored_ciphertext(connection)
    assert after != before
    assert Fernet(new.encode()).decrypt(after.encode())  # the newest key alone can read it
    settings.MONITR_FIELD_ENCRYPTION_KEYS = [new]
    assert Connection.objects.get(pk=connection.pk).credentials == {"api_key": KEY}


def test_rotation_stops_and_changes_nothing_when_a_secret_cannot_be_read(connection, settings):
    before = stored_ciphertext(connection)
    settings.MONITR_FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("rotate_encryption_keys", stdout=io.StringIO())

    assert stored_ciphertext(connection) == before
