"""The provider conformance suite: what every provider must do, checked the same way for each.

A provider's test module subclasses :class:`ProviderConformance` and supplies its source through a few hooks: the
``books`` fixture (a fresh administration at the provider, with some data, and the credentials form's data that
reach it), the data of credentials it refuses, and ways to change the source between syncs (edit a record, delete
one, make it fail). The suite then connects the administration as the Add wizard does
(:func:`integrations.services.connection_create`), runs the sync engine as the worker runs it, and checks:

- credentials: valid data lists administrations with ids and names, and the hint shows at most a few characters
  of a secret; refused data raises a typed :mod:`integrations.errors` error with a message for the user, which
  holds no secret;
- connecting one of the listed administrations works and queues its first sync;
- every stream is idempotent: a second sync with no change at the source reports nothing new, changed or
  deleted, and leaves every stored row as it was;
- a cursor is saved only after the data it covers is committed: a write that fails after its first batch leaves
  the failing stream's cursor where it was, and the next sync completes the data;
- an edit and a deletion at the source arrive with the next sync;
- a failure at the source fails the run with a typed error and its message, never as an unexpected exception,
  and the next sync after it succeeds;
- no secret, whole or any piece of it the hint hides, reaches a log record, a run's message or an exception's text.

A provider whose "credentials" hold no secret (an uploaded file) sets ``has_secret = False``: the secret checks
then have nothing to look for and pass; for every other provider they must find the secrets to look for.

Only tests import this module (it imports pytest).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import pickle
import traceback
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
import structlog
from django import forms
from django.apps import apps
from django.db import models

from integrations import registry
from integrations.errors import IntegrationError
from integrations.models import Connection, ConnectionStatus, SyncCursor, SyncRun, SyncRunStatus, SyncTrigger
from integrations.providers import AdministrationChoice, CredentialsCheck, Provider
from integrations.services import connection_create
from integrations.sync.engine import UNEXPECTED, sync_run_execute
from ledger.models import Administration, Transaction
from monitr.tenancy.models import Organization

# A hint may show this many characters of a secret (the last four of a key, say), never more.
HINT_SHOWS_AT_MOST = 4
# Shorter values are not searched for: they would be found in ordinary words (the rule of errors.redact too).
SECRET_MIN_LENGTH = 4
# Any this many characters of a secret are a leak too (a key's first characters logged "to tell keys apart", say).
# Each such piece holds at least four characters the hint hides, since a hint shows at most four.
LEAK_LENGTH = 2 * HINT_SHOWS_AT_MOST
CHANGED = ("new", "changed", "deleted")


@dataclass(frozen=True)
class Books:
    """One administration at the provider, holding some data, that a test may change."""

    credentials: dict[str, Any]  # the credentials form's cleaned data that reach it
    # Its id among the administrations those credentials list; None when checking the credentials creates it (an
    # upload becomes a new administration), and the check then offers it alone.
    external_id: str | None
    source: Any = None  # whatever the provider's hooks need to change it (a sandbox and its login, a file)


@dataclass(frozen=True)
class StoredRecord:
    """A stored row the suite looks for: its model and how to find it within the administration."""

    model: type[models.Model]
    lookup: dict[str, Any]

    def row(self, administration: Administration) -> dict[str, Any] | None:
        """The row's values (its timestamps left out), or None when it is not stored."""
        fields = [f.attname for f in _compared_fields(self.model, keep_pk=True)]
        rows = list(self.model._base_manager.filter(administration=administration, **self.lookup).values(*fields))
        assert len(rows) <= 1, f"{self} finds {len(rows)} rows; a record names one"
        return rows[0] if rows else None

    def __str__(self) -> str:
        return f"{self.model.__name__}({', '.join(f'{k}={v!r}' for k, v in self.lookup.items())})"


class InjectedWriteFailure(Exception):
    """The failure the suite makes a write raise, after the write committed its first batch."""


# -- what is stored -------------------------------------------------------------------------------------------------


def _compared_fields(model: type[models.Model], *, keep_pk: bool = False) -> list[models.Field]:
    # Timestamps say when a run saw or wrote a row (a set-aside record's last sighting), not what the books hold.
    return [
        f
        for f in model._meta.concrete_fields
        if not isinstance(f, models.DateTimeField) and (keep_pk or not f.primary_key)
    ]


def _imported_models() -> list[type[models.Model]]:
    """Every model with rows of an administration, but the sync's own records (runs, cursors, the connection)."""
    found = []
    for model in apps.get_models():
        if model is Administration or model._meta.app_label == "integrations":
            continue
        if any(f.many_to_one and f.related_model is Administration for f in model._meta.concrete_fields):
            found.append(model)
    return found


def administration_digest(administration: Administration) -> dict[str, tuple[int, str]]:
    """Every row imported into ``administration``, per model: how many, and a digest of their values.

    A row's own id and its timestamps are left out: a derived row written again with the same values (a day's
    totals) is the same to every reader. References to other rows are kept, so a row re-created under a new id
    changes the digest of the rows that point at it (a transaction's lines)."""
    digest = {}
    for model in _imported_models():
        columns = [f.attname for f in _compared_fields(model)]
        rows = sorted(
            repr(row) for row in model._base_manager.filter(administration=administration).values_list(*columns)
        )
        digest[model._meta.label] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return digest


def stored_cursors(connection: Connection) -> dict[str, Any]:
    return dict(SyncCursor.objects.filter(connection=connection).values_list("stream", "value"))


def _changes(run: SyncRun) -> dict[str, dict[str, int]]:
    """Per stream, the counts of new, changed and deleted records that are not 0."""
    return {
        stream: {key: counts.get(key, 0) for key in CHANGED if counts.get(key, 0)}
        for stream, counts in run.counts.items()
        if any(counts.get(key, 0) for key in CHANGED)
    }


# -- secrets --------------------------------------------------------------------------------------------------------


def _longest_shared(a: str, b: str) -> int:
    """The length of the longest run of characters ``a`` and ``b`` share (case ignored)."""
    a, b = a.casefold(), b.casefold()
    best = 0
    for start in range(len(a)):
        while start + best < len(a) and a[start : start + best + 1] in b:
            best += 1
    return best


def exception_texts(error: BaseException) -> list[str]:
    """Every way an error's text gets out: its message, repr, traceback, and the copy Celery carries."""
    return [
        str(error),
        repr(error),
        "".join(traceback.format_exception(error)),
        repr(pickle.loads(pickle.dumps(error))),  # noqa: S301 - our own error, as Celery would carry it
    ]


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    """All captured log records as text: messages, fields, tracebacks, and each record as Monitr's own log
    handler writes it."""
    formatters = [
        handler.formatter
        for handler in logging.getLogger().handlers
        if isinstance(handler.formatter, structlog.stdlib.ProcessorFormatter)
    ]
    parts = [caplog.text]
    for record in caplog.records:
        parts.append(record.getMessage())
        parts.append(repr(record.msg))
        parts.append(repr({k: v for k, v in record.__dict__.items() if k not in {"msg", "args", "exc_info"}}))
        if record.exc_info and record.exc_info[1] is not None:
            parts.append("".join(traceback.format_exception(record.exc_info[1])))
        parts += [formatter.format(record) for formatter in formatters]
    return "\n".join(parts)


# -- the suite ------------------------------------------------------------------------------------------------------


class ProviderConformance:
    """The checks every provider passes. Subclass it as ``Test...`` in the provider's test module and give it:

    - ``provider_key``: the registered provider under test;
    - a ``books`` fixture returning :class:`Books`: a fresh administration at the provider with some data, which
      no other test sees, and the cleaned credentials data that reach it;
    - :meth:`invalid_credentials`, :meth:`edit_record`, :meth:`delete_record` and :meth:`source_failures`;
    - optionally ``moment`` (the syncs run as if it were then), ``has_secret`` and ``secret_keys``, and
      :meth:`inject_write_failure` when the provider writes its transactions other than through
      ``ledger.services.transactions_upsert``.
    """

    pytestmark: ClassVar[list[pytest.MarkDecorator]] = [pytest.mark.django_db(transaction=True)]

    provider_key: ClassVar[str]
    # Whether the credentials hold a secret. False (an uploaded file) leaves the secret checks nothing to find.
    has_secret: ClassVar[bool] = True
    # Which entries of ``CredentialsCheck.secret`` are secret; None: every one. Password inputs of the credentials
    # form are secret in any case.
    secret_keys: ClassVar[tuple[str, ...] | None] = None
    # The syncs run as if it were this moment (say, shortly after the source's books end); None: now.
    moment: ClassVar[Any] = None

    # -- hooks --------------------------------------------------------------------------------------------------

    def invalid_credentials(self, books: Books) -> dict[str, Any]:
        """Cleaned credentials data the provider refuses (a wrong key for these books, say)."""
        raise NotImplementedError(f"{type(self).__name__} must give the credentials its provider refuses.")

    def edit_record(self, books: Books, administration: Administration) -> StoredRecord:
        """Change one record at the source that the next sync must bring in; return the stored row it changes."""
        raise NotImplementedError(f"{type(self).__name__} must say how to edit a record at its source.")

    def delete_record(self, books: Books, administration: Administration) -> StoredRecord:
        """Delete one record at the source; return the stored row that the next sync must remove."""
        raise NotImplementedError(f"{type(self).__name__} must say how to delete a record at its source.")

    def source_failures(self, books: Books) -> dict[str, contextlib.AbstractContextManager[None]]:
        """Contexts, by name, in which reading the source fails as it can in life: an outage, an unreadable answer.
        Failures of the source itself, not refusals of the credentials (those ask for a reconnect)."""
        raise NotImplementedError(f"{type(self).__name__} must say how its source fails.")

    def inject_write_failure(self, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
        """Make the first write of transactions that stores anything fail right after it committed its first batch.

        Every provider's transactions go through ``transactions_upsert``, which commits each batch that its
        ``_batches`` hands it before asking for the next: here it is handed one transaction at a time, and asking
        for the second raises. Returns a list that gets the external ids of the committed batch when it fires."""
        from ledger.services import transactions

        original = transactions._batches
        fired: list[list[str]] = []

        def batches(records, batch_lines):
            if fired:
                yield from original(records, batch_lines)
                return
            for batch in original(records, 1):
                yield batch  # transactions_upsert commits it before it asks for more
                fired.append([record.external_id for record in batch])
                raise InjectedWriteFailure("The write failed after its first batch.")

        monkeypatch.setattr(transactions, "_batches", batches)
        return fired

    # -- fixtures -----------------------------------------------------------------------------------------------

    @pytest.fixture(autouse=True)
    def _at_the_moment(self) -> Iterator[None]:
        if self.moment is None:
            yield
            return
        import time_machine

        with time_machine.travel(self.moment, tick=True):
            yield

    @pytest.fixture
    def provider(self) -> Provider:
        return registry.get(self.provider_key)

    @pytest.fixture
    def conformance_organization(self, db) -> Organization:
        return Organization.objects.create(name="Conformance BV", slug=f"conformance-{uuid.uuid4().hex[:12]}")

    @pytest.fixture
    def connected(self, provider, books, conformance_organization, monkeypatch) -> Connection:
        """The books' administration, connected as the Add wizard connects it."""
        return self._connect(provider, books, conformance_organization, monkeypatch)

    # -- helpers ------------------------------------------------------------------------------------------------

    @staticmethod
    def _choice(check: CredentialsCheck, books: Books) -> AdministrationChoice:
        """The books' administration among those the check lists."""
        if books.external_id is None:
            importable = [choice for choice in check.administrations if choice.importable]
            assert len(importable) == 1, "credentials that create their administration offer that one alone"
            return importable[0]
        found = [choice for choice in check.administrations if choice.external_id == books.external_id]
        assert found, "the credentials list the books' administration"
        return found[0]

    def _connect(
        self, provider: Provider, books: Books, organization, monkeypatch, check: CredentialsCheck | None = None
    ) -> Connection:
        """Connect the books' administration with ``check`` (by default, a check of the books' credentials)."""
        from integrations import tasks

        queued: list[tuple] = []
        # Connecting queues the first sync for the worker; here the tests run the syncs themselves.
        monkeypatch.setattr(tasks.sync_connection, "delay", lambda *args: queued.append(args))
        check = check or provider.check_credentials(books.credentials)
        connection = connection_create(
            organization=organization,
            provider_key=provider.key,
            check=check,
            external_id=self._choice(check, books).external_id,
        )
        assert queued == [(connection.pk, SyncTrigger.CONNECT, False)], "connecting queues exactly its first sync"
        return Connection.objects.select_related("administration", "integration").get(pk=connection.pk)

    @staticmethod
    def _sync(connection: Connection, **kwargs) -> SyncRun:
        """One sync, as the worker runs it, which must succeed."""
        outcome = sync_run_execute(connection_id=connection.pk, trigger=SyncTrigger.MANUAL, **kwargs)
        assert outcome.run_id is not None, "the sync made no run"
        run = SyncRun.objects.get(pk=outcome.run_id)
        assert run.status == SyncRunStatus.SUCCEEDED, f"the sync failed: {run.error_code}: {run.error_message}"
        return run

    @staticmethod
    def _failing_sync(connection: Connection) -> tuple[SyncRun, IntegrationError | None]:
        """One sync that is to fail: its run, and the error the engine raised again (a retryable one, for the
        task to retry), if it did."""
        latest = SyncRun.objects.filter(connection=connection).order_by("-pk").values_list("pk", flat=True).first()
        try:
            outcome = sync_run_execute(connection_id=connection.pk, trigger=SyncTrigger.MANUAL)
        except IntegrationError as raised:
            run = SyncRun.objects.filter(connection=connection).latest("pk")
            assert run.pk != latest, "the run that raised was recorded"
            return run, raised
        assert outcome.run_id is not None, f"the sync did not run: {outcome.message}"
        return SyncRun.objects.get(pk=outcome.run_id), None

    def _secrets(self, provider: Provider, *data: dict[str, Any], check: CredentialsCheck | None = None) -> set[str]:
        """The secret values in credentials data (its password inputs) and in a check's secret."""
        form = provider.credentials_form
        password_fields = {
            name for name, field in form.base_fields.items() if isinstance(field.widget, forms.PasswordInput)
        }
        values = {str(d[name]) for d in data for name in password_fields if d.get(name)}
        if check is not None and self.has_secret:
            keys = check.secret.keys() if self.secret_keys is None else self.secret_keys
            values |= {str(check.secret[key]) for key in keys if check.secret.get(key)}
        return {value for value in values if len(value) >= SECRET_MIN_LENGTH}

    @staticmethod
    def _named(secrets: set[str]) -> dict[str, str]:
        """The secrets under names that do not show them (an assertion's message shows the names only)."""
        return {f"secret {number}": secret for number, secret in enumerate(sorted(secrets), start=1)}

    @staticmethod
    def _leaked(secrets: dict[str, str], haystack: str) -> list[str]:
        """The names of the secrets of which ``haystack`` holds any ``LEAK_LENGTH`` characters (or all of a shorter
        one): with them, the whole secret and every part of it the hint hides."""
        # Without regard to case: a service may echo a key in its own case.
        haystack = haystack.casefold()

        def found(secret: str) -> bool:
            secret = secret.casefold()
            size = min(len(secret), LEAK_LENGTH)
            return any(secret[i : i + size] in haystack for i in range(len(secret) - size + 1))

        return sorted(name for name, secret in secrets.items() if found(secret))

    # -- the checks ---------------------------------------------------------------------------------------------

    def test_valid_credentials_list_administrations_and_the_hint_hides_the_secret(self, provider, books):
        check = provider.check_credentials(books.credentials)

        assert isinstance(check, CredentialsCheck)
        assert check.administrations, "valid credentials reach at least the books' administration"
        assert self._choice(check, books).importable, "the books' administration can be imported"
        secrets = self._secrets(provider, books.credentials, check=check)
        assert bool(secrets) == self.has_secret, "the secrets to look for are known (has_secret says whether any)"
        for number, secret in enumerate(sorted(secrets), start=1):
            assert secret.casefold() not in check.hint.casefold(), f"the hint shows secret {number}"
            shown = _longest_shared(secret, check.hint)
            assert shown <= HINT_SHOWS_AT_MOST, f"the hint shows {shown} characters of secret {number}"
        assert self._leaked(self._named(secrets), repr(check)) == [], "repr(check) shows a secret"

    def test_refused_credentials_raise_a_typed_error_with_a_message_and_no_secret(self, provider, books, caplog):
        caplog.set_level(logging.DEBUG)
        invalid = self.invalid_credentials(books)

        with pytest.raises(IntegrationError) as refused:
            provider.check_credentials(invalid)

        error = refused.value
        assert error.user_message.strip(), "the error says something the user can act on"
        secrets = self._secrets(provider, invalid)
        assert bool(secrets) == self.has_secret
        texts = [*exception_texts(error), str(error.title or ""), everything_logged(caplog)]
        assert self._leaked(self._named(secrets), "\n".join(texts)) == []

    def test_the_listed_administrations_have_ids_and_names_and_one_connects(
        self, provider, books, conformance_organization, monkeypatch
    ):
        check = provider.check_credentials(books.credentials)
        ids = [choice.external_id for choice in check.administrations]

        assert all(isinstance(i, str) and i.strip() for i in ids), ids
        assert len(set(ids)) == len(ids), f"an administration is listed twice: {ids}"
        assert all(choice.name.strip() for choice in check.administrations)
        assert all(choice.note.strip() for choice in check.administrations if not choice.importable), (
            "an administration that cannot be imported says why"
        )
        choice = self._choice(check, books)

        connection = self._connect(provider, books, conformance_organization, monkeypatch, check=check)

        assert connection.integration.provider_key == provider.key
        assert connection.administration.external_id == choice.external_id
        assert connection.administration.name == choice.name
        assert connection.administration.organization == conformance_organization
        assert connection.credentials == check.secret
        assert (connection.credentials_hint, connection.transport) == (check.hint, check.transport)
        assert connection.status == ConnectionStatus.WAITING

    def test_every_stream_is_idempotent(self, connected):
        first = self._sync(connected)
        imported = administration_digest(connected.administration)
        assert first.counts, "the sync ran streams"
        assert any(count for count, _ in imported.values()), "the first sync stored the books"

        second = self._sync(connected)

        assert set(second.counts) == set(first.counts), "every stream ran again"
        assert _changes(second) == {}, "a sync without a change at the source changed nothing"
        assert administration_digest(connected.administration) == imported

    def test_a_cursor_is_saved_only_after_its_data_is_committed(self, connected, monkeypatch):
        """The first import fails in the first write that stores anything, right after its first batch committed.
        Nothing was committed before that write, so the failing stream must have saved no cursor yet (a stream that
        saves a cursor before writing what it covers fails here); and the next sync must complete the data, which
        reading everything again then confirms."""
        before = stored_cursors(connected)
        fired = self.inject_write_failure(monkeypatch)

        failed, _ = self._failing_sync(connected)

        assert fired, "the injected failure fired (override inject_write_failure for how this provider writes)"
        assert failed.status == SyncRunStatus.FAILED
        stream = failed.stream
        assert stream, "the failed run names the stream that was writing"
        assert stream not in failed.counts, "the failing stream did not report as finished"
        # The batch before the failure was committed: this is a failure after writing part of the data.
        committed = Transaction.objects.filter(administration=connected.administration, external_id__in=fired[0])
        assert committed.count() == len(fired[0])
        # Nothing of the stream's data was committed when its first write failed, so its cursor says no more.
        assert stored_cursors(connected).get(stream) == before.get(stream), f"{stream} moved its cursor"
        partial = administration_digest(connected.administration)

        self._sync(connected)
        complete = administration_digest(connected.administration)
        reread = self._sync(connected, full=True)

        assert complete != partial, "the next sync imported what the failed one left out"
        assert _changes(reread) == {}, "reading everything again found nothing that the next sync had missed"
        assert administration_digest(connected.administration) == complete

    def test_an_edit_at_the_source_arrives_with_the_next_sync(self, books, connected):
        self._sync(connected)
        administration = connected.administration
        record = self.edit_record(books, administration)
        before = record.row(administration)
        assert before is not None, f"{record} was imported"

        run = self._sync(connected)

        after = record.row(administration)
        assert after is not None, f"{record} is still stored"
        assert after != before, f"{record} changed"
        assert _changes(run), "the run reports the change"
        assert _changes(self._sync(connected)) == {}, "once in, the edit is not brought in again"

    def test_a_record_deleted_at_the_source_disappears_with_the_next_sync(self, books, connected):
        self._sync(connected)
        administration = connected.administration
        record = self.delete_record(books, administration)
        assert record.row(administration) is not None, f"{record} was imported"

        run = self._sync(connected)

        assert record.row(administration) is None, f"{record} is still stored"
        assert any(counts.get("deleted") for counts in _changes(run).values()), _changes(run)

    def test_a_source_failure_fails_the_run_with_a_typed_error(self, books, connected):
        self._sync(connected)
        failures = self.source_failures(books)
        assert failures, "the provider names at least one way its source fails"

        for name, failure in failures.items():
            with failure:
                run, raised = self._failing_sync(connected)

            connected.refresh_from_db()
            assert run.status == SyncRunStatus.FAILED, name
            assert run.error_message.strip(), f"{name}: the run says what went wrong"
            assert run.error_message != UNEXPECTED and run.error_code != "unexpected", (
                f"{name}: the source raised an untyped error, not an integrations error"
            )
            # The source failed, not the credentials: the connection waits for the next sync, not for a new key.
            assert connected.status == ConnectionStatus.FAILED, name
            assert connected.status_message == run.error_message, name
            if raised is not None:
                assert raised.retryable and raised.user_message == run.error_message, name
            self._sync(connected)  # once the source is back, nothing of the failure stands in the way

    def test_no_secret_reaches_a_log_a_run_or_an_error(
        self, provider, books, conformance_organization, monkeypatch, caplog
    ):
        caplog.set_level(logging.DEBUG)  # as verbose as LOG_LEVEL can make Monitr
        texts: list[str] = []
        check = provider.check_credentials(books.credentials)
        invalid = self.invalid_credentials(books)
        with pytest.raises(IntegrationError) as refused:
            provider.check_credentials(invalid)
        texts += [repr(check), *exception_texts(refused.value)]
        connection = self._connect(provider, books, conformance_organization, monkeypatch, check=check)
        self._sync(connection)
        self.edit_record(books, connection.administration)
        self._sync(connection)
        for failure in self.source_failures(books).values():
            with failure:
                _, raised = self._failing_sync(connection)
            if raised is not None:
                texts += exception_texts(raised)
        connection.refresh_from_db()
        texts += [repr(connection), str(connection), connection.status_message]
        for run in SyncRun.objects.filter(connection=connection):
            texts += [run.error_code, run.error_message, repr(run.counts), repr(run.api_calls)]
        haystack = everything_logged(caplog) + "\n".join(texts)

        secrets = self._named(self._secrets(provider, books.credentials, invalid, check=check))
        assert bool(secrets) == self.has_secret, "the secrets to look for are known"
        assert "sync.finished" in haystack, "the log was captured"
        assert self._leaked(secrets, haystack) == []
