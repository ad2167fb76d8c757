"""Which chats administer which tenant; a key rotation ends every session of the tenant."""

from __future__ import annotations

from redis.asyncio import Redis

from store import keys


class Admins:
    """Admin sessions, indexed both ways so either side is found in O(1).

    The record is the tenant's `admins` set; `chat_admin_of(chat)` is a global index in
    another hash slot, written before a grant and removed after a revoke. A stale index entry
    grants nothing: `tenants_of` returns only tenants whose record lists the chat.
    """

    def __init__(self, redis: Redis) -> None:
        self._r = redis

    async def grant(self, tid: str, chat_id: int) -> None:
        await self._r.sadd(keys.chat_admin_of(chat_id), tid)
        await self._r.sadd(keys.admins(tid), str(chat_id))

    async def revoke(self, tid: str, chat_id: int) -> bool:
        removed = await self._r.srem(keys.admins(tid), str(chat_id))
        await self._unindex(tid, [chat_id])
        return bool(removed)

    async def is_admin(self, tid: str, chat_id: int) -> bool:
        return bool(await self._r.sismember(keys.admins(tid), str(chat_id)))

    async def of_tenant(self, tid: str) -> list[int]:
        return sorted(int(c) for c in await self._r.smembers(keys.admins(tid)))

    async def tenants_of(self, chat_id: int) -> list[str]:
        tids = sorted(await self._r.smembers(keys.chat_admin_of(chat_id)), key=int)
        if not tids:
            return []
        async with self._r.pipeline(transaction=False) as pipe:
            for tid in tids:
                pipe.sismember(keys.admins(tid), str(chat_id))
            found = await pipe.execute()
        return [tid for tid, hit in zip(tids, found, strict=True) if hit]

    async def revoke_all(self, tid: str) -> list[int]:
        chats = await self.of_tenant(tid)
        await self._r.delete(keys.admins(tid))
        await self._unindex(tid, chats)
        return chats

    async def _unindex(self, tid: str, chats: list[int]) -> None:
        if not chats:
            return
        async with self._r.pipeline(transaction=False) as pipe:
            for chat in chats:
                pipe.srem(keys.chat_admin_of(chat), tid)
            await pipe.execute()
        # A grant that ran meanwhile wrote its index entry first, then its record: restore it.
        for chat in chats:
            if await self.is_admin(tid, chat):
                await self._r.sadd(keys.chat_admin_of(chat), tid)
