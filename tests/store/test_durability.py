"""Accepted means durable where replicas exist: a recorded call waits for one replica."""

import signal

import pytest

from perezvon.local_redis import LocalSentinelSet
from store import Store, connect
from store.crypto import SecretBox
from store.durability import Ack, Replication, marker_key, slot_tag
from store.errors import NotReplicated
from store.pbx_calls import Judged, MissedRule, Step

TEST_SECRET = "test-secret-key-not-for-production"


@pytest.mark.parametrize(
    "key,tag",
    [("pz:{t1}:calls", "t1"), ("pz:intake", "pz:intake"), ("{x}{y}", "x"), ("a{}b", None)],
)
def test_the_marker_shares_the_slot_of_the_key(key, tag):
    if tag is None:
        with pytest.raises(ValueError):
            marker_key(key)
        return
    assert slot_tag(key) == tag
    assert slot_tag(marker_key(key)) == tag


async def test_confirm_waits_for_a_replica_only_where_there_is_one(redis, redis_backend):
    replication = Replication(redis, wait_ms=2000)
    await redis.set("pz:{t1}:calls", "x")
    expected = Ack.ACKNOWLEDGED if redis_backend == "sentinel" else Ack.NO_REPLICA
    assert await replication.confirm("pz:{t1}:calls") == expected


@pytest.fixture
def paused_replica():
    """A primary whose replica is stopped (SIGSTOP): WAIT cannot be satisfied."""
    servers = LocalSentinelSet().start()
    try:
        yield servers
    finally:
        servers.signal_replicas(signal.SIGCONT)
        servers.stop()


async def test_a_replica_that_does_not_answer_means_not_accepted_until_it_does(
    paused_replica, caplog
):
    redis = connect(paused_replica.url)
    try:
        replication = Replication(redis, wait_ms=200)
        store = Store(redis, SecretBox(TEST_SECRET), replication=replication)
        await store.migrate()
        tenant, _ = await store.tenants.create("A", "UTC", "ru")
        assert await replication.replicas() == 1
        paused_replica.signal_replicas(signal.SIGSTOP)
        with pytest.raises(NotReplicated):
            await store.calls.record(tenant.id, "c1", "default", "{}")
        assert replication.timeouts == 1 and replication.lagging
        # Recorded on the primary; the PBX's retry is a duplicate that must wait as well.
        assert (await store.calls.get(tenant.id, "c1")) is not None
        with pytest.raises(NotReplicated):
            await store.calls.record(tenant.id, "c1", "default", "{}")
        assert "no replica acknowledged within 200 ms" in caplog.text
        paused_replica.signal_replicas(signal.SIGCONT)
        assert not await store.calls.record(tenant.id, "c1", "default", "{}")
        assert not replication.lagging
    finally:
        await redis.aclose()


async def _unpaused(paused_replica, attempt):
    """`attempt()` once the replica runs again and has caught up (WAIT may need a moment)."""
    paused_replica.signal_replicas(signal.SIGCONT)
    for _ in range(50):
        try:
            return await attempt()
        except NotReplicated:
            continue
    raise AssertionError("the replica never caught up")


async def test_a_missed_call_the_fold_records_waits_for_a_replica_as_well(paused_replica):
    redis = connect(paused_replica.url)
    try:
        replication = Replication(redis, wait_ms=200)
        store = Store(redis, SecretBox(TEST_SECRET), replication=replication)
        await store.migrate()
        tenant, _ = await store.tenants.create("A", "UTC", "ru")
        rule = MissedRule(kind=("type", "in"), unless="up", caller=("from",))
        end = Step("v:1", {"type": "in", "from": "111"}, final=True, missed=rule)
        assert await replication.replicas() == 1
        paused_replica.signal_replicas(signal.SIGSTOP)
        with pytest.raises(NotReplicated):
            await store.pbx_calls.fold(tenant.id, end)
        # Recorded on the primary, not yet safe: the vendor's retry waits again.
        assert (await store.calls.get(tenant.id, "v:1")) is not None
        with pytest.raises(NotReplicated):
            await store.pbx_calls.fold(tenant.id, end)
        folded = await _unpaused(paused_replica, lambda: store.pbx_calls.fold(tenant.id, end))
        assert folded.judged is Judged.DUPLICATE and not replication.lagging
    finally:
        await redis.aclose()
