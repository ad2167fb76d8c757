"""Optimistic transactions (store/_tx.py) on every backend, and on a Cluster without threads."""

from __future__ import annotations

import threading

import pytest
from redis.asyncio import Redis

from store import connect
from store._tx import atomically
from store.client import GatedCluster


async def _incr(redis: Redis, key: str) -> int:
    async def body(pipe) -> int:
        value = int(await pipe.get(key) or 0) + 1
        pipe.multi()
        pipe.set(key, str(value))
        return value

    return await atomically(redis, [key], body)


async def test_a_transaction_reads_and_writes_one_slot(redis: Redis):
    assert [await _incr(redis, "pz:{t1}:n") for _ in range(3)] == [1, 2, 3]
    assert await redis.get("pz:{t1}:n") == "3"


@pytest.fixture
async def cluster(cluster_url: str):
    client = connect(cluster_url)
    assert isinstance(client, GatedCluster)
    await client.flushdb()
    yield client
    await client.aclose()


async def test_on_a_cluster_no_command_runs_in_a_thread_of_its_own(cluster, monkeypatch):
    # redis-py's cluster transaction runs each command after WATCH on a private loop in a new
    # thread, blocking the event loop for the round trip; ours goes to the slot's master.
    started: list[threading.Thread] = []
    original = threading.Thread.start

    def counting(thread: threading.Thread) -> None:
        started.append(thread)
        original(thread)

    monkeypatch.setattr(threading.Thread, "start", counting)
    for tenant in range(6):  # keys of several slots, on every master
        assert await _incr(cluster, f"pz:{{t{tenant}}}:n") == 1
    assert started == []


async def test_a_slot_served_elsewhere_is_found_again(cluster):
    # The client kept for a slot's master is stale (the slot moved): MOVED, the map is read
    # again, and the transaction is retried on the right master, once.
    key = "pz:{t1}:n"
    right = await cluster.transaction_client(key)
    others = [n for n in cluster.get_primaries() if n.name != _name(right)]
    wrong = Redis(host=others[0].host, port=others[0].port, decode_responses=True)
    node = cluster.nodes_manager.get_node_from_slot(cluster.keyslot(key), False)
    cluster._tx_clients[node.name] = wrong
    assert await _incr(cluster, key) == 1
    assert await cluster.get(key) == "1"
    assert await cluster.transaction_client(key) is not wrong  # dropped (and closed)


def _name(client: Redis) -> str:
    kwargs = client.connection_pool.connection_kwargs
    return f"{kwargs['host']}:{kwargs['port']}"
