"""Pushes a bot's pending updates to its webhook, one at a time, retrying with backoff."""

from __future__ import annotations

import asyncio
import contextlib
import time

import aiohttp

from .settings import EmulatorSettings
from .state import BotAccount, Webhook

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookSender:
    """One delivery task per bot with a webhook; cancelled when the webhook goes."""

    def __init__(self, settings: EmulatorSettings) -> None:
        self._settings = settings
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._session: aiohttp.ClientSession | None = None

    def ensure(self, bot: BotAccount) -> None:
        """Start delivering for this bot unless already doing so."""
        task = self._tasks.get(bot.id)
        if task is None or task.done():
            self._tasks[bot.id] = asyncio.get_running_loop().create_task(self._run(bot))

    def stop(self, bot_id: int) -> None:
        """Stop delivering for this bot."""
        task = self._tasks.pop(bot_id, None)
        if task is not None:
            task.cancel()

    async def close(self) -> None:
        """Cancel every delivery and close the HTTP session."""
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    async def _run(self, bot: BotAccount) -> None:
        delay = self._settings.webhook_retry_initial_seconds
        queue = bot.updates
        while bot.webhook is not None and not bot.gone:
            hook = bot.webhook

            def ready(hook: Webhook = hook) -> bool:
                return bot.webhook is not hook or bool(queue.select(1, bot.allowed_updates))

            if not await queue.signal.wait_until(ready, 3600) or bot.webhook is not hook:
                continue
            update = queue.select(1, bot.allowed_updates)[0]
            error = await self._post(hook, update)
            if error is None:
                queue.pop_first(update["update_id"])
                delay = self._settings.webhook_retry_initial_seconds
                continue
            hook.last_error_date = int(time.time())
            hook.last_error_message = error
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._settings.webhook_retry_max_seconds)

    async def _post(self, hook: Webhook, update: dict) -> str | None:
        """Deliver one update; None on a 2xx answer, else Telegram-style error text."""
        headers = {SECRET_HEADER: hook.secret_token} if hook.secret_token else {}
        timeout = aiohttp.ClientTimeout(total=self._settings.webhook_timeout_seconds)
        try:
            async with self._http().post(
                hook.url, json=update, headers=headers, timeout=timeout
            ) as resp:
                await resp.read()
                if 200 <= resp.status < 300:
                    return None
                return f"Wrong response from the webhook: {resp.status} {resp.reason}"
        except TimeoutError:
            return "Read timeout expired"
        except aiohttp.ClientError as exc:
            return f"Connection failed: {type(exc).__name__}"
