"""Bot API calls for many bot tokens over ONE shared HTTP connection pool.

No `telegram.Bot` per token: for a text message the engine needs neither PTB's argument
defaults nor a `Message` built from every answer (both showed in the profile), only PTB's
parsing of the answer and its exception types, which `BaseRequest.post` gives.
"""

from __future__ import annotations

from typing import Any

from delivery.pacing import Arrivals
from delivery.routing import BotRef
from delivery.transport import AiohttpRequest, FileParams, JsonParams

# Methods Telegram's limits count (bot/ratelimit.py keeps the full rule for PTB's calls).
COUNTED = ("send", "edit", "copyMessage", "forwardMessage")


class BotPool:
    """`await pool.call(bot, "sendMessage", params)`: Telegram's `result`, or PTB's exception."""

    def __init__(
        self,
        api_base: str,
        send_timeout: float,
        connections: int = 64,
        arrivals: Arrivals | None = None,
    ) -> None:
        self._api = api_base.rstrip("/")
        # Telegram counts a send when it arrives, and on busy workers the lag from a send's slot
        # to its arrival varies by tens of ms: a bot's sends wait for room in its arrival window
        # (a paid broadcast is paced by its own rate in the claim alone).
        self._arrivals = arrivals
        self._request = AiohttpRequest(
            connections,
            read_timeout=send_timeout,
            connect_timeout=min(send_timeout, 5.0),
            pool_timeout=send_timeout,
        )

    async def start(self) -> None:
        await self._request.initialize()

    async def stop(self) -> None:
        await self._request.shutdown()

    async def call(
        self, bot: BotRef, method: str, params: dict[str, Any], read_timeout: float | None = None
    ) -> Any:
        """One Bot API method; `params` must be JSON-ready (None values are left out)."""
        arrivals = self._arrivals
        if arrivals is None or not method.startswith(COUNTED) or params.get("allow_paid_broadcast"):
            return await self._post(bot, method, params, read_timeout)
        send = await arrivals.enter(bot.tg_id)
        try:
            return await self._post(bot, method, params, read_timeout)
        finally:
            await arrivals.leave(bot.tg_id, send)

    async def _post(
        self, bot: BotRef, method: str, params: dict[str, Any], read_timeout: float | None
    ) -> Any:
        return await self._request.post(
            f"{self._api}/bot{bot.token}/{method}",
            JsonParams({k: v for k, v in params.items() if v is not None}),
            read_timeout=self._request.read_timeout if read_timeout is None else read_timeout,
        )

    async def upload(
        self,
        bot: BotRef,
        method: str,
        params: dict[str, Any],
        file: tuple[str, str, bytes],
        read_timeout: float | None = None,
    ) -> Any:
        """A method with one file, `file` = (field, filename, bytes): sent as multipart."""
        values = {k: v for k, v in params.items() if v is not None}
        return await self._request.post(
            f"{self._api}/bot{bot.token}/{method}",
            FileParams(values, *file),
            read_timeout=self._request.read_timeout if read_timeout is None else read_timeout,
        )
