"""Reading a month ahead while the month before is written: what it lists and fetches, how it stops, and that the
stream still commits month by month, in order, with a failure of a month read ahead raised only when it is reached."""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest

from eboekhouden.client.dto import Mutation, MutationHeader, MutationType, Unreadable
from eboekhouden.client.rest import RestGateway
from eboekhouden.mapping import header_fingerprint
from eboekhouden.sync.prefetch import WindowPrefetch
from integrations.errors import TransientError
from integrations.models import SyncCursor
from integrations.sync.engine import sync_run_execute
from ledger.models import Transaction
from tests.connections import sync

from .exact import assert_exact

JAN = (dt.date(2025, 1, 1), dt.date(2025, 1, 31))


def header(mutation_id: int, amount: str = "10.00") -> MutationHeader:
    return MutationHeader(
        id=mutation_id, type=MutationType.GENERAL_JOURNAL, date=dt.date(2025, 1, 5), ledger_id=1, amount=Decimal(amount)
    )


def mutation(mutation_id: int) -> Mutation:
    return Mutation(id=mutation_id, type=MutationType.GENERAL_JOURNAL, date=dt.date(2025, 1, 5), ledger_id=1)


class Gateway:
    """Lists the headers it is given and fetches any id, lazily, recording what it fetched and whether the fetch
    was closed."""

    def __init__(self, headers, *, fail_listing: bool = False, fail_at: int | None = None) -> None:
        self.headers, self.fail_listing, self.fail_at = headers, fail_listing, fail_at
        self.fetched: list[int] = []
        self.closed = threading.Event()

    def mutation_headers(self, first, last):
        if self.fail_listing:
            raise TransientError("e-Boekhouden could not be reached.")
        return iter(self.headers)

    def mutations(self, ids):
        try:
            for mutation_id in ids:
                if mutation_id == self.fail_at:
                    raise TransientError("e-Boekhouden could not be reached.")
                self.fetched.append(mutation_id)
                yield mutation(mutation_id)
        finally:
            self.closed.set()


def test_a_window_read_ahead_fetches_only_what_differs_from_what_was_stored():
    unchanged, changed = header(1), header(2, "20.00")
    headers = [unchanged, changed, header(3), Unreadable("mutation", "4", "a date out of range")]
    stored = {"1": header_fingerprint(unchanged), "2": header_fingerprint(header(2))}
    reading = WindowPrefetch(Gateway(headers), *JAN, stored)
    try:
        listed = reading.listed()
        fetched = [m.id for m in reading.details()]
    finally:
        reading.close()

    assert listed.headers == headers
    assert listed.wanted == {2: header_fingerprint(changed), 3: header_fingerprint(header(3))}
    assert listed.unchanged == 1
    assert fetched == [2, 3]


def test_a_window_read_ahead_holds_no_more_than_its_buffer_and_stops_when_closed():
    gateway = Gateway([header(n) for n in range(1, 1001)])
    reading = WindowPrefetch(gateway, *JAN, {}, buffer=5)
    reading.listed()
    time.sleep(0.2)  # the stream is busy with the window before

    assert len(gateway.fetched) <= 5 + 1  # the buffer, and the one waiting to be put
    reading.close()
    assert gateway.closed.is_set() and len(gateway.fetched) <= 6


def test_what_fails_while_reading_ahead_is_raised_when_the_stream_takes_it():
    listing_fails = WindowPrefetch(Gateway([], fail_listing=True), *JAN, {})
    fetch_fails = WindowPrefetch(Gateway([header(1), header(2)], fail_at=2), *JAN, {})
    try:
        with pytest.raises(TransientError):
            listing_fails.listed()
        fetch_fails.listed()
        details = fetch_fails.details()
        assert next(details).id == 1
        with pytest.raises(TransientError):
            next(details)
    finally:
        listing_fails.close()
        fetch_fails.close()


@pytest.mark.django_db(transaction=True)
def test_a_window_whose_listing_fails_ahead_leaves_the_windows_before_committed_and_the_cursor_on_them(
    sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration, monkeypatch
):
    from eboekhouden.sync import streams

    windows: list[tuple[dt.date, dt.date]] = []
    planned = streams.MutationsStream._windows

    def recorded(self, ctx, start):
        windows.extend(planned(self, ctx, start))
        return list(windows)

    original = RestGateway.mutation_headers

    def third_window_fails(self, first, last):
        if (first, last) == windows[2]:
            raise TransientError("e-Boekhouden could not be reached.")
        return original(self, first, last)

    monkeypatch.setattr(streams.MutationsStream, "_windows", recorded)
    monkeypatch.setattr(RestGateway, "mutation_headers", third_window_fails)
    with pytest.raises(TransientError):  # the task retries the run later
        sync_run_execute(connection_id=sandbox_connection.pk, trigger="manual")

    cursor = SyncCursor.objects.get(connection=sandbox_connection, stream="mutations").value
    assert cursor["through"] == windows[1][1].isoformat()  # the second window, committed
    dates = Transaction.objects.filter(administration=sandbox_connection.administration).values_list("date", flat=True)
    assert dates and min(dates) >= windows[0][0] and max(dates) <= windows[1][1]

    monkeypatch.setattr(streams.MutationsStream, "_windows", planned)
    monkeypatch.setattr(RestGateway, "mutation_headers", original)
    sync(sandbox_connection)
    assert_exact(sandbox_connection, eboekhouden_sandbox, eboekhouden_sandbox_administration.guid)


class RoundGateway(Gateway):
    """Two in flight at a time; with ``gated``, each detail arrives only when the test lets it."""

    parallelism = 2

    def __init__(self, headers, *, gated: bool = False, **options) -> None:
        super().__init__(headers, **options)
        self.gate = threading.Semaphore(0) if gated else None

    def mutations(self, ids):
        for mutation in super().mutations(ids):
            if self.gate is not None:
                self.gate.acquire()
            yield mutation


def test_a_window_read_ahead_lists_at_once_but_fetches_once_the_window_before_is_in_its_last_round():
    before = RoundGateway([header(n) for n in range(1, 6)], gated=True)
    earlier = WindowPrefetch(before, *JAN, {})
    after = RoundGateway([header(n) for n in range(11, 14)])
    later = WindowPrefetch(after, *JAN, {}, after=earlier.last_round)
    try:
        assert [h.id for h in later.listed().headers] == [11, 12, 13]
        for _ in range(3):
            before.gate.release()
        details = earlier.details()
        assert [next(details).id for _ in range(3)] == [1, 2, 3]
        time.sleep(0.2)  # two of five still to come: as many as are in flight, so the slots are still the earlier's
        assert not earlier.last_round.is_set() and after.fetched == []

        before.gate.release()  # one to come: a slot is free
        assert earlier.last_round.wait(timeout=5)
        assert [m.id for m in later.details()] == [11, 12, 13]
        before.gate.release()
        assert [m.id for m in details] == [4, 5]
    finally:
        earlier.close()
        later.close()


def test_a_window_read_ahead_does_not_wait_for_a_window_before_that_failed_or_was_closed():
    failed = WindowPrefetch(RoundGateway([], fail_listing=True), *JAN, {})
    closed = WindowPrefetch(RoundGateway([header(n) for n in range(1, 100)]), *JAN, {}, buffer=1)
    after_failed = WindowPrefetch(RoundGateway([header(7)]), *JAN, {}, after=failed.last_round)
    after_closed = WindowPrefetch(RoundGateway([header(8)]), *JAN, {}, after=closed.last_round)
    try:
        closed.listed()
        closed.close()
        assert [m.id for m in after_failed.details()] == [7]
        assert [m.id for m in after_closed.details()] == [8]
    finally:
        for reading in (failed, after_failed, after_closed):
            reading.close()


def test_a_window_waiting_for_its_turn_stops_when_closed():
    waiting_for = threading.Event()  # never set
    gateway = RoundGateway([header(1)])
    reading = WindowPrefetch(gateway, *JAN, {}, after=waiting_for)
    reading.listed()
    reading.close()  # returns: the turn is not waited for once the stream stopped

    assert gateway.fetched == [] and reading.last_round.is_set()
