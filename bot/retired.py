"""Bots that were switched off still answer: "this bot no longer delivers; @X does".

A tenant's custom bot that was active and was switched off (or replaced by another) stops
delivering, but its subscribers may still write to it — /status, a button of an old message.
Silence there reads as "the service is broken". So for RETIRE_WINDOW after it was switched
off, the runtime polls it now and then, cheaply, and answers every chat that wrote with one
notice naming the bot that delivers now (the tenant's active custom bot, else the default bot)
and a link to start it. A broken bot (Telegram rejected its token) cannot answer at all, and a
deleted one is forgotten.

Cost: no Application, no handlers, no long poll. One short `getUpdates` (timeout 0) per
retired bot and poll, over the runtime's shared connection pool; a bot nobody writes to is
polled less and less often (POLL_FIRST doubling to POLL_IDLE_MAX), one that gets messages
every POLL_FIRST. With 1,000 retired bots, all idle, that is under 2 requests a second. A poll
holds the bot's lease for its few milliseconds, so two instances never poll the same token
and a bot switched on again is taken over by its Application at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from telegram import Bot, Update
from telegram.error import InvalidToken, TelegramError

from bot.context import BotRef
from bot.http import SharedRequest
from bot.logfilter import redact
from perezvon.texts import Catalogue
from store import Store
from store.errors import NotFound
from store.leases import Leases
from store.models import CustomBot

log = logging.getLogger(__name__)

RETIRE_WINDOW = 30 * 86_400.0
POLL_FIRST = 15.0
POLL_IDLE_MAX = 600.0
ALLOWED = [Update.MESSAGE, Update.CALLBACK_QUERY]


@dataclass
class _Schedule:
    due: float = 0.0
    delay: float = POLL_FIRST
    offset: int | None = None


class RetiredBots:
    """Polls the retired bots of every tenant now and then, and answers with the notice."""

    def __init__(
        self,
        store: Store,
        texts: Catalogue,
        leases: Leases,
        *,
        api_base: str,
        request: SharedRequest,
        default: BotRef,
        serving: Callable[[], frozenset[int]],
        clock: Callable[[], float] = time.time,
        tick: float = 5.0,
        first: float = POLL_FIRST,
    ) -> None:
        self._store = store
        self._texts = texts
        self._leases = leases
        self._api_base = api_base
        self._request = request
        self._default = default
        self._serving = serving
        self._clock = clock
        self._tick = tick
        self._first = first
        self._plan: dict[int, _Schedule] = {}

    async def run(self, stopped: asyncio.Event) -> None:
        """Until `stopped`: every tick, poll the retired bots that are due."""
        while not stopped.is_set():
            try:
                await self.sweep()
            except Exception as exc:  # Redis away, say: try again next tick
                log.warning("retired bots: sweep failed, retrying: %s", redact(repr(exc)))
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._tick):
                    await stopped.wait()

    async def sweep(self) -> int:
        """Poll every retired bot that is due; returns how many chats were answered."""
        bots = await self._store.bots.all_retired(self._clock() - RETIRE_WINDOW)
        known = {bot.tg_id for bot in bots}
        for tg_id in set(self._plan) - known:
            del self._plan[tg_id]
        now = asyncio.get_running_loop().time()
        answered = 0
        for bot in bots:
            plan = self._plan.setdefault(bot.tg_id, _Schedule(delay=self._first))
            if plan.due > now:
                continue
            got = await self._poll(bot, plan)
            answered += got
            plan.delay = self._first if got else min(POLL_IDLE_MAX, plan.delay * 2)
            plan.due = asyncio.get_running_loop().time() + plan.delay
        return answered

    async def _poll(self, custom: CustomBot, plan: _Schedule) -> int:
        if custom.tg_id in self._serving():
            return 0  # switched on again and already running here: its Application answers
        if not await self._leases.acquire(custom.tg_id):
            return 0  # an instance serves it (switched on again) or polls it right now
        bot = Bot(
            custom.token,
            base_url=f"{self._api_base}/bot",
            base_file_url=f"{self._api_base}/file/bot",
            request=self._request,
            get_updates_request=self._request,
        )
        try:
            updates = await bot.get_updates(offset=plan.offset, timeout=0, allowed_updates=ALLOWED)
            if not updates:
                return 0
            plan.offset = updates[-1].update_id + 1
            # Confirmed before answering: a crash then loses a notice, never repeats one.
            await bot.get_updates(offset=plan.offset, timeout=0, limit=1, allowed_updates=ALLOWED)
            return await self._answer(bot, custom, updates)
        except InvalidToken:
            return 0  # revoked meanwhile: nothing can be said through it
        except TelegramError as exc:
            log.info("retired bot %s: %s", custom.tg_id, redact(str(exc)))
            return 0
        finally:
            with contextlib.suppress(Exception):
                await self._leases.release(custom.tg_id)

    async def _answer(self, bot: Bot, custom: CustomBot, updates: list[Update]) -> int:
        try:
            tenant = await self._store.tenants.get(custom.tenant_id)
        except NotFound:
            return 0
        via = await self._store.bots.active(tenant.id)
        username = via.username if via is not None else self._default.username
        link = f"https://t.me/{username}?start=hi"
        values = {"tenant": tenant.name, "bot": username, "link": link}
        notice = self._texts.t(tenant.lang, "chat.retired", **values)
        told: set[int] = set()
        for update in updates:
            query, message = update.callback_query, update.message
            try:
                if query is not None:
                    toast = self._texts.t(tenant.lang, "chat.retired.button", bot=username)
                    await bot.answer_callback_query(query.id, toast[:200], show_alert=True)
                elif message is not None and message.chat.id not in told:
                    if message.chat.type != "private" and not (message.text or "").startswith("/"):
                        continue  # group chatter is not addressed to the bot
                    told.add(message.chat.id)
                    await bot.send_message(message.chat.id, notice)
            except TelegramError as exc:
                log.info("retired bot %s: could not answer: %s", custom.tg_id, redact(str(exc)))
        return len(told) + sum(1 for u in updates if u.callback_query is not None)
