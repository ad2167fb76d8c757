"""Which chats administer which tenant; a key rotation ends every session of the tenant."""

from __future__ import annotations

from redis.asyncio import Redis

from store import keys


class Admins:
    """Admin sessions, indexed both ways so either side is found in O(1)."""

    def __init__(self, redis: Redis) -> None:
        self._r = redis

    async def grant(self, tid: str, chat_id: int) -> None:
        async with self._r.pipeline(transaction=True) as pipe:
            pipe.sadd(keys.admins(tid), str(chat_id))
            pipe.sadd(keys.chat_admin_of(chat_id), tid)
            await pipe.execute()

    async def revoke(self, tid: str, chat_id: int) -> bool:
        async with self._r.pipeline(transaction=True) as pipe:
            pipe.srem(keys.admins(tid), str(chat_id))
            pipe.srem(keys.chat_admin_of(chat_id), tid)
            removed, _ = await pipe.execute()
        return bool(removed)

    async def is_admin(self, tid: str, chat_id: int) -> bool:
        return bool(await self._r.sismember(keys.admins(tid), str(chat_id)))

    async def of_tenant(self, tid: str) -> list[int]:
        return sorted(int(c) for c in await self._r.smembers(keys.admins(tid)))

    async def tenants_of(self, chat_id: int) -> list[str]:
        return sorted(await self._r.smembers(keys.chat_admin_of(chat_id)), key=int)

    async def revoke_all(self, tid: str) -> list[int]:
        chats = await self.of_tenant(tid)
        async with self._r.pipeline(transaction=True) as pipe:
            pipe.delete(keys.admins(tid))
            for chat in chats:
                pipe.srem(keys.chat_admin_of(chat), tid)
            await pipe.execute()
        return chats
