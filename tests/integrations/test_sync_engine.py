"""The sync engine: one run per connection at a time, a SyncRun that tells what happened, and the right status."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from integrations.errors import AuthenticationError, CredentialsExpired, TransientError
from integrations.models import Connection, ConnectionStatus, SyncCursor, SyncRun, SyncRunStatus
from integrations.models.connection import INTERRUPTED
from integrations.sync.base import RecordKind, StreamCounts
from integrations.sync.engine import UNEXPECTED, SyncSkipped, sync_run_execute
from integrations.sync.lock import LEASE, Lease, LockLost, lock_acquire, lock_release
from integrations.sync.schedule import AMSTERDAM, next_sync_after

pytestmark = pytest.mark.django_db


def run(connection: Connection, **kwargs):
    return sync_run_execute(connection_id=connection.pk, trigger="manual", **kwargs)


def test_a_successful_run_records_counts_calls_and_success(connection, fake_provider):
    outcome = run(connection)

    connection.refresh_from_db()
    sync = SyncRun.objects.get(pk=outcome.run_id)
    assert outcome.status == sync.status == SyncRunStatus.SUCCEEDED
    assert sync.counts == {
        "ledgers": {"label": "Fake data", "new": 1, "changed": 0, "deleted": 0, "unchanged": 0},
        "mutations": {"label": "Fake data", "new": 1, "changed": 0, "deleted": 0, "unchanged": 0},
    }
    assert sync.api_calls == {"/fake/items": 2}
    assert sync.finished_at is not None
    assert connection.status == ConnectionStatus.SUCCEEDED
    assert connection.last_success_at == sync.finished_at
    assert connection.next_sync_at > connection.last_success_at
    assert connection.administration.__class__.objects.get().last_imported_at == sync.finished_at


def test_streams_run_in_order_and_the_source_is_closed(connection, fake_provider):
    order = []
    for stream in fake_provider.streams:
        stream.behaviour = lambda ctx, name=stream.name: order.append(name) or StreamCounts()

    run(connection)

    assert order == ["ledgers", "mutations"]
    assert fake_provider.sources[-1].closed


def test_streams_get_their_saved_cursor_and_a_full_run_ignores_it(connection, fake_provider):
    SyncCursor.objects.create(connection=connection, stream="mutations", value={"until": "2025-06-30"})

    run(connection)
    run(connection, full=True)

    incremental, full = fake_provider.streams[1].calls
    assert incremental.cursor == {"until": "2025-06-30"} and not incremental.full
    assert full.cursor == {} and full.full


def test_a_stream_saves_its_cursor(connection, fake_provider):
    fake_provider.streams[1].behaviour = lambda ctx: ctx.save_cursor({"until": "2025-07-31"}) or StreamCounts()

    run(connection)

    assert SyncCursor.objects.get(connection=connection, stream="mutations").value == {"until": "2025-07-31"}


def test_a_stream_saves_its_cursor_again_in_place_renewing_the_lease_in_two_statements(connection, fake_provider):
    statements: list[str] = []

    def save_twice(ctx):
        ctx.save_cursor({"until": "2025-07-31"})
        with CaptureQueriesContext(db_connection) as queries:
            ctx.save_cursor({"until": "2025-08-31"})
        statements.extend(query["sql"] for query in queries.captured_queries)
        return StreamCounts()

    fake_provider.streams[1].behaviour = save_twice

    run(connection)

    assert [cursor.value for cursor in SyncCursor.objects.filter(connection=connection, stream="mutations")] == [
        {"until": "2025-08-31"}
    ]
    assert len(statements) == 2  # after every window of a sync
    assert statements[0].startswith("UPDATE") and "sync_lock" in statements[0]  # the lease, fenced by the token
    assert statements[1].startswith("INSERT") and "ON CONFLICT" in statements[1]


def test_a_refused_key_needs_a_reconnect_and_is_not_retried(connection, fake_provider):
    def refuse(ctx):
        raise AuthenticationError("The key was refused. Copy a new one.")

    fake_provider.streams[0].behaviour = refuse

    outcome = run(connection)

    connection.refresh_from_db()
    assert outcome.status == SyncRunStatus.FAILED
    assert connection.status == ConnectionStatus.RECONNECT_NEEDED
    assert connection.status_message == "The key was refused. Copy a new one."
    assert SyncRun.objects.get(pk=outcome.run_id).error_message == "The key was refused. Copy a new one."


def test_a_connection_that_needs_a_reconnect_is_not_synced_again(connection, fake_provider):
    fake_provider.streams[0].behaviour = lambda ctx: (_ for _ in ()).throw(CredentialsExpired())
    run(connection)

    outcome = run(connection)

    assert outcome.status == SyncRunStatus.SKIPPED
    assert SyncRun.objects.count() == 1


def test_a_transient_error_fails_the_run_and_is_raised_for_a_retry(connection, fake_provider):
    fake_provider.streams[1].behaviour = lambda ctx: (_ for _ in ()).throw(TransientError())

    with pytest.raises(TransientError):
        run(connection)

    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.FAILED
    assert SyncRun.objects.get().status == SyncRunStatus.FAILED
    assert connection.sync_lock == ""  # released for the retry


def test_an_unexpected_error_fails_with_a_plain_message_and_no_details(connection, fake_provider):
    fake_provider.streams[0].behaviour = lambda ctx: 1 / 0

    outcome = run(connection)

    connection.refresh_from_db()
    assert outcome.status == SyncRunStatus.FAILED
    assert connection.status_message == UNEXPECTED
    assert "ZeroDivision" not in SyncRun.objects.get().error_message


def test_a_second_trigger_while_one_runs_is_skipped(connection, fake_provider):
    def second_trigger(ctx):
        with pytest.raises(SyncSkipped, match="already running"):
            run(connection)
        return StreamCounts()

    fake_provider.streams[0].behaviour = second_trigger

    run(connection)

    assert SyncRun.objects.count() == 1


def test_progress_is_written_to_the_run_while_a_stream_works(connection, fake_provider):
    seen = {}

    def work(ctx):
        ctx.progress(40, 100)
        seen.update(SyncRun.objects.values("stream", "stream_label", "progress_done", "progress_total").get())
        return StreamCounts()

    fake_provider.streams[1].behaviour = work
    fake_provider.streams[1].label = "Journal entries"

    run(connection)

    assert seen == {
        "stream": "mutations",
        "stream_label": "Journal entries",
        "progress_done": 40,
        "progress_total": 100,
    }


def test_each_stream_names_itself_to_the_observers_and_in_the_runs_results(connection, fake_provider):
    fake_provider.streams[0].label = "Chart of accounts"
    fake_provider.streams[1].label = "Journal entries"
    fake_provider.streams[1].behaviour = lambda ctx: ctx.progress(1, 2) or StreamCounts(changed=2)
    started, steps = [], []

    outcome = run(
        connection,
        observer=lambda stream, done, total: steps.append((stream, done, total)),
        stream_observer=lambda stream, label: started.append((stream, label)),
    )

    assert started == [("ledgers", "Chart of accounts"), ("mutations", "Journal entries")]
    assert steps == [("mutations", 1, 2)]
    results = SyncRun.objects.get(pk=outcome.run_id).stream_results
    assert [(r.name, r.label, r.counts["changed"]) for r in results] == [
        ("ledgers", "Chart of accounts", 0),
        ("mutations", "Journal entries", 2),
    ]


def test_the_run_never_sees_a_connection_status_other_than_in_progress_while_running(connection, fake_provider):
    statuses = []
    fake_provider.streams[0].behaviour = lambda ctx: (
        statuses.append(Connection.objects.get(pk=connection.pk).status) or StreamCounts()
    )

    run(connection)

    assert statuses == [ConnectionStatus.IN_PROGRESS]


class TestLock:
    def test_only_one_holder_at_a_time(self, connection):
        first = lock_acquire(connection_id=connection.pk)

        assert first is not None
        assert lock_acquire(connection_id=connection.pk) is None
        lock_release(connection_id=connection.pk, token=first)
        assert lock_acquire(connection_id=connection.pk) is not None

    def test_a_lease_left_by_a_dead_worker_expires(self, connection):
        lock_acquire(connection_id=connection.pk)

        with time_machine.travel(timezone.now() + LEASE + dt.timedelta(seconds=1)):
            assert lock_acquire(connection_id=connection.pk) is not None

    def test_the_lease_comes_from_the_settings(self, connection, settings):
        settings.MONITR_SYNC_LOCK_LEASE_SECONDS = 20
        lock_acquire(connection_id=connection.pk)

        with time_machine.travel(timezone.now() + dt.timedelta(seconds=15)):
            assert lock_acquire(connection_id=connection.pk) is None
        with time_machine.travel(timezone.now() + dt.timedelta(seconds=21)):
            assert lock_acquire(connection_id=connection.pk) is not None

    def test_releasing_with_a_stale_token_leaves_the_new_holder_alone(self, connection):
        stale = lock_acquire(connection_id=connection.pk)
        with time_machine.travel(timezone.now() + LEASE + dt.timedelta(seconds=1)):
            fresh = lock_acquire(connection_id=connection.pk)
            lock_release(connection_id=connection.pk, token=stale)

            assert Connection.objects.get(pk=connection.pk).sync_lock == fresh


class TestSchedule:
    @pytest.mark.parametrize(
        ("local", "expected"),
        [
            ("2026-03-10 23:59", "2026-03-11 00:00"),
            ("2026-03-11 00:00", "2026-03-11 05:00"),
            ("2026-03-11 04:00", "2026-03-11 05:00"),
            ("2026-03-11 05:00", "2026-03-12 00:00"),
            ("2026-03-28 12:00", "2026-03-29 00:00"),  # the night the clocks go forward
        ],
    )
    def test_next_sync_is_the_next_configured_local_time(self, local, expected):
        moment = dt.datetime.fromisoformat(local).replace(tzinfo=AMSTERDAM)

        assert next_sync_after(moment) == dt.datetime.fromisoformat(expected).replace(tzinfo=AMSTERDAM)

    def test_the_times_come_from_the_settings(self, settings):
        settings.MONITR_SYNC_TIMES = ["13:30"]
        moment = dt.datetime(2026, 3, 11, 14, 0, tzinfo=AMSTERDAM)

        assert next_sync_after(moment) == dt.datetime(2026, 3, 12, 13, 30, tzinfo=AMSTERDAM)


def test_a_run_left_running_by_a_dead_worker_is_closed_when_the_next_one_starts(connection, fake_provider):
    stale = SyncRun.objects.create(connection=connection, administration=connection.administration, trigger="manual")
    Connection.objects.filter(pk=connection.pk).update(status=ConnectionStatus.IN_PROGRESS)

    run(connection)

    stale.refresh_from_db()
    assert stale.status == SyncRunStatus.FAILED and stale.error_code == "interrupted"
    assert SyncRun.objects.filter(status=SyncRunStatus.SUCCEEDED).count() == 1


def test_sync_now_is_possible_again_once_a_dead_runs_lease_expired(connection):
    Connection.objects.filter(pk=connection.pk).update(status=ConnectionStatus.IN_PROGRESS)
    lock_acquire(connection_id=connection.pk)
    assert not Connection.objects.get(pk=connection.pk).can_sync

    with time_machine.travel(timezone.now() + LEASE + dt.timedelta(seconds=1)):
        assert Connection.objects.get(pk=connection.pk).can_sync


class TestALostLock:
    """A run whose lease ran out while it stalled, and that another run took over, writes nothing onto the
    connection: its status, schedule and last success stay those of the run that holds the lock."""

    def take_over(self, connection, fake_provider, settings, then):
        """While the first run's first stream works, its lease runs out and a second run starts and succeeds; the
        first run's second stream then does ``then``."""
        settings.MONITR_SYNC_LOCK_LEASE_SECONDS = 60
        seen = {}

        def stalled(ctx):
            if "first_run" not in seen:
                seen["first_run"] = SyncRun.objects.get(status=SyncRunStatus.RUNNING).pk
                with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
                    seen["second"] = run(connection)
            return StreamCounts()

        def second_stream(ctx):
            if "second" not in seen:  # the second run, nested in the first's first stream
                return StreamCounts()
            return then(ctx)

        fake_provider.streams[0].behaviour = stalled
        fake_provider.streams[1].behaviour = second_stream
        return seen

    @pytest.mark.parametrize(
        "ending",
        [
            pytest.param(TransientError("api down"), id="fails-transiently"),
            pytest.param(RuntimeError("bug"), id="crashes"),
            pytest.param(None, id="succeeds"),
        ],
    )
    def test_the_old_run_stops_without_writing_the_connections_status(
        self, connection, fake_provider, settings, ending
    ):
        def then(ctx):
            if ending is not None:
                raise ending
            return StreamCounts(new=1)

        seen = self.take_over(connection, fake_provider, settings, then)

        outcome = run(connection)  # no error raised for a retry either: the run that holds the lock is in charge

        second = SyncRun.objects.get(pk=seen["second"].run_id)
        first = SyncRun.objects.get(pk=seen["first_run"])
        connection.refresh_from_db()
        assert seen["second"].status == second.status == SyncRunStatus.SUCCEEDED
        assert (outcome.run_id, outcome.status, outcome.message) == (first.pk, SyncRunStatus.FAILED, INTERRUPTED)
        assert (first.status, first.error_code) == (SyncRunStatus.FAILED, "interrupted")
        assert connection.status == ConnectionStatus.SUCCEEDED and connection.status_message == ""
        assert connection.last_success_at == second.finished_at
        assert connection.next_sync_at == next_sync_after(second.finished_at, connection.pk)
        assert connection.sync_lock == ""

    def test_progress_after_the_lock_was_lost_stops_the_run(self, connection, fake_provider, settings):
        def then(ctx):
            ctx.progress(1, 10)  # a new total is written at once, renewing the lease: it is gone
            raise AssertionError("the run went on after losing its lock")

        self.take_over(connection, fake_provider, settings, then)

        outcome = run(connection)

        assert outcome.message == INTERRUPTED
        assert Connection.objects.get(pk=connection.pk).status == ConnectionStatus.SUCCEEDED


class TestWaitingKeepsTheLease:
    def test_a_wait_longer_than_the_lease_renews_it_and_keeps_other_runs_out(self, connection, fake_provider, settings):
        settings.MONITR_SYNC_LOCK_LEASE_SECONDS = 1
        seen = {}

        def waits(ctx):
            started = timezone.now()
            fake_provider.sources[-1].wait(1.6)  # a Retry-After longer than the lease
            seen["expires_at"] = Connection.objects.get(pk=connection.pk).sync_lock_expires_at
            seen["other"] = lock_acquire(connection_id=connection.pk)
            seen["waited"] = timezone.now() - started
            return StreamCounts()

        fake_provider.streams[0].behaviour = waits

        outcome = run(connection)

        assert outcome.status == SyncRunStatus.SUCCEEDED
        assert seen["waited"] >= dt.timedelta(seconds=1.6)
        assert seen["expires_at"] > timezone.now() - dt.timedelta(seconds=1)  # renewed during the wait
        assert seen["other"] is None

    def test_a_wait_of_a_run_that_lost_its_lock_stops_it(self, connection, fake_provider, settings):
        settings.MONITR_SYNC_LOCK_LEASE_SECONDS = 1

        def waits(ctx):
            Connection.objects.filter(pk=connection.pk).update(sync_lock="taken-by-another-run")
            fake_provider.sources[-1].wait(60)  # renews within a third of the lease, and finds it taken
            raise AssertionError("the wait went on after the lock was lost")

        fake_provider.streams[0].behaviour = waits

        outcome = run(connection)

        assert outcome.message == INTERRUPTED
        connection.refresh_from_db()
        # Left as it was when the lock was lost (the run that took it writes it): not Failed, no message.
        assert (connection.status, connection.status_message) == (ConnectionStatus.IN_PROGRESS, "")
        assert connection.sync_lock == "taken-by-another-run"


@pytest.mark.django_db(transaction=True)  # a fetch thread has a database connection of its own
def test_a_wait_in_a_fetch_thread_renews_the_lease_and_closes_that_threads_database_connection(connection, settings):
    settings.MONITR_SYNC_LOCK_LEASE_SECONDS = 1
    lease = Lease(connection.pk, lock_acquire(connection_id=connection.pk))
    taken_at = Connection.objects.get(pk=connection.pk).sync_lock_expires_at
    seen = {}

    def fetch_thread():
        try:
            lease.wait(0.5)
            seen["open"] = db_connection.connection is not None
            Connection.objects.filter(pk=connection.pk).update(sync_lock="taken-by-another-run")
            lease.wait(0.5)
        except LockLost:
            seen["lost"] = True
        finally:
            db_connection.close()

    thread = threading.Thread(target=fetch_thread)
    thread.start()
    thread.join(timeout=10)

    assert seen == {"open": False, "lost": True}
    assert Connection.objects.get(pk=connection.pk).sync_lock_expires_at > taken_at + dt.timedelta(seconds=0.3)


def test_a_stream_that_says_what_it_writes_has_that_kind_beside_its_counts(connection, fake_provider):
    fake_provider.streams[0].records = RecordKind.ACCOUNTS

    outcome = run(connection)

    counts = SyncRun.objects.get(pk=outcome.run_id).counts
    assert counts["ledgers"]["records"] == "accounts"
    assert "records" not in counts["mutations"]


def test_a_finished_run_is_announced_once_committed_and_a_failing_receiver_fails_nothing(
    connection, fake_provider, django_capture_on_commit_callbacks
):
    from integrations.signals import sync_finished
    from ledger.signals import books_imported

    heard: list[tuple[str, object]] = []

    def on_finished(*, run, **_):
        heard.append(("finished", run.status))

    def on_imported(*, administration, **_):
        heard.append(("imported", administration.pk))
        raise RuntimeError("a receiver that fails")

    sync_finished.connect(on_finished, dispatch_uid="test-finished")
    books_imported.connect(on_imported, dispatch_uid="test-imported")
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            outcome = run(connection)
        assert heard == []  # nothing is told before the outcome is committed
        for callback in callbacks:
            callback()
        assert heard == [("finished", SyncRunStatus.SUCCEEDED), ("imported", connection.administration_id)]
        assert SyncRun.objects.get(pk=outcome.run_id).status == SyncRunStatus.SUCCEEDED

        # A failed run is told to the listeners of runs, not as imported books.
        heard.clear()
        fake_provider.streams[0].behaviour = lambda ctx: (_ for _ in ()).throw(AuthenticationError("Refused."))
        with django_capture_on_commit_callbacks(execute=True):
            run(connection)
        assert heard == [("finished", SyncRunStatus.FAILED)]
    finally:
        sync_finished.disconnect(dispatch_uid="test-finished")
        books_imported.disconnect(dispatch_uid="test-imported")


@pytest.mark.django_db(transaction=True)  # the receivers run at the commit, as in a worker
def test_the_lock_is_let_go_with_the_runs_outcome_before_the_receivers_run(connection, fake_provider):
    from ledger.signals import books_imported

    locks: list[str] = []

    def on_imported(*, administration, **_):
        locks.append(Connection.objects.get(pk=connection.pk).sync_lock)

    books_imported.connect(on_imported, dispatch_uid="test-lock-free")
    try:
        run(connection)
    finally:
        books_imported.disconnect(dispatch_uid="test-lock-free")
    # While the figures are warmed after a run, a Sync now takes the lock instead of being skipped.
    assert locks == [""]
