"""No secret leaks, proven over the whole life of a connection.

Recognisable credentials (two API keys, legacy username and security codes, and a wrong key and code typed by
mistake) go through the Add wizard over HTTP, syncs run by a real Celery worker (each message read from the broker
before the worker takes it, and captured as published), sessions renewed after 401s, a refused and an expired key
(Reconnect needed), a 5xx burst (Failed, then the task's retry), garbled answers, the gear's "update key",
``rotate_encryption_keys``, the legacy SOAP transport, ``sync_status``, removing the connection and deleting the
integration. Then every GET page is crawled, and the keys, the security codes and every session token the sandbox
issued are searched for, whole and by their first and last 12 characters, in: every column of every table but the
encrypted one (which must hold ciphertext only), Django sessions decoded, what dumpdata writes, every log record of
every logger at DEBUG (raw and as the console and JSON formatters render it), every page, API answer and command
output, every Celery message and all of Redis, and every SyncRun's texts. The masked hint shows the last 4
characters, by design, and no more.
"""

from __future__ import annotations

import io
import json
import logging
import random
import time
from collections.abc import Callable
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from cryptography.fernet import Fernet, MultiFernet
from django.core import mail, serializers
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from eboekhouden.client import errors as eb_errors
from eboekhouden.provider import Transport
from integrations.http import RetryPolicy
from integrations.models import (
    Connection,
    ConnectionStatus,
    Integration,
    SyncRun,
    SyncRunStatus,
    SyncTrigger,
)
from ledger.models import Account, Relation, Transaction
from monitr.celery import app as celery_app
from monitr.mail.models import MailKind, MailMessage
from monitr.tenancy.models import Membership
from notify.models import AlertKind, AlertRule, Notification

from .leakcheck import (
    Needles,
    capture_celery,
    capture_every_log,
    crawl,
    database_texts,
    encrypted_values,
    redis_texts,
    response_text,
)

pytestmark = pytest.mark.django_db(transaction=True)

_rng = random.Random("monitr/tests/security/no-secret-leaks")


def _canary(head: str, length: int, tail: str) -> str:
    return head + "".join(_rng.choice("0123456789abcdef") for _ in range(length)) + tail


KEY_1 = _canary("KeyOneCanary", 40, "KeyOneTailXy")
KEY_2 = _canary("KeyTwoCanary", 40, "KeyTwoTailXy")
WRONG_KEY = _canary("WrongKeyCnry", 30, "WrongKeyTail")
USERNAME = "canary-user"
CODE_1 = _canary("SECCODEONE", 20, "SC1END").upper()
WRONG_CODE = _canary("WRONGCODEONE", 12, "WRONGCODEEND")
CODE_2 = _canary("seccodetwo-", 24, "-sc2end")  # e-Boekhouden compares code 2 without regard to case
WAIT_SECONDS = 60
ATTEMPTS = RetryPolicy().attempts  # the client's own tries of one request


def wait_for(condition: Callable[[], bool], what: Callable[[], str], timeout: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what()}")


class Flow:
    """The browser, the sandbox and the capture points of one run of the whole flow."""

    def __init__(self, client: Client, sandbox, guid: str, celery) -> None:
        self.client, self.sandbox, self.guid, self.celery = client, sandbox, guid, celery
        self.pages: list[tuple[str, str]] = []
        self.finished_tasks: list[str] = []

    def record(self, label: str, response) -> Any:
        chain = " ".join(f"{url} {code}" for url, code in getattr(response, "redirect_chain", []))
        headers = "".join(f"{k}: {v}\n" for k, v in response.items())
        self.pages.append((label, f"{chain}\n{headers}{response_text(response)}"))
        return response

    def get(self, name: str, *args: Any) -> Any:
        return self.record(f"GET {name}", self.client.get(reverse(name, args=args)))

    def post(self, name: str, args: tuple = (), data: dict | None = None) -> Any:
        return self.record(f"POST {name}", self.client.post(reverse(name, args=args), data or {}, follow=True))

    def set_credentials(self, **values: str) -> None:
        """Give the sandbox administration recognisable credentials (a password change: its sessions end)."""

        def change() -> None:
            credentials = self.sandbox.state.book(self.guid).admin.credentials
            for name, value in values.items():
                setattr(credentials, name, value)
            self.sandbox.state.end_sessions(self.guid)

        self.sandbox._call(change)

    def run_worker(self, *, sync: bool = True) -> None:
        """Read the queued sync from the broker, then let a real worker take it, every retry it schedules and every
        e-mail it queues (an alert); ``sync=False`` for e-mail alone (the digests)."""
        waiting = self.celery.peek_broker()
        if sync:
            assert any("integrations.tasks.sync_connection" in m for m in waiting), "no sync was queued"

        def all_ran() -> bool:
            return len(self.finished_tasks) >= len(self.celery.published)

        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            wait_for(
                all_ran,
                lambda: (
                    f"the syncs to end; ended: {len(self.finished_tasks)}, runs: "
                    f"{list(SyncRun.objects.order_by('pk').values_list('status', 'error_code'))}"
                ),
            )

    def last_run(self) -> SyncRun:
        return SyncRun.objects.order_by("-pk").first()


@pytest.fixture
def flow(admin_user, sandbox_settings, eboekhouden_sandbox, eboekhouden_sandbox_administration, monkeypatch):
    celery_app.control.purge()
    issued: list[str] = []
    state = eboekhouden_sandbox.state
    original_open_session = state.open_session

    def open_session(guid: str, api: str, **kwargs: Any):
        session = original_open_session(guid, api, **kwargs)
        issued.append(session.token)
        return session

    monkeypatch.setattr(state, "open_session", open_session)
    # The task's retry after a transient failure waits up to 30 s in production; here the retry is due at once.
    monkeypatch.setattr("celery.app.autoretry.get_exponential_backoff_interval", lambda **_: 0)
    monkeypatch.setattr("integrations.http.retry.random", random.Random("no-secret-leaks/client-jitter"))
    client = Client()
    client.force_login(admin_user)
    with capture_every_log() as logs, capture_celery() as celery:
        flow = Flow(client, eboekhouden_sandbox, eboekhouden_sandbox_administration.guid, celery)
        flow.logs, flow.session_tokens = logs, issued

        def ended(sender=None, **_: Any) -> None:
            flow.finished_tasks.append(getattr(sender, "name", ""))

        task_postrun.connect(ended, weak=False)
        try:
            yield flow
        finally:
            task_postrun.disconnect(ended)
            celery_app.control.purge()


def assert_credentials_column_is_ciphertext(expected: dict[str, str], keys: list[str]) -> None:
    (value,) = encrypted_values("integrations_connection")
    assert json.loads(MultiFernet([Fernet(k) for k in keys]).decrypt(value.encode())) == expected
    assert not Needles(dict(expected)).found_in(value)


def test_no_secret_appears_anywhere_after_the_whole_flow(flow, organization, settings, eboekhouden_sandbox):
    guid = flow.guid
    flow.set_credentials(api_token=KEY_1, username=USERNAME, security_code_1=CODE_1, security_code_2=CODE_2.upper())

    # Add: Integrations → e-Boekhouden → Add → API Key (a wrong one first) → Next → the administration.
    flow.record("GET integrations", flow.client.get(reverse("integrations:index"), follow=True))
    flow.get("integrations:add", "eboekhouden")
    refused = flow.post("integrations:add", ("eboekhouden",), {"api_key": WRONG_KEY})
    assert eb_errors.KEY_REFUSED in refused.content.decode()
    spaced = flow.post("integrations:add", ("eboekhouden",), {"api_key": f"{KEY_1} {KEY_1}"})
    assert "no spaces" in spaced.content.decode()
    picked = flow.post("integrations:add", ("eboekhouden",), {"api_key": KEY_1})
    assert picked.redirect_chain[-1][0].endswith("/add/administration/")
    connected = flow.post("integrations:add_administration", ("eboekhouden",), {"administration": guid})
    assert "The first import has started" in connected.content.decode()
    flow.run_worker()
    connection = Connection.objects.get()
    assert flow.last_run().status == SyncRunStatus.SUCCEEDED
    assert connection.credentials_hint == f"••••{KEY_1[-4:]}"  # no more than the last 4 characters, by design
    assert_credentials_column_is_ciphertext({"api_token": KEY_1}, settings.MONITR_FIELD_ENCRYPTION_KEYS)

    # Alerts the admin follows, which the key's troubles below fire (each told by e-mail, and in the list).
    membership = Membership.objects.get(organization=organization, role="admin")
    for kind in (AlertKind.RECONNECT_NEEDED, AlertKind.SYNC_FAILING, AlertKind.TOTAL_OVERDUE_AMOUNT):
        AlertRule.objects.create(organization=organization, kind=kind, amount=0).followers.add(membership)

    # Sync now, from the card (while sessions end after a few calls: 401, and the client opens new ones) and from
    # the API.
    opened = len(flow.session_tokens)
    eboekhouden_sandbox.set_fault(administration=guid, session_max_calls=5)
    flow.post("integrations:sync_now", (connection.pk,))
    flow.run_worker()
    eboekhouden_sandbox.clear_faults()
    assert flow.last_run().status == SyncRunStatus.SUCCEEDED and len(flow.session_tokens) - opened >= 3
    api = flow.client.post(reverse("api:connection_sync", args=[connection.pk]))
    flow.record("POST api:connection_sync", api)
    assert api.status_code == 202
    flow.run_worker()
    assert SyncRun.objects.filter(status=SyncRunStatus.SUCCEEDED).count() == 3

    # An expired key: the run fails without retrying and the card says Reconnect needed.
    eboekhouden_sandbox.expire_token(guid)
    flow.post("integrations:sync_now", (connection.pk,))
    flow.run_worker()
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.RECONNECT_NEEDED
    assert flow.last_run().error_message == eb_errors.KEY_EXPIRED
    card = flow.get("integrations:category", "accounting").content.decode()
    assert "Reconnect needed" in card
    flow.get("integrations:connection_status", connection.pk)
    assert Notification.objects.filter(kind=AlertKind.RECONNECT_NEEDED).exists()
    # The digest while the key needs reconnecting says so, sent through the worker.
    digests = io.StringIO()
    call_command("send_digests", "--organization", organization.slug, "--now", stdout=digests)
    flow.pages.append(("send_digests output", digests.getvalue()))
    flow.run_worker(sync=False)
    flow.get("notify:notifications")

    # Reconnect with the gear's "update key": the old key is refused now (the password changed), the new one works.
    flow.set_credentials(api_token=KEY_2, api_status="active")
    flow.get("integrations:update_key", connection.pk)
    refused = flow.post("integrations:update_key", (connection.pk,), {"api_key": KEY_1})
    assert eb_errors.KEY_REFUSED in refused.content.decode()
    both = flow.post(
        "integrations:update_key",
        (connection.pk,),
        {"api_key": KEY_2, "username": USERNAME, "security_code_1": CODE_1, "security_code_2": CODE_2},
    )
    assert "not both" in both.content.decode()
    flow.post("integrations:update_key", (connection.pk,), {"api_key": KEY_2})
    flow.run_worker()
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.SUCCEEDED and connection.credentials_hint == f"••••{KEY_2[-4:]}"

    # A burst of 5xx outlasts the client's retries: the run fails, the task retries the whole run, which succeeds.
    eboekhouden_sandbox.set_fault(api="rest", path_prefix="/v1/ledger", error_status=503, error_count=ATTEMPTS)
    flow.post("integrations:sync_now", (connection.pk,))
    flow.run_worker()
    failed, retried = SyncRun.objects.order_by("-pk")[1], flow.last_run()
    assert (failed.status, failed.error_message) == (SyncRunStatus.FAILED, eb_errors.TRANSIENT)
    assert retried.status == SyncRunStatus.SUCCEEDED
    assert any((m["headers"] or {}).get("retries") == 1 for m in flow.celery.published), "the task was retried"

    # Garbled answers (an HTML page with status 200), more than the client asks again for: the run fails.
    eboekhouden_sandbox.set_fault(api="rest", non_json_count=ATTEMPTS, path_prefix="/v1/ledger")
    first = flow.last_run().pk
    flow.post("integrations:sync_now", (connection.pk,))
    flow.run_worker()
    failures = SyncRun.objects.filter(pk__gt=first, status=SyncRunStatus.FAILED).values_list("error_message", flat=True)
    assert set(failures) & {eb_errors.GARBLED, eb_errors.TRANSIENT}, "the garbled answers failed a run"
    eboekhouden_sandbox.clear_faults()

    # Rotate the encryption keys: the column is re-encrypted with the new key, and syncs go on.
    new_key = Fernet.generate_key().decode()
    settings.MONITR_FIELD_ENCRYPTION_KEYS = [new_key, *settings.MONITR_FIELD_ENCRYPTION_KEYS]
    before = encrypted_values()
    output = io.StringIO()
    call_command("rotate_encryption_keys", stdout=output)
    flow.pages.append(("rotate_encryption_keys output", output.getvalue()))
    assert encrypted_values() != before
    assert_credentials_column_is_ciphertext({"api_token": KEY_2}, [new_key])
    flow.post("integrations:sync_now", (connection.pk,))
    flow.run_worker()
    assert flow.last_run().status == SyncRunStatus.SUCCEEDED

    # The legacy SOAP transport: username and both security codes, entered in the update-key form.
    legacy = {"username": USERNAME, "security_code_1": CODE_1, "security_code_2": CODE_2}
    refused = flow.post("integrations:update_key", (connection.pk,), {**legacy, "security_code_1": WRONG_CODE})
    assert eb_errors.SOAP_LOGIN_REFUSED in refused.content.decode()
    flow.post("integrations:update_key", (connection.pk,), legacy)
    flow.run_worker()
    connection.refresh_from_db()
    assert connection.transport == Transport.SOAP and flow.last_run().status == SyncRunStatus.SUCCEEDED
    assert connection.credentials_hint == f"••••{CODE_2[-4:]}"
    assert_credentials_column_is_ciphertext(legacy, [new_key])
    flow.get("integrations:history", connection.pk)
    flow.get("integrations:category", "accounting")
    status = io.StringIO()
    call_command("sync_status", stdout=status)
    assert connection.administration.name in status.getvalue()
    flow.pages.append(("sync_status output", status.getvalue()))
    runs = [
        (f"SyncRun {run.pk}", f"{run.error_message} {run.error_code} {json.dumps(run.counts)} {run.api_calls}")
        for run in SyncRun.objects.all()
    ]
    database_before_removal = list(database_texts())
    # What dumpdata writes holds ciphertext, never the credentials.
    dumped = [("dumpdata", serializers.serialize("json", Connection.objects.all()))]
    (serialized,) = json.loads(dumped[0][1])
    assert json.loads(MultiFernet([Fernet(new_key)]).decrypt(serialized["fields"]["credentials"].encode())) == legacy

    # Remove the connection, then delete the integration (the imported books stay readable).
    flow.get("integrations:remove", connection.pk)
    flow.post("integrations:remove", (connection.pk,))
    flow.get("integrations:delete", "eboekhouden")
    flow.post("integrations:delete", ("eboekhouden",), {"confirm_name": organization.name})
    assert not Connection.objects.exists() and not Integration.objects.exists()

    # Every GET page afterwards, with ids and slugs that exist.
    crawled: list[tuple[str, str]] = []
    values = {
        "int": [
            str(pk)
            for pk in (
                Account.objects.first().pk,
                Transaction.objects.first().pk,
                connection.pk,
                Relation.objects.first().pk,
            )
        ],
        "provider_key": ["eboekhouden"],
        "category": ["accounting"],
        "str": [str(connection.pk)],
        "slug": ["accounting"],
        "statement": ["pnl", "balance-sheet"],
        "table": ["receivables", "payables"],
        "file_format": ["csv", "xlsx"],
    }
    visited = crawl(flow.client, values, seen=lambda url, text: crawled.append((f"GET {url}", text)))
    assert len(visited) > 20

    assert flow.session_tokens, "the sandbox issued sessions"
    assert any(len(t) == 36 for t in flow.session_tokens) and any(len(t) != 36 for t in flow.session_tokens)
    needles = Needles({"API key 1": KEY_1, "API key 2": KEY_2, "wrong key": WRONG_KEY, "wrong code": WRONG_CODE})
    needles.add("security code 1", CODE_1)
    needles.add("security code 2", CODE_2)
    for index, token in enumerate(flow.session_tokens):
        needles.add(f"session token {index}", token)
    # Every e-mail as sent (headers and both parts), every message record's content (encrypted in the database),
    # and every notification as each language reads it.
    assert {MailKind.ALERT, MailKind.DIGEST} <= set(MailMessage.objects.values_list("kind", flat=True))
    assert mail.outbox, "the worker sent the e-mails"
    mails = [(f"e-mail to {m.to}: {m.subject}", m.message().as_string()) for m in mail.outbox]
    records = [
        (f"MailMessage {m.pk}", f"{m.subject} {m.error} {json.dumps(m.content)}") for m in MailMessage.objects.all()
    ]
    told = []
    for language in ("en", "nl"):
        with translation.override(language):
            told += [
                (f"Notification {n.pk} ({language})", f"{n.text()} {n.link} {n.values}")
                for n in Notification.objects.all()
            ]
    leaks = [
        *needles.check("e-mail", mails),
        *needles.check("mail record", records),
        *needles.check("notification", told),
        *needles.check("database", database_before_removal),
        *needles.check("database", database_texts()),
        *needles.check("log", flow.logs.texts()),
        *needles.check("page", flow.pages),
        *needles.check("crawled page", crawled),
        *needles.check("celery", flow.celery.texts()),
        *needles.check("celery task arguments", [(t, repr(a)) for t, a in flow.celery.task_args()]),
        *needles.check("redis", redis_texts() if settings.CELERY_BROKER_URL.startswith("redis") else []),
        *needles.check("sync run", runs),
        *needles.check("serialized", dumped),
    ]
    assert not leaks, "secrets leaked:\n" + "\n".join(sorted(set(leaks)))
    # The capture saw the libraries at DEBUG, the SOAP calls and the worker's thread.
    records = flow.logs.records
    assert any(r.name.startswith("urllib3") and r.levelno == logging.DEBUG for r in records)
    assert any(isinstance(r.msg, dict) and r.msg.get("protocol") == "soap" for r in records)
    assert any(r.name == "integrations.sync.engine" and r.threadName != "MainThread" for r in records)
    syncs = [args for task, args in flow.celery.task_args() if task == "integrations.tasks.sync_connection"]
    assert len(syncs) >= 10
    for args, kwargs in syncs:  # only the id, the trigger and the full flag travel
        assert args[0] == connection.pk and args[1] in SyncTrigger.values and args[2] is False and not kwargs
