"""The REST gateway's concurrent detail fetch: its connection pool, its parallelism over real sockets, vanished
mutations and the fetch threads it keeps for a run. (The limiter and the fetch themselves: tests/integrations/http.)"""

from __future__ import annotations

import asyncio

import urllib3

from eboekhouden.client.rest import RestGateway
from integrations.http.aio import process_loop
from integrations.http.transport import new_async_sender

from .conftest import BASE, session_answer
from .fake_server import FakeRest


def test_the_rest_fetch_holds_as_many_connections_as_threads(make_client):
    client = make_client(max_parallel=6)

    pool = client.transport.session.connection_from_url(BASE)

    assert pool.pool.maxsize == 6


def test_the_rest_fetch_keeps_to_its_parallelism_over_real_sockets(fast_retry):
    from eboekhouden.client import ApiTokenCredentials
    from eboekhouden.client.rest import RestClient

    with FakeRest(delay=0.02) as fake:
        gateway = RestGateway(
            RestClient(ApiTokenCredentials("t" * 20), base_url=fake.url, max_parallel=3, retry=fast_retry)
        )
        fetched = sorted(m.id for m in gateway.mutations(range(1, 31)))

    assert fetched == list(range(1, 31))
    assert fake.peak == 3


def test_a_vanished_mutation_is_skipped_and_the_rest_arrive(gateway, mocked):
    for mutation_id in (1, 3):
        mocked.get(f"{BASE}/v1/mutation/{mutation_id}", json={"id": mutation_id, "type": 7, "date": "2025-01-01"})
    mocked.get(f"{BASE}/v1/mutation/2", status=404, json={"code": "MUT_300", "title": "Mutation not found."})

    assert sorted(m.id for m in gateway.mutations([1, 2, 3])) == [1, 3]


def test_the_rest_gateways_fetch_on_the_processs_loop_and_close_their_connections_there(gateway, mocked):
    for mutation_id in (1, 2, 3):
        mocked.get(f"{BASE}/v1/mutation/{mutation_id}", json={"id": mutation_id, "type": 7, "date": "2025-01-01"})
    other = RestGateway(gateway.client)

    list(gateway.mutations([1, 2]))
    loop = gateway._loop.loop
    list(gateway.mutations([3]))

    assert other._loop is gateway._loop is process_loop() and loop.is_running()
    assert gateway._executor is None  # the details went out from the loop, not from threads
    sender = gateway.client.transport.async_sender
    closed_on = []
    close = sender.close

    async def closing() -> None:
        closed_on.append(asyncio.get_running_loop())
        await close()

    sender.close = closing
    gateway.close()
    # Its connections were closed on the loop, which goes on for the process's other clients.
    assert closed_on == [loop] and loop.is_running() and not loop.is_closed()


def test_a_client_on_a_pool_it_was_handed_fetches_on_threads_kept_for_the_run(make_client, mocked):
    mocked.post(f"{BASE}/v1/session", json=session_answer())
    mocked.delete(f"{BASE}/v1/session", status=204)
    for mutation_id in (1, 2, 3):
        mocked.get(f"{BASE}/v1/mutation/{mutation_id}", json={"id": mutation_id, "type": 7, "date": "2025-01-01"})
    gateway = RestGateway(make_client(pool=urllib3.PoolManager()))

    assert sorted(m.id for m in gateway.mutations([1, 2])) == [1, 2]
    pool = gateway._executor
    list(gateway.mutations([3]))

    assert pool is not None and gateway._executor is pool
    assert gateway.client.transport.async_sender is None  # nothing of it went out on the loop
    gateway.close()
    assert gateway._executor is None


def test_behind_a_socks_proxy_there_is_no_async_sender_and_the_details_go_out_on_threads(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "socks5://127.0.0.1:1080")
    assert new_async_sender(4, base_url=BASE) is None

    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    sender = new_async_sender(4, base_url=BASE)
    assert sender is not None and sender.proxy == "http://proxy.example:3128"
