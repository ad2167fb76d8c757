"""The one factory of Redis clients: one server, Sentinel or Cluster, with one pool policy.

Every user of Redis (ingest, bot handlers, workers, the CLI) gets its client here, so the pool
is sized, health-checked and retried the same way everywhere:

- a *blocking* pool: past `max_connections`, a command waits up to `timeout` seconds for a
  free connection instead of failing at once (redis-py's default pool raises
  `MaxConnectionsError` at its cap);
- a connection idle for longer than `health_check_interval` is PINGed before it is used, so a
  connection that died while idle (a Redis restart) is replaced before a command goes out;
- one retry, with a short backoff, of a command that failed **before it was written** to the
  socket (refused connect, broken pipe, failed health check). redis-py would also re-send a
  command whose reply was lost, which could run an `INCR` or a script twice; we do not.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.connection import (
    Connection,
    SSLConnection,
    UnixDomainSocketConnection,
    parse_url,
)
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import (
    Sentinel,
    SentinelConnectionPool,
    SentinelManagedConnection,
    SentinelManagedSSLConnection,
)
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError, TimeoutError

from store.redis_url import RedisTarget, Topology, parse

# Set on an error raised while reading a reply: the command reached Redis and may have run.
AFTER_SEND = "pz_after_send"
# Retry holds no per-call state (backoff.reset() is a no-op for these), so one is shared.
HEALTH_RETRY = Retry(ExponentialBackoff(cap=0.5, base=0.05), 1, (ConnectionError, TimeoutError))


@dataclass(frozen=True, slots=True)
class PoolPolicy:
    """How many connections a process keeps and how it treats broken ones."""

    max_connections: int = 128
    timeout: float = 5.0
    health_check_interval: float = 10.0
    retry_backoff_cap: float = 0.5
    retry_backoff_base: float = 0.05

    def __post_init__(self) -> None:
        if self.max_connections < 1 or self.timeout <= 0 or self.health_check_interval < 0:
            raise ValueError("need max_connections >= 1, timeout > 0, health_check_interval >= 0")


class BeforeSendRetry(Retry):
    """redis-py's Retry, except that a failure after the command was sent is never retried."""

    async def call_with_retry(self, do, fail, is_retryable=None, with_failure_count=False):
        def retryable(error: Exception) -> bool:
            if getattr(error, AFTER_SEND, False):
                return False
            return is_retryable(error) if is_retryable is not None else True

        return await super().call_with_retry(do, fail, retryable, with_failure_count)


def _retry(policy: PoolPolicy) -> Retry:
    backoff = ExponentialBackoff(cap=policy.retry_backoff_cap, base=policy.retry_backoff_base)
    return BeforeSendRetry(backoff, 1, (ConnectionError, TimeoutError))


class _MarksAfterSend:
    """Tags reply-read failures, and PINGs stale connections with a retry of their own."""

    async def read_response(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().read_response(*args, **kwargs)  # type: ignore[misc]
        except (ConnectionError, TimeoutError) as error:
            setattr(error, AFTER_SEND, True)
            raise

    async def check_health(self) -> None:
        # A PING may always be repeated: the command behind it has not been sent yet.
        interval = self.health_check_interval  # type: ignore[attr-defined]
        due = asyncio.get_running_loop().time() > self.next_health_check  # type: ignore[attr-defined]
        if interval and due:
            await HEALTH_RETRY.call_with_retry(
                self._send_ping,  # type: ignore[attr-defined]
                self._ping_failed,  # type: ignore[attr-defined]
                with_failure_count=True,
            )


class TcpConnection(_MarksAfterSend, Connection):
    pass


class TlsConnection(_MarksAfterSend, SSLConnection):
    pass


class UnixConnection(_MarksAfterSend, UnixDomainSocketConnection):
    pass


class SentinelConnection(_MarksAfterSend, SentinelManagedConnection):
    pass


class SentinelTlsConnection(_MarksAfterSend, SentinelManagedSSLConnection):
    pass


class BlockingSentinelPool(SentinelConnectionPool, BlockingConnectionPool):
    """The Sentinel-managed pool (follows failovers) with the blocking pool's waiting."""


OURS = {
    Connection: TcpConnection,
    SSLConnection: TlsConnection,
    UnixDomainSocketConnection: UnixConnection,
}


class GatedCluster(RedisCluster):
    """RedisCluster whose per-node pools never refuse: commands wait for a slot instead.

    redis-py's cluster nodes raise MaxConnectionsError at their cap and have no blocking
    mode, so the process admits at most `max_connections` commands at a time itself.
    """

    def __init__(self, *args: Any, gate: int, gate_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._gate = asyncio.Semaphore(gate)
        self._gate_timeout = gate_timeout
        self._tx_clients: dict[str, Redis] = {}
        self._tx_cap = max(4, gate // 4)

    async def transaction_client(self, key: str) -> Redis:
        """A plain client of the master that owns `key`'s slot, for WATCH/MULTI/EXEC there.

        redis-py's asyncio cluster pipeline in transaction mode runs each command after WATCH
        on a private event loop in a thread of its own, blocking ours for the round trip; a
        transaction touches one slot, so one node's ordinary client does it on our loop. A
        moved slot answers MOVED: `forget_slots` re-reads the map and the caller retries."""
        await self.initialize()
        node = self.nodes_manager.get_node_from_slot(self.keyslot(key), False)
        client = self._tx_clients.get(node.name)
        if client is None:
            pool = BlockingConnectionPool(
                connection_class=node.connection_class,
                max_connections=self._tx_cap,
                timeout=self._gate_timeout,
                **node.connection_kwargs,
            )
            client = self._tx_clients[node.name] = Redis(connection_pool=pool)
        return client

    async def forget_slots(self, used: Redis) -> None:
        """The slot is served elsewhere (MOVED, a failover): drop the client that was used
        and read the slot map again before the next try."""
        for name, client in list(self._tx_clients.items()):
            if client is used:
                del self._tx_clients[name]
                await client.aclose()
        await self.nodes_manager.initialize()

    async def aclose(self, *args: Any, **kwargs: Any) -> None:
        clients, self._tx_clients = list(self._tx_clients.values()), {}
        for client in clients:
            await client.aclose()
        await super().aclose(*args, **kwargs)

    async def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        try:
            async with asyncio.timeout(self._gate_timeout):
                await self._gate.acquire()
        except TimeoutError:
            raise ConnectionError("No connection available.") from None
        try:
            return await super().execute_command(*args, **kwargs)
        finally:
            self._gate.release()


def describe(error: BaseException) -> str:
    """One line for a log: the error's class and message and what caused it (redis-py 8's
    repr() of its errors is only a category, e.g. 'network:ConnectionError')."""
    text = f"{type(error).__name__}: {error}".rstrip(": ")
    cause = error.__cause__ or error.__context__
    if cause is not None and cause is not error:
        text += f" (caused by {type(cause).__name__}: {cause})".replace(": )", ")")
    return text


def connect(url: str, *, policy: PoolPolicy | None = None, **kwargs: Any) -> Redis | RedisCluster:
    """A client for `url` (any REDIS_URL form) that the store can use: replies decoded."""
    return connect_target(parse(url), policy=policy, **kwargs)


def connect_target(
    target: RedisTarget, *, policy: PoolPolicy | None = None, **kwargs: Any
) -> Redis | RedisCluster:
    policy = policy or PoolPolicy()
    common: dict[str, Any] = {
        "decode_responses": True,
        "health_check_interval": policy.health_check_interval,
        "retry": _retry(policy),
        **kwargs,
    }
    if target.topology is Topology.SINGLE:
        return _single(target, policy, common)
    if target.topology is Topology.SENTINEL:
        return _sentinel(target, policy, common)
    return _cluster(target, policy, common)


def _single(target: RedisTarget, policy: PoolPolicy, common: dict[str, Any]) -> Redis:
    options = parse_url(target.url)
    base = options.pop("connection_class", SSLConnection if target.tls else Connection)
    options.update(common)
    pool = BlockingConnectionPool(
        max_connections=policy.max_connections,
        timeout=policy.timeout,
        connection_class=OURS.get(base, base),
        **options,
    )
    return Redis.from_pool(pool)


def _sentinel(target: RedisTarget, policy: PoolPolicy, common: dict[str, Any]) -> Redis:
    assert target.service is not None
    sentinel_kwargs: dict[str, Any] = {
        "decode_responses": True,
        "socket_timeout": common.get("socket_timeout", 5.0),
        "socket_connect_timeout": common.get("socket_connect_timeout", 5.0),
    }
    if target.sentinel_username:
        sentinel_kwargs["username"] = target.sentinel_username
    if target.sentinel_password:
        sentinel_kwargs["password"] = target.sentinel_password
    if target.tls:
        sentinel_kwargs["ssl"] = True
    sentinel = Sentinel(list(target.nodes), sentinel_kwargs=sentinel_kwargs)
    return sentinel.master_for(
        target.service,
        redis_class=Redis,
        connection_pool_class=BlockingSentinelPool,
        connection_class=SentinelTlsConnection if target.tls else SentinelConnection,
        max_connections=policy.max_connections,
        timeout=policy.timeout,
        db=target.db,
        username=target.username,
        password=target.password,
        **common,
    )


def _cluster(target: RedisTarget, policy: PoolPolicy, common: dict[str, Any]) -> RedisCluster:
    common = dict(common)
    backoff = ExponentialBackoff(cap=policy.retry_backoff_cap, base=policy.retry_backoff_base)
    # The cluster client re-sends after a connection error to follow a failover or a moved
    # slot: its own retry loop, which only the count of `retry` steers.
    common["retry"] = Retry(backoff, 1)
    return GatedCluster(
        startup_nodes=[ClusterNode(host, port) for host, port in target.nodes],
        gate=policy.max_connections,
        gate_timeout=policy.timeout,
        max_connections=2 * policy.max_connections,
        username=target.username,
        password=target.password,
        ssl=target.tls,
        **common,
    )
