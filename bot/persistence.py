"""PTB persistence in Redis: conversation states and chat_data, one namespace per bot.

PTB ships only pickle and dict persistence. This one keeps each bot's state under its own keys
(bot.keys), so two bots in one process never see each other's conversations, and a runtime that
restarts (or takes a bot over from another instance) resumes every conversation where it stood.
Values are JSON: conversation states and the data dicts must hold JSON types only; never put a
secret into them.
"""

from __future__ import annotations

import json
from typing import Any

from redis.asyncio import Redis
from telegram.ext import BasePersistence, PersistenceInput

from bot import keys

# PTB's own aliases live in a private module; these are the same shapes.
ConversationKey = tuple[int | str, ...]
ConversationDict = dict[ConversationKey, object]
CDCData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]

# user_data is not used by any handler (the admin drafts live in chat_data): not stored.
STORED = PersistenceInput(bot_data=False, chat_data=True, user_data=False, callback_data=False)


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class RedisPersistence(BasePersistence[dict, dict, dict]):
    """Writes through to Redis on every PTB flush; bot_data stays in memory (it holds no state)."""

    def __init__(self, redis: Redis, bot_tg_id: int, update_interval: float = 5.0) -> None:
        super().__init__(store_data=STORED, update_interval=update_interval)
        self._r = redis
        self._bot = bot_tg_id

    # --- conversations ----------------------------------------------------------------------

    async def get_conversations(self, name: str) -> ConversationDict:
        raw = await self._r.hgetall(keys.conversations(self._bot, name))
        return {tuple(json.loads(k)): json.loads(v) for k, v in raw.items()}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        field = _dump(list(key))
        if new_state is None:
            await self._r.hdel(keys.conversations(self._bot, name), field)
        else:
            await self._r.hset(keys.conversations(self._bot, name), field, _dump(new_state))

    # --- user and chat data -----------------------------------------------------------------

    async def get_user_data(self) -> dict[int, dict]:
        return await self._load(keys.user_data(self._bot))

    async def get_chat_data(self) -> dict[int, dict]:
        return await self._load(keys.chat_data(self._bot))

    async def update_user_data(self, user_id: int, data: dict) -> None:
        await self._save(keys.user_data(self._bot), user_id, data)

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        await self._save(keys.chat_data(self._bot), chat_id, data)

    async def drop_user_data(self, user_id: int) -> None:
        await self._r.hdel(keys.user_data(self._bot), str(user_id))

    async def drop_chat_data(self, chat_id: int) -> None:
        await self._r.hdel(keys.chat_data(self._bot), str(chat_id))

    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        # One writer per bot (the lease holder), so memory is never behind Redis.
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        return None

    async def _load(self, key: str) -> dict[int, dict]:
        raw = await self._r.hgetall(key)
        return {int(k): json.loads(v) for k, v in raw.items()}

    async def _save(self, key: str, ident: int, data: dict) -> None:
        if data:
            await self._r.hset(key, str(ident), _dump(data))
        else:
            await self._r.hdel(key, str(ident))

    # --- not stored -------------------------------------------------------------------------

    async def get_bot_data(self) -> dict:
        return {}

    async def update_bot_data(self, data: dict) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict) -> None:
        return None

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        return None

    async def flush(self) -> None:
        # Every update already went to Redis; nothing is buffered here.
        return None
