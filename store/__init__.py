"""Perezvon's state in Redis: one facade over small single-purpose repositories."""

from __future__ import annotations

import time
from collections.abc import Callable

from redis.asyncio import Redis

from store import keys
from store.admins import Admins
from store.ami import AmiLinks
from store.audit import Audit
from store.bot_state import BotState
from store.bots import Bots
from store.caller_names import CallerNames
from store.calls import Calls
from store.client import PoolPolicy, connect
from store.connectors import Connectors
from store.counters import Counters
from store.crypto import SecretBox
from store.default_bot import DefaultBot
from store.dial import Dials
from store.durability import Replication
from store.errors import NotFound, SecretKeyMismatch
from store.facts import KeyThrottle, StartedBots
from store.followup import FollowUps
from store.groups import Groups
from store.heartbeat import Heartbeats
from store.hours import HeldCalls, Schedules
from store.ingest_tokens import IngestTokens
from store.intake import IntakeIndex
from store.invites import Invites
from store.leases import Leases
from store.leaving import LeavingBots
from store.models import Tenant
from store.once import OnceFlags
from store.pbx_calls import PbxCalls
from store.profiles import Profiles
from store.purges import PurgeSchedule
from store.schema import migrate
from store.subscriptions import Subscriptions
from store.tenants import Tenants
from store.topics import Topics
from store.uploads import Uploads
from store.weekly import WeeklyReports

__all__ = ["PoolPolicy", "Store", "connect"]

SECRET_CHECK_TEXT = "perezvon"


class Store:
    """Every repository, sharing one Redis client, one secret box and one clock."""

    def __init__(
        self,
        redis: Redis,
        box: SecretBox,
        clock: Callable[[], float] = time.time,
        replication: Replication | None = None,
    ) -> None:
        self.redis = redis
        self._box = box
        self.replication = replication or Replication(redis)
        # The tenants' intake streams and the ready index over them (store/intake.py).
        self.intake = IntakeIndex(redis)
        self.tenants = Tenants(redis, clock)
        self.groups = Groups(redis, clock, self.intake)
        self.subs = Subscriptions(redis, clock)
        self.bots = Bots(redis, box, clock)
        self.admins = Admins(redis)
        self.profiles = Profiles(redis)
        self.calls = Calls(redis, clock, self.replication, self.intake)
        self.caller_names = CallerNames(redis)
        self.started = StartedBots(redis)
        self.throttle = KeyThrottle(redis, clock)
        self.ami = AmiLinks(redis, box)
        self.connectors = Connectors(redis, box, clock)
        self.pbx_calls = PbxCalls(redis, self.calls)
        self.purges = PurgeSchedule(redis)
        self.once = OnceFlags(redis)
        self.leaving = LeavingBots(redis, box)
        self.bot_state = BotState(redis)
        self.counters = Counters(redis)
        # Access without the key: invite links, per-PBX ingest tokens, the admin audit log.
        self.invites = Invites(redis, clock)
        self.ingest_tokens = IngestTokens(redis, clock, self.tenants)
        self.audit = Audit(redis, clock)
        self.default_bot = DefaultBot(redis)
        self.schedules = Schedules(redis)
        self.held = HeldCalls(redis, clock)
        self.heartbeats = Heartbeats(redis, clock)
        self.topics = Topics(redis)
        self.followups = FollowUps(redis, clock, self.intake)
        self.dials = Dials(redis, clock)
        self.weekly = WeeklyReports(redis, self.intake)
        self.uploads = Uploads(redis)

    def leases(self, owner: str, ttl: float) -> Leases:
        """Bot leases held by one runtime instance (`owner`), each for `ttl` seconds."""
        return Leases(self.redis, owner, ttl)

    async def migrate(self) -> int:
        return await migrate(self.redis)

    async def check_secret(self) -> None:
        """Refuse to run with a SECRET_KEY other than the one the data was sealed with.

        Without this, a worker on another host with its own generated key would fail to open
        every custom bot's token at the first missed call, not at start.
        """
        sealed = await self.redis.get(keys.SECRET_CHECK)
        if sealed is None:
            await self.redis.set(keys.SECRET_CHECK, self._box.seal(SECRET_CHECK_TEXT), nx=True)
            sealed = await self.redis.get(keys.SECRET_CHECK)
        try:
            if self._box.open(sealed) == SECRET_CHECK_TEXT:
                return
        except ValueError:
            pass
        raise SecretKeyMismatch(
            "SECRET_KEY differs from the key this Redis's data was sealed with; every process "
            "sharing a Redis needs the same SECRET_KEY"
        )

    async def ping(self) -> bool:
        return bool(await self.redis.ping())

    async def rotate_key(self, tid: str) -> tuple[Tenant, str, list[int]]:
        """New API key; every admin session of the tenant ends. Returns the ended admin chats."""
        tenant, api_key = await self.tenants.rotate_key(tid)
        ended = await self.admins.revoke_all(tid)
        return tenant, api_key, ended

    async def delete_tenant(self, tid: str) -> None:
        """Remove a tenant and every index entry pointing at it, without scanning keys."""
        h = await self.redis.hgetall(keys.tenant(tid))
        if not h:
            raise NotFound(f"no tenant {tid}")
        for bot in await self.bots.list(tid):
            await self.bots.delete(tid, bot.id)
        await self.admins.revoke_all(tid)
        await self.ami.remove_tenant(tid)
        await self.invites.remove_tenant(tid)
        await self.ingest_tokens.remove_tenant(tid)
        sub_ids = await self.redis.zrange(keys.subs(tid), 0, -1)
        group_ids = await self.redis.zrange(keys.groups(tid), 0, -1)
        call_ids = await self.redis.zrange(keys.calls(tid), 0, -1)
        card_ids = await self.redis.zrange(keys.fu_cards(tid), 0, -1)
        # One transaction over the tenant's own slot, then the global index entries that
        # pointed at it (each reader checks the record, so a leftover entry finds nothing).
        async with self.redis.pipeline(transaction=True) as pipe:
            for chat in sub_ids:
                pipe.delete(keys.sub(tid, int(chat)))
            for gid in group_ids:
                pipe.delete(keys.group(tid, gid), keys.group_ignored(tid, gid))
            for cid in call_ids:
                pipe.delete(keys.call(tid, cid))
            # Follow-up cards; a caller's history and call refs expire on their own (30 days).
            for card in card_ids:
                pipe.delete(keys.fu_card(tid, card), keys.fu_copies(tid, card))
            pipe.delete(keys.fu_cards(tid), keys.fu_open(tid), keys.fu_seq(tid))
            pipe.delete(
                keys.subs(tid),
                keys.groups(tid),
                keys.calls(tid),
                keys.bots(tid),
                keys.bot_seq(tid),
                keys.bot_active(tid),
                keys.audit(tid),
                keys.tenant(tid),
                keys.held(tid),
                keys.quiet(tid),
                keys.weekly(tid),
                keys.intake(tid),  # what is still queued has nobody left to go to
            )
            await pipe.execute()
        async with self.redis.pipeline(transaction=False) as pipe:
            for chat in sub_ids:
                pipe.srem(keys.chat_tenants(int(chat)), tid)
            pipe.delete(keys.api_key(h["key_hash"]))
            pipe.zrem(keys.TENANTS, tid)
            pipe.zrem(keys.HELD_DUE, tid)
            pipe.zrem(keys.WEEKLY_DUE, tid)
            pipe.zrem(keys.HEARTBEAT, tid)
            pipe.hdel(keys.ALARMS, tid)
            await pipe.execute()
