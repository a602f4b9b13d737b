"""Garbled answers from e-Boekhouden (the sandbox's truncate and non_json faults, fields of the wrong JSON type): the
sync ends in a Failed run that says so in words, the card shows it, and nothing crashes. Wrong types that still read
as text (a number for a name, a null) are imported as text."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from integrations.models import ConnectionStatus, SyncRun, SyncRunStatus
from integrations.sync.engine import sync_run_execute
from ledger.models import Relation
from tests.connections import connect

pytestmark = pytest.mark.django_db(transaction=True)

UNREADABLE = "e-Boekhouden sent an answer Monitr could not read"


def _relation_id(sandbox, guid):
    return sandbox.outstanding(guid, "D")[0]["relationId"]


FAILING = {
    # Retried by the client, then given up on: more broken answers than it retries.
    "truncated relations": lambda s, g: s.set_fault(administration=g, path_prefix="/v1/relation", truncate_count=100),
    "HTML instead of JSON": lambda s, g: s.set_fault(administration=g, path_prefix="/v1/ledger", non_json_count=100),
    "truncated mutation details": lambda s, g: s.set_fault(
        administration=g, path_prefix="/v1/mutation/", truncate_count=1_000
    ),
    "a list for a name": lambda s, g: s.edit_relation(g, _relation_id(s, g), {"name": ["a", {"b": 1}]}),
}
READABLE = {
    "a number for a name": (12345, "12345"),
    "null for a name": (None, "the relation's code"),  # a relation without a name is shown by its code
}


def sync(connection) -> SyncRun:
    try:
        outcome = sync_run_execute(connection_id=connection.pk, trigger="manual")
    except Exception as error:  # a retryable error is raised for the task to retry, after it was recorded
        assert type(error).__module__.startswith(("integrations", "eboekhouden")), repr(error)
        return SyncRun.objects.filter(connection=connection).latest("started_at")
    return SyncRun.objects.get(pk=outcome.run_id)


@pytest.mark.parametrize("case", FAILING)
def test_a_garbled_answer_is_a_clear_failed_run(
    case, organization, admin_user, sandbox_settings, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    FAILING[case](eboekhouden_sandbox, eboekhouden_sandbox_administration.guid)
    connection = connect(organization, eboekhouden_sandbox_administration)

    run = sync(connection)

    assert run.status == SyncRunStatus.FAILED
    assert UNREADABLE in run.error_message
    assert "Traceback" not in run.error_message and "{" not in run.error_message
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.FAILED
    client = Client()
    client.force_login(admin_user)
    card = client.get(reverse("integrations:category", args=["accounting"]))
    assert card.status_code == 200
    assert UNREADABLE in card.content.decode()
    history = client.get(reverse("integrations:history", args=[connection.pk]))
    assert history.status_code == 200


@pytest.mark.parametrize("case", READABLE)
def test_a_wrong_type_that_reads_as_text_is_imported(
    case, organization, sandbox_settings, eboekhouden_sandbox, eboekhouden_sandbox_administration
):
    sent, kept = READABLE[case]
    guid = eboekhouden_sandbox_administration.guid
    item = eboekhouden_sandbox.outstanding(guid, "D")[0]
    relation_id = item["relationId"]
    kept = item["relationCode"] if kept == "the relation's code" else kept
    eboekhouden_sandbox.edit_relation(guid, relation_id, {"name": sent})
    connection = connect(organization, eboekhouden_sandbox_administration)

    run = sync(connection)

    assert run.status == SyncRunStatus.SUCCEEDED, run.error_message
    assert Relation.objects.get(administration=connection.administration, external_id=str(relation_id)).name == kept
