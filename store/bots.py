"""Custom bots of tenants: token sealed at rest, unique across tenants, at most one active."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from store import keys
from store._tx import atomically
from store.crypto import SecretBox, digest
from store.errors import InvalidInput, NotFound, TokenTaken
from store.models import BotStatus, CustomBot

MAX_NAME = 64


class Changes:
    """The nudges on the bots' change channel, one at a time."""

    def __init__(self, pubsub: PubSub) -> None:
        self._pubsub = pubsub

    async def next(self, within: float) -> bool:
        """True when a nudge arrived within `within` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while (left := deadline - loop.time()) > 0:
            # None also when what was read is the subscription's own confirmation: read on.
            got = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=left)
            if got is not None:
                return True
        return False


class Bots:
    """A tenant's custom bots; the single `bot_active` key makes 'one active' structural.

    The global indexes (`bot_tg`, `bot_token`, `ACTIVE_BOTS`) live outside the tenant's hash
    slot, so they are written in separate steps: an entry before the record that needs it,
    removed after the record is gone. `ACTIVE_BOTS` lists every bot that was ever activated
    and still exists (the active one is the tenant's `bot_active`); readers check each.
    """

    def __init__(self, redis: Redis, box: SecretBox, clock: Callable[[], float]) -> None:
        self._r = redis
        self._box = box
        self._clock = clock

    def _bot(self, tid: str, h: dict[str, str], active_id: str | None) -> CustomBot:
        if h["id"] == active_id:
            status = BotStatus.ACTIVE
        elif h.get("broken") == "1":
            status = BotStatus.BROKEN
        else:
            status = BotStatus.OFF
        return CustomBot(
            tenant_id=tid,
            id=h["id"],
            name=h["name"],
            username=h["username"],
            tg_id=int(h["tg_id"]),
            status=status,
            created_at=float(h["created_at"]),
            token=self._box.open(h["token"]),
        )

    async def add(self, tid: str, name: str, token: str, username: str, tg_id: int) -> CustomBot:
        """Register a bot whose token getMe accepted; switched off until activated.

        A Telegram bot belongs to one tenant: re-adding the tenant's own bot with a new token
        (after @BotFather revoked the old one) renews its token; another tenant is refused.
        """
        name = " ".join(name.split())[:MAX_NAME]
        if not name:
            raise InvalidInput("name must not be empty")
        if not await self._r.exists(keys.tenant(tid)):
            raise NotFound(f"no tenant {tid}")
        owner = await self._r.get(keys.bot_tg(tg_id))
        if owner is not None:
            owner_tid, owner_bid = owner.split(":", 1)
            if owner_tid != tid:
                raise TokenTaken("this bot is already registered by another company")
            if await self._r.exists(keys.bot(tid, owner_bid)):
                return await self._renew(tid, owner_bid, token, username)
            await self._drop_stale(keys.bot_tg(tg_id), tid)
        bid = str(await self._r.incr(keys.bot_seq(tid)))
        if not await self._r.set(keys.bot_tg(tg_id), f"{tid}:{bid}", nx=True):
            raise TokenTaken("this bot is already registered")
        token_hash = digest(token)
        await self._drop_stale(keys.bot_token(token_hash), tid)
        if not await self._r.set(keys.bot_token(token_hash), f"{tid}:{bid}", nx=True):
            await self._r.delete(keys.bot_tg(tg_id))
            raise TokenTaken("this token is already registered")
        now = self._clock()
        async with self._r.pipeline(transaction=True) as pipe:
            pipe.hset(
                keys.bot(tid, bid),
                mapping={
                    "id": bid,
                    "name": name,
                    "username": username,
                    "tg_id": str(tg_id),
                    "token": self._box.seal(token),
                    "token_hash": token_hash,
                    "broken": "0",
                    "created_at": repr(now),
                },
            )
            pipe.zadd(keys.bots(tid), {bid: now})
            await pipe.execute()
        return await self.get(tid, bid)

    async def _drop_stale(self, index: str, tid: str) -> None:
        """Remove `index` if it names a bot of `tid` whose record is gone (a delete that was
        interrupted before its index step); another tenant's entry is never touched."""
        ref = await self._r.get(index)
        if ref is None:
            return
        owner_tid, owner_bid = ref.split(":", 1)
        if owner_tid == tid and not await self._r.exists(keys.bot(tid, owner_bid)):

            async def body(pipe) -> None:
                if await pipe.get(index) == ref:
                    pipe.multi()
                    pipe.delete(index)

            await atomically(self._r, [index], body)

    async def _renew(self, tid: str, bid: str, token: str, username: str) -> CustomBot:
        new_hash = digest(token)
        await self._drop_stale(keys.bot_token(new_hash), tid)
        if not await self._r.set(keys.bot_token(new_hash), f"{tid}:{bid}", nx=True):
            raise TokenTaken("this token is already registered")

        async def body(pipe) -> str | None:
            old_hash = await pipe.hget(keys.bot(tid, bid), "token_hash")
            pipe.multi()
            pipe.hset(
                keys.bot(tid, bid),
                mapping={
                    "token": self._box.seal(token),
                    "token_hash": new_hash,
                    "username": username,
                    "broken": "0",
                },
            )
            return old_hash

        old_hash = await atomically(self._r, [keys.bot(tid, bid)], body)
        if old_hash and old_hash != new_hash:
            await self._r.delete(keys.bot_token(old_hash))
        await self._changed()
        return await self.get(tid, bid)

    async def get(self, tid: str, bid: str) -> CustomBot:
        h, active_id = await self._read(tid, bid)
        if not h:
            raise NotFound(f"no bot {bid}")
        return self._bot(tid, h, active_id)

    async def _read(self, tid: str, bid: str) -> tuple[dict[str, str], str | None]:
        async with self._r.pipeline(transaction=False) as pipe:
            pipe.hgetall(keys.bot(tid, bid))
            pipe.get(keys.bot_active(tid))
            h, active_id = await pipe.execute()
        return h, active_id

    async def list(self, tid: str) -> list[CustomBot]:
        ids = await self._r.zrange(keys.bots(tid), 0, -1)
        async with self._r.pipeline(transaction=False) as pipe:
            pipe.get(keys.bot_active(tid))
            for bid in ids:
                pipe.hgetall(keys.bot(tid, bid))
            active_id, *rows = await pipe.execute()
        return [self._bot(tid, h, active_id) for h in rows if h]

    async def active(self, tid: str) -> CustomBot | None:
        bid = await self._r.get(keys.bot_active(tid))
        if bid is None:
            return None
        try:
            return await self.get(tid, bid)
        except NotFound:
            return None

    async def activate(self, tid: str, bid: str) -> tuple[CustomBot, str | None]:
        """Make `bid` the tenant's one active bot; returns it and the id it replaced."""
        active_key = keys.bot_active(tid)
        # Listed before it can become active: a reader never misses the active bot.
        await self._r.sadd(keys.ACTIVE_BOTS, f"{tid}:{bid}")

        async def body(pipe):
            if not await pipe.hexists(keys.bot(tid, bid), "id"):
                raise NotFound(f"no bot {bid}")
            previous = await pipe.get(active_key)
            pipe.multi()
            pipe.set(active_key, bid)
            pipe.hset(keys.bot(tid, bid), "broken", "0")
            return previous if previous != bid else None

        replaced = await atomically(self._r, [active_key, keys.bot(tid, bid)], body)
        # The retired index is another slot: written after, readers check the records.
        if replaced is not None:
            await self._r.zadd(keys.RETIRED_BOTS, {f"{tid}:{replaced}": self._clock()})
        await self._r.zrem(keys.RETIRED_BOTS, f"{tid}:{bid}")
        await self._changed()
        return await self.get(tid, bid), replaced

    async def deactivate(self, tid: str, bid: str) -> CustomBot:
        await self._clear_active(tid, bid)
        return await self.get(tid, bid)

    async def mark_broken(self, tid: str, bid: str) -> CustomBot | None:
        """Telegram rejected the token: off, flagged, and the default bot takes over."""
        if not await self._r.exists(keys.bot(tid, bid)):
            return None
        await self._r.hset(keys.bot(tid, bid), "broken", "1")
        await self._clear_active(tid, bid, retire=False)
        await self._r.zrem(keys.RETIRED_BOTS, f"{tid}:{bid}")  # its token answers nothing
        return await self.get(tid, bid)

    async def _clear_active(self, tid: str, bid: str, *, retire: bool = True) -> None:
        active_key = keys.bot_active(tid)

        async def body(pipe):
            if not await pipe.hexists(keys.bot(tid, bid), "id"):
                raise NotFound(f"no bot {bid}")
            current = await pipe.get(active_key)
            pipe.multi()
            if current == bid:
                pipe.delete(active_key)
            return current == bid

        was_active = await atomically(self._r, [active_key], body)
        if was_active and retire:
            await self._r.zadd(keys.RETIRED_BOTS, {f"{tid}:{bid}": self._clock()})
        await self._changed()

    async def delete(self, tid: str, bid: str) -> bool:
        active_key = keys.bot_active(tid)

        async def body(pipe):
            token_hash, tg_id = await pipe.hmget(keys.bot(tid, bid), ["token_hash", "tg_id"])
            if token_hash is None:
                return False
            current = await pipe.get(active_key)
            pipe.multi()
            if current == bid:
                pipe.delete(active_key)
            pipe.delete(keys.bot(tid, bid))
            pipe.zrem(keys.bots(tid), bid)
            return token_hash, tg_id

        found = await atomically(self._r, [active_key, keys.bot(tid, bid)], body)
        if not found:
            return False
        # The record is gone (bot ids are never reused), so its index entries can follow.
        token_hash, tg_id = found
        await self._r.delete(keys.bot_token(token_hash))
        await self._r.delete(keys.bot_tg(int(tg_id)))
        await self._r.srem(keys.ACTIVE_BOTS, f"{tid}:{bid}")
        await self._r.zrem(keys.RETIRED_BOTS, f"{tid}:{bid}")
        await self._changed()
        return True

    async def all_active(self) -> list[CustomBot]:
        """The active bot of every tenant that has one (for the runtime and the workers)."""
        refs = sorted(await self._r.smembers(keys.ACTIVE_BOTS))
        found = []
        for ref in refs:
            tid, bid = ref.split(":", 1)
            try:
                bot = await self.get(tid, bid)
            except NotFound:
                continue
            if bot.status is BotStatus.ACTIVE:
                found.append(bot)
        return found

    async def all_retired(self, since: float) -> list[CustomBot]:
        """Bots switched off (not broken, not deleted, not active again) since `since`; older
        entries are forgotten: after a while nobody writes to an old bot any more."""
        await self._r.zremrangebyscore(keys.RETIRED_BOTS, "-inf", f"({since!r}")
        found = []
        for ref in await self._r.zrange(keys.RETIRED_BOTS, 0, -1):
            tid, bid = ref.split(":", 1)
            try:
                bot = await self.get(tid, bid)
            except NotFound:
                await self._r.zrem(keys.RETIRED_BOTS, ref)
                continue
            if bot.status is BotStatus.OFF:
                found.append(bot)
        return found

    async def version(self) -> int:
        """Changes so far to any tenant's bots; the same number means `all_active` is too."""
        return int(await self._r.get(keys.BOTS_VERSION) or 0)

    async def _changed(self) -> None:
        # Counted after the change, so a reader that saw the new count sees the change. The
        # message is a nudge only: listeners also re-read periodically.
        await self._r.incr(keys.BOTS_VERSION)
        await self._r.publish(keys.BOTS_CHANGED, "1")

    async def nudge(self, reason: str = "1") -> None:
        """Wake every runtime to re-read which bots it serves (a lease let go, say)."""
        await self._r.publish(keys.BOTS_CHANGED, reason)

    @contextlib.asynccontextmanager
    async def changes(self) -> AsyncIterator[Changes]:
        """Subscribed to the nudges while the block runs (a change or `nudge`)."""
        pubsub = self._r.pubsub()
        async with pubsub:
            await pubsub.subscribe(keys.BOTS_CHANGED)
            yield Changes(pubsub)

    async def owner_of_token(self, token: str) -> tuple[str, str] | None:
        """(tenant id, bot id) that registered this token, if any."""
        ref = await self._r.get(keys.bot_token(digest(token)))
        if ref is None:
            return None
        tid, bid = ref.split(":", 1)
        return tid, bid
