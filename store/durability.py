"""Accepted means durable where replicas exist: wait for one replica to acknowledge a write.

WAIT counts replicas that have every write *of the connection it runs on*; a pooled client
writes on any connection, so `confirm()` writes a marker key in the same hash slot and WAITs
on that connection. Replication is one ordered stream per primary, so a replica that has the
marker has everything the primary acknowledged before it, our write included.

With no replica (one Redis, or a primary whose replicas are all gone) there is nothing to wait
for. When WAIT times out the write stays on the primary alone: `confirm` says so, `lagging`
stays set until a replica acknowledges again, and callers do not report the write as accepted
(store/calls.py raises NotReplicated; ingest answers 503 and the PBX's retry is a duplicate
that waits again). docs/redis.md says what is guaranteed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from enum import StrEnum

from redis.asyncio import Redis
from redis.asyncio.cluster import PipelineCommand, RedisCluster
from redis.exceptions import ResponseError

log = logging.getLogger(__name__)

MARKER = "pz:ack"
MARKER_TTL_MS = 60_000
REFRESH_SECONDS = 30.0
# A replica that lags says so in the log at most this often, with the count meanwhile.
LOG_EVERY = 60.0


class Ack(StrEnum):
    NO_REPLICA = "no_replica"
    ACKNOWLEDGED = "acknowledged"
    TIMED_OUT = "timed_out"


def slot_tag(key: str) -> str:
    """The part of `key` Redis Cluster hashes: the first non-empty {tag}, else the key."""
    start = key.find("{")
    if start >= 0:
        end = key.find("}", start + 1)
        if end > start + 1:
            return key[start + 1 : end]
    return key


def marker_key(key: str) -> str:
    tag = slot_tag(key)
    if "}" in tag:
        raise ValueError(f"no key in the slot of {key!r} can be named with a hash tag")
    return "{" + tag + "}:" + MARKER


class Replication:
    """Knows whether the primary has replicas (refreshed now and then) and waits for one."""

    def __init__(
        self,
        redis: Redis,
        wait_ms: int = 1000,
        *,
        refresh: float = REFRESH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._r = redis
        self.wait_ms = wait_ms
        self._refresh = refresh
        self._clock = clock
        self._replicas: int | None = None
        self._checked = float("-inf")
        self.timeouts = 0
        # A WAIT timed out and no acknowledgement came since: writes may be on the primary only.
        self.lagging = False
        self._logged_at = float("-inf")
        self._unlogged = 0

    async def replicas(self) -> int:
        """Connected replicas of the (single or Sentinel-watched) primary, cached."""
        now = self._clock()
        if self._replicas is None or now - self._checked >= self._refresh:
            try:
                info = await self._r.info("replication")
            except ResponseError:
                info = {}
            self._replicas = int(info.get("connected_slaves", 0) or 0)
            self._checked = now
        return self._replicas

    def forget(self) -> None:
        """Look again at the next confirm (after a failover, say)."""
        self._replicas = None

    async def confirm(self, key: str) -> Ack:
        """Wait until one replica has every write made so far in the hash slot of `key`."""
        if self.wait_ms <= 0:
            return Ack.NO_REPLICA
        if isinstance(self._r, RedisCluster):
            return await self._confirm_cluster(key)
        if await self.replicas() == 0:
            self.lagging = False
            return Ack.NO_REPLICA
        async with self._r.pipeline(transaction=False) as pipe:
            pipe.set(marker_key(key), "1", px=MARKER_TTL_MS)
            pipe.execute_command("WAIT", 1, self.wait_ms)
            _, acked = await pipe.execute()
        if int(acked) >= 1:
            self.lagging = False
            return Ack.ACKNOWLEDGED
        self.forget()
        return self._timed_out()

    def _timed_out(self) -> Ack:
        self.lagging = True
        self.timeouts += 1
        self._unlogged += 1
        now = self._clock()
        if now - self._logged_at >= LOG_EVERY:
            log.warning(
                "no replica acknowledged within %d ms (%d time(s) since the last report): "
                "those calls were refused with 503 and are retried by their PBX",
                self.wait_ms,
                self._unlogged,
            )
            self._logged_at, self._unlogged = now, 0
        return Ack.TIMED_OUT

    async def _confirm_cluster(self, key: str) -> Ack:
        cluster: RedisCluster = self._r  # type: ignore[assignment]
        if cluster._initialize:
            await cluster.initialize()
        slot = cluster.keyslot(key)
        holders = cluster.nodes_manager.slots_cache.get(slot) or []
        if len(holders) < 2:
            return Ack.NO_REPLICA
        node = holders[0]
        commands = [
            PipelineCommand(0, "SET", marker_key(key), "1", "PX", MARKER_TTL_MS),
            PipelineCommand(1, "WAIT", 1, self.wait_ms),
        ]
        await node.execute_pipeline(commands)
        for command in commands:
            if isinstance(command.result, Exception):
                raise command.result
        if int(commands[1].result) >= 1:
            self.lagging = False
            return Ack.ACKNOWLEDGED
        return self._timed_out()
