"""The API key, once entered, appears in no page, log record, task argument, SyncRun or database column but the
encrypted one: through connecting, syncing, a refused key and a key update."""

from __future__ import annotations

import logging

import pytest
from django.core import serializers
from django.db import connection as db
from django.test import Client
from django.urls import reverse

from integrations.models import Connection, SyncRun
from monitr.celery import app as celery_app

pytestmark = pytest.mark.django_db(transaction=True)


def every_column_except_the_encrypted_one() -> str:
    dump = []
    with db.cursor() as cursor:
        for table in db.introspection.table_names():
            cursor.execute(f"SELECT * FROM {db.ops.quote_name(table)}")  # noqa: S608 - table names from introspection
            columns = [c[0] for c in cursor.description]
            for row in cursor.fetchall():
                dump.extend(
                    str(v)
                    for c, v in zip(columns, row, strict=True)
                    if not (table == "integrations_connection" and c == "credentials")
                )
    return "\n".join(dump)


def test_the_key_never_leaks(
    admin_user, sandbox_settings, eboekhouden_sandbox, eboekhouden_sandbox_administration, caplog, monkeypatch
):
    caplog.set_level(logging.DEBUG)
    info = eboekhouden_sandbox_administration
    sent_tasks = []
    original_apply_async = celery_app.Task.apply_async

    def record(task, args=None, kwargs=None, **options):
        sent_tasks.append(repr((args, kwargs)))
        return original_apply_async(task, args, kwargs, **options)

    monkeypatch.setattr(celery_app.Task, "apply_async", record)
    celery_app.conf.task_always_eager = True
    browser = Client()
    browser.force_login(admin_user)
    pages = []
    try:
        pages.append(
            browser.post(reverse("integrations:add", args=["eboekhouden"]), {"api_key": info.api_token}, follow=True)
        )
        pages.append(
            browser.post(
                reverse("integrations:add_administration", args=["eboekhouden"]),
                {"administration": info.guid},
                follow=True,
            )
        )
        connection = Connection.objects.get()
        rotated = eboekhouden_sandbox.rotate_token(info.guid)
        pages.append(browser.post(reverse("integrations:sync_now", args=[connection.pk]), follow=True))
        pages.append(
            browser.post(reverse("integrations:update_key", args=[connection.pk]), {"api_key": "X" * 40}, follow=True)
        )
        pages.append(
            browser.post(
                reverse("integrations:update_key", args=[connection.pk]), {"api_key": rotated.api_token}, follow=True
            )
        )
        pages.append(browser.get(reverse("integrations:history", args=[connection.pk])))
        pages.append(browser.get(reverse("integrations:connection_status", args=[connection.pk])))
    finally:
        celery_app.conf.task_always_eager = False

    assert SyncRun.objects.filter(status="succeeded").count() == 2  # the first import and the one after the update
    for key in (info.api_token, rotated.api_token):
        for page in pages:
            assert key not in page.content.decode()
        for record_ in caplog.records:
            assert key not in record_.getMessage() and key not in repr(record_.msg)
        assert not any(key in task for task in sent_tasks)
        for run in SyncRun.objects.all():
            assert key not in f"{run.error_message} {run.error_code} {run.counts} {run.api_calls}"
        assert key not in every_column_except_the_encrypted_one()
        assert key not in serializers.serialize("json", Connection.objects.all())
    assert sent_tasks, "the syncs went through Celery"
