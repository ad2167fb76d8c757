"""PTB persistence through the store: conversation states and chat_data, one namespace per bot.

PTB ships only pickle and dict persistence. This one keeps each bot's state in the store
(store/bot_state.py) under its own keys, so two bots in one process never see each other's
conversations, and a runtime that restarts (or takes a bot over from another instance) resumes
every conversation where it stood. Values are JSON: conversation states and the data dicts must
hold JSON types only; never put a secret into them.
"""

from __future__ import annotations

import json
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from store.bot_state import BotState, Scope

# PTB's own aliases live in a private module; these are the same shapes.
ConversationKey = tuple[int | str, ...]
ConversationDict = dict[ConversationKey, object]
CDCData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]

# user_data is not used by any handler (the admin drafts live in chat_data): not stored.
STORED = PersistenceInput(bot_data=False, chat_data=True, user_data=False, callback_data=False)


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class RedisPersistence(BasePersistence[dict, dict, dict]):
    """Writes through to the store on every PTB flush; bot_data stays in memory (no state)."""

    def __init__(self, state: BotState, bot_tg_id: int, update_interval: float = 5.0) -> None:
        super().__init__(store_data=STORED, update_interval=update_interval)
        self._state = state
        self._bot = bot_tg_id

    # --- conversations ----------------------------------------------------------------------

    async def get_conversations(self, name: str) -> ConversationDict:
        raw = await self._state.conversations(self._bot, name)
        return {tuple(json.loads(k)): json.loads(v) for k, v in raw.items()}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        state = None if new_state is None else _dump(new_state)
        await self._state.set_conversation(self._bot, name, _dump(list(key)), state)

    # --- user and chat data -----------------------------------------------------------------

    async def get_user_data(self) -> dict[int, dict]:
        return await self._load("user")

    async def get_chat_data(self) -> dict[int, dict]:
        return await self._load("chat")

    async def update_user_data(self, user_id: int, data: dict) -> None:
        await self._state.set_data(self._bot, "user", user_id, _dump(data) if data else None)

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        await self._state.set_data(self._bot, "chat", chat_id, _dump(data) if data else None)

    async def drop_user_data(self, user_id: int) -> None:
        await self._state.set_data(self._bot, "user", user_id, None)

    async def drop_chat_data(self, chat_id: int) -> None:
        await self._state.set_data(self._bot, "chat", chat_id, None)

    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        # One writer per bot (the lease holder), so memory is never behind Redis.
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        return None

    async def _load(self, scope: Scope) -> dict[int, dict]:
        return {k: json.loads(v) for k, v in (await self._state.data(self._bot, scope)).items()}

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
