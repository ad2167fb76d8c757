"""What PTB persists of each bot (conversation states, chat data), as JSON text per entry.

One namespace per bot (store.keys, hash-tagged by bot): two bots in one process never see each
other's conversations, and a runtime that restarts (or takes a bot over) resumes where it stood.
"""

from __future__ import annotations

from typing import Literal

from redis.asyncio import Redis

from store import keys

Scope = Literal["user", "chat"]


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


class BotState:
    """Per bot: conversation states by handler name, and user / chat data by id."""

    def __init__(self, redis: Redis) -> None:
        self._r = redis

    @staticmethod
    def _data_key(bot_tg_id: int, scope: Scope) -> str:
        return keys.user_data(bot_tg_id) if scope == "user" else keys.chat_data(bot_tg_id)

    async def conversations(self, bot_tg_id: int, name: str) -> dict[str, str]:
        """Conversation key -> state, both as the JSON text they were saved as."""
        raw = await self._r.hgetall(keys.conversations(bot_tg_id, name))
        return {_text(k): _text(v) for k, v in raw.items()}

    async def set_conversation(
        self, bot_tg_id: int, name: str, key: str, state: str | None
    ) -> None:
        """Save one conversation's state; None ends it."""
        if state is None:
            await self._r.hdel(keys.conversations(bot_tg_id, name), key)
        else:
            await self._r.hset(keys.conversations(bot_tg_id, name), key, state)

    async def data(self, bot_tg_id: int, scope: Scope) -> dict[int, str]:
        """Every user's (or chat's) data as saved, by id."""
        raw = await self._r.hgetall(self._data_key(bot_tg_id, scope))
        return {int(_text(k)): _text(v) for k, v in raw.items()}

    async def set_data(self, bot_tg_id: int, scope: Scope, ident: int, value: str | None) -> None:
        """Save one user's (or chat's) data; None drops it."""
        if value is None:
            await self._r.hdel(self._data_key(bot_tg_id, scope), str(ident))
        else:
            await self._r.hset(self._data_key(bot_tg_id, scope), str(ident), value)

    async def size(self, bot_tg_id: int, scope: Scope) -> int:
        """How many users (or chats) have data saved for this bot."""
        return int(await self._r.hlen(self._data_key(bot_tg_id, scope)))
