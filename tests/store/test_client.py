"""store.connect: every REDIS_URL form, a pool that waits instead of refusing, and connections
that died while idle replaced before a command goes out (real redis-server processes)."""

import asyncio
import socket
import tempfile
from pathlib import Path

import pytest
from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import ConnectionError

from perezvon.embedded_redis import EmbeddedRedis
from store import PoolPolicy, connect
from store.client import describe
from store.redis_url import InvalidRedisUrl, Topology, parse


@pytest.mark.parametrize(
    "url,topology,nodes,service,db",
    [
        ("redis://127.0.0.1:6379/2", Topology.SINGLE, (), None, 0),
        ("rediss://h:6380/0", Topology.SINGLE, (), None, 0),
        ("unix:///run/redis.sock?db=1", Topology.SINGLE, (), None, 0),
        ("redis+sentinel://a:26379,b/pz", Topology.SENTINEL, (("a", 26379), ("b", 26379)), "pz", 0),
        ("redis+sentinel://u:pw@a:1/pz/3", Topology.SENTINEL, (("a", 1),), "pz", 3),
        ("redis+cluster://a:7000,b:7001,[::1]:7002", Topology.CLUSTER,
         (("a", 7000), ("b", 7001), ("::1", 7002)), None, 0),
        ("redis+cluster://a", Topology.CLUSTER, (("a", 6379),), None, 0),
    ],
)  # fmt: skip
def test_urls_name_their_topology(url, topology, nodes, service, db):
    target = parse(url)
    assert (target.topology, target.nodes, target.service, target.db) == (
        topology,
        nodes,
        service,
        db,
    )


def test_sentinel_credentials_are_apart_from_the_servers():
    target = parse("redis+sentinel://app:srv-pw@a:1/pz?sentinel_username=s&sentinel_password=s-pw")
    assert (target.username, target.password) == ("app", "srv-pw")
    assert (target.sentinel_username, target.sentinel_password) == ("s", "s-pw")
    assert "srv-pw" not in repr(target) and "s-pw" not in repr(target)


@pytest.mark.parametrize(
    "url,says",
    [
        ("http://h", "must start with"),
        ("redis+sentinel://a:1", "names the service"),
        ("redis+sentinel://a:1/pz/x", "must be a number"),
        ("redis+sentinel://a:1/pz?db=2", "unknown parameter 'db'"),
        ("redis+cluster://a:1/0", "one database"),
        ("redis+cluster://a:99999", "bad port"),
        ("redis+cluster://", "at least one host"),
        ("redis://a:1,b:2/0", "several hosts"),
        ("redis://:secret-pw@h:x/0", "bad port"),
    ],
)
def test_bad_urls_say_what_to_fix_without_the_password(url, says):
    with pytest.raises(InvalidRedisUrl) as err:
        parse(url)
    assert says in str(err.value)
    assert "secret-pw" not in str(err.value)


@pytest.fixture
def server():
    with tempfile.TemporaryDirectory(prefix="pz-client-") as tmp:
        embedded = EmbeddedRedis(Path(tmp), appendfsync="everysec")
        embedded.start()
        yield embedded
        embedded.stop()


async def test_many_more_users_than_connections_all_succeed(server):
    redis = connect(server.url, policy=PoolPolicy(max_connections=4, timeout=30))
    try:
        # Pipelines and transactions hold a connection across awaits: the hard case.
        async def user(i: int) -> int:
            async with redis.pipeline(transaction=True) as pipe:
                await pipe.watch(f"k{i % 7}")
                pipe.multi()
                pipe.incr(f"k{i % 7}")
                (value,) = await pipe.execute()
            return value

        results = await asyncio.gather(*(user(i) for i in range(600)))
        assert len(results) == 600
        counts = [int(await redis.get(f"k{j}")) for j in range(7)]
        assert sum(counts) == 600
        assert len(redis.connection_pool._in_use_connections) == 0
        assert len(redis.connection_pool._available_connections) <= 4
    finally:
        await redis.aclose()


async def test_a_crowd_waits_for_the_cluster_too(cluster_url):
    redis = connect(cluster_url, policy=PoolPolicy(max_connections=3, timeout=30))
    assert isinstance(redis, RedisCluster)
    try:
        await asyncio.gather(*(redis.incr("pz:{crowd}:n") for _ in range(400)))
        assert int(await redis.get("pz:{crowd}:n")) == 400
    finally:
        await redis.delete("pz:{crowd}:n")
        await redis.aclose()


async def test_a_full_pool_past_its_timeout_is_a_connection_error(server):
    redis = connect(server.url, policy=PoolPolicy(max_connections=1, timeout=0.2))
    try:
        async with redis.pipeline(transaction=True) as pipe:
            await pipe.watch("held")  # holds the only connection
            with pytest.raises(ConnectionError) as err:
                await redis.get("other")
        assert "No connection available" in describe(err.value)
    finally:
        await redis.aclose()


async def test_after_a_restart_no_command_fails(server):
    redis = connect(server.url, policy=PoolPolicy(max_connections=20))
    try:

        async def burst() -> list[str]:
            got = await asyncio.gather(
                *(redis.incr("n") for _ in range(200)), return_exceptions=True
            )
            return [describe(e) for e in got if isinstance(e, BaseException)]

        assert await burst() == []
        assert len(redis.connection_pool._available_connections) > 1
        server.stop()
        server.start()
        # Every pooled connection is dead now; none of them may fail a command.
        assert await burst() == []
        assert await burst() == []
    finally:
        await redis.aclose()


async def test_a_stale_connection_is_pinged_before_use_when_idle_long(server):
    redis = connect(server.url, policy=PoolPolicy(health_check_interval=0.01))
    try:
        assert await redis.set("a", "1")
        await asyncio.sleep(0.05)
        await redis.execute_command("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "no")
        assert await redis.get("a") == "1"
    finally:
        await redis.aclose()


class OneShotServer:
    """Answers the connection set-up, counts an INCR and hangs up without replying."""

    def __init__(self) -> None:
        self.commands = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.sock.listen()
        self.sock.setblocking(False)

    async def serve(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            conn, _ = await loop.sock_accept(self.sock)
            while data := await loop.sock_recv(conn, 65536):
                if b"INCR" in data:
                    self.commands += 1
                    break
                if b"HELLO" in data:  # redis-py 8 opens in RESP3: a map naming the protocol
                    await loop.sock_sendall(conn, b"%1\r\n+proto\r\n:3\r\n")
                    continue
                # One +OK per command of the set-up (CLIENT SETINFO ...).
                await loop.sock_sendall(conn, b"+OK\r\n" * data.count(b"*"))
            conn.close()


async def test_a_command_whose_reply_was_lost_is_not_sent_twice():
    fake = OneShotServer()
    task = asyncio.create_task(fake.serve())
    redis: Redis = connect(f"redis://127.0.0.1:{fake.port}/0", policy=PoolPolicy())
    try:
        with pytest.raises(ConnectionError):
            await redis.incr("counter")
        assert fake.commands == 1
    finally:
        task.cancel()
        await redis.aclose()
        fake.sock.close()


def test_describe_names_the_class_the_message_and_the_cause():
    try:
        try:
            raise ConnectionResetError("Connection lost")
        except OSError as exc:
            raise ConnectionError("Error while writing to socket") from exc
    except ConnectionError as err:
        text = describe(err)
    assert text == (
        "ConnectionError: Error while writing to socket "
        "(caused by ConnectionResetError: Connection lost)"
    )
