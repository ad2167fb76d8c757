"""python-telegram-bot `Bot` objects for many tokens over ONE shared HTTP connection pool."""

from __future__ import annotations

import hashlib

from telegram import Bot

from delivery.routing import BotRef
from delivery.transport import AiohttpRequest


class BotPool:
    """A `Bot` per token, created on first use; they share one AiohttpRequest (one aiohttp session),
    so a hundred bots cost a few KiB each instead of a client and a TLS context each."""

    def __init__(self, api_base: str, send_timeout: float, connections: int = 64) -> None:
        self._api = api_base.rstrip("/")
        self._request = AiohttpRequest(
            connections,
            read_timeout=send_timeout,
            connect_timeout=min(send_timeout, 5.0),
            pool_timeout=send_timeout,
        )
        self._bots: dict[int, tuple[str, Bot]] = {}

    async def start(self) -> None:
        await self._request.initialize()

    async def stop(self) -> None:
        # The Bots are never initialized themselves: the shared request is closed here, once.
        self._bots.clear()
        await self._request.shutdown()

    def bot(self, ref: BotRef) -> Bot:
        digest = hashlib.sha256(ref.token.encode()).hexdigest()
        hit = self._bots.get(ref.tg_id)
        if hit is not None and hit[0] == digest:
            return hit[1]
        bot = Bot(
            ref.token,
            base_url=f"{self._api}/bot",
            base_file_url=f"{self._api}/file/bot",
            request=self._request,
            get_updates_request=self._request,
        )
        self._bots[ref.tg_id] = (digest, bot)
        return bot

    def __len__(self) -> int:
        return len(self._bots)
