"""Chaos import: a sync meets a seeded random mix of latency, 5xx, 429 with Retry-After, connection resets,
truncated bodies, HTML pages and sessions that die early, over REST and over the legacy SOAP transport.

Every run either ends exact (the imported tables equal the sandbox's truth, nothing duplicated or lost) or ends
Failed with a clear message, releases its lock, and the next run, without faults, ends exact.
"""

from __future__ import annotations

import pytest

from eboekhouden.client import errors
from eboekhouden.provider import Transport
from integrations.models import Connection, ConnectionStatus, SyncRun, SyncRunStatus
from integrations.sync.engine import sync_run_execute
from tests.connections import connect
from tests.eboekhouden.exact import assert_every_stored_transaction_whole, assert_exact_and_whole

from .chaos import chaos_plan, sync_under_chaos

pytestmark = pytest.mark.django_db(transaction=True)

# What a run that gives up may say: each tells the user what happened and that a later sync tries again.
CLEAR_MESSAGES = {errors.TRANSIENT, errors.RATE_LIMITED, errors.GARBLED}

# CI runs a few seeds of each transport (among them soap-0, whose first run gives up and fails); make test-full
# runs 60 of each.
CI_SEEDS = {Transport.REST: range(4), Transport.SOAP: range(2)}
FULL_SEEDS = {Transport.REST: range(4, 60), Transport.SOAP: range(2, 60)}


def _cases(seeds):
    return [(transport, seed) for transport, chosen in seeds.items() for seed in chosen]


def check_chaos_run(organization, sandbox, info, transport: str, seed: int) -> None:
    connection = connect(organization, info, transport=transport)
    plan = chaos_plan(seed, transport)

    result = sync_under_chaos(sandbox, info.guid, connection.pk, plan, transport)

    connection.refresh_from_db()
    assert connection.sync_lock == "", "the lock was released"
    context = f"seed {seed} {transport}: {plan.describe()} fired={result.fired}"
    assert sum(result.fired.values()) > 0, context
    if result.run.status == SyncRunStatus.SUCCEEDED:
        assert result.error is None, context
        assert_exact_and_whole(connection, sandbox, info.guid)
    else:
        assert result.run.status == SyncRunStatus.FAILED, context
        assert result.run.error_message in CLEAR_MESSAGES, (result.run.error_message, context)
        assert connection.status == ConnectionStatus.FAILED, context  # never "Reconnect needed": the key works
        assert_every_stored_transaction_whole(connection, sandbox, info.guid)
        for secret in (info.api_token, info.security_code_1, info.security_code_2):
            assert secret not in result.run.error_message

    # The next run, without faults, ends exact and whole ...
    outcome = sync_run_execute(connection_id=connection.pk, trigger="manual")
    assert outcome.status == SyncRunStatus.SUCCEEDED, (outcome.message, context)
    assert_exact_and_whole(connection, sandbox, info.guid)
    # ... and one more finds nothing left to change: nothing was lost or doubled on the way.
    if result.run.status == SyncRunStatus.SUCCEEDED:
        counts = SyncRun.objects.get(pk=outcome.run_id).counts["mutations"]
        assert counts["new"] == counts["changed"] == counts["deleted"] == 0, (counts, context)
    assert SyncRun.objects.filter(connection=connection, status=SyncRunStatus.RUNNING).count() == 0
    assert Connection.objects.get(pk=connection.pk).status == ConnectionStatus.SUCCEEDED


@pytest.mark.parametrize(("transport", "seed"), _cases(CI_SEEDS))
def test_a_sync_under_seeded_chaos_ends_exact_or_fails_clearly_then_ends_exact(
    organization, sandbox_settings, eboekhouden_sandbox, eboekhouden_sandbox_administration, transport, seed
):
    check_chaos_run(organization, eboekhouden_sandbox, eboekhouden_sandbox_administration, transport, seed)


@pytest.mark.slow
@pytest.mark.parametrize(("transport", "seed"), _cases(FULL_SEEDS))
def test_many_seeds_of_chaos(
    organization, sandbox_settings, eboekhouden_sandbox, eboekhouden_sandbox_administration, transport, seed
):
    check_chaos_run(organization, eboekhouden_sandbox, eboekhouden_sandbox_administration, transport, seed)
