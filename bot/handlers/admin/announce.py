"""Service messages the admin's actions cause, queued durably through the delivery Outbox.

The Outbox sends HTML, so every value put into these texts is escaped here.
"""

from __future__ import annotations

import asyncio
import html
import logging

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import RetryAfter, TelegramError

from bot.context import Ctx
from bot.handlers.admin.shared import Session, all_subs, group_name, tr
from store import keys as store_keys
from store.models import CustomBot, Group, SubStatus

log = logging.getLogger(__name__)

# Who hears about changes of their notifications: the ones receiving them now.
LISTENING = (SubStatus.ACTIVE,)


def _e(value: str) -> str:
    return html.escape(value, quote=False)


async def group_flag(ctx: Ctx, s: Session, group: Group) -> int:
    """Tell every active follower of `group` that its notifications are now on or off."""
    key = "admin.notice.group_on" if group.notify else "admin.notice.group_off"
    text = tr(ctx, s, key, group=_e(group_name(ctx, s.lang, group)), tenant=_e(s.tenant.name))
    listening = [
        sub
        for sub in await all_subs(ctx.deps.store, s.tid)
        if sub.status in LISTENING and sub.follows(group.id)
    ]
    # One durable entry that delivery expands: a crash cannot leave half of them untold.
    await s.env.outbox.followers(s.tid, group.id, text)
    return len(listening)


async def subscriber_switched(ctx: Ctx, s: Session, chat_id: int, on: bool) -> None:
    key = "admin.notice.user_on" if on else "admin.notice.user_off"
    await s.env.outbox.service(s.tid, chat_id, tr(ctx, s, key, tenant=_e(s.tenant.name)))


async def reachable(ctx: Ctx, s: Session, chat_id: int) -> bool:
    """Whether some bot of this tenant may write to the chat (it started one of them)."""
    store = ctx.deps.store
    bots = {ctx.deps.default.tg_id}
    custom = await store.bots.active(s.tid)
    if custom is not None:
        bots.add(custom.tg_id)
    for bot in bots:
        if await store.started.has(bot, chat_id):
            return True
    return False


async def welcome(ctx: Ctx, s: Session, chat_id: int) -> bool:
    """Greet a subscriber the admin added, if a bot can reach them; True when queued."""
    if not await reachable(ctx, s, chat_id):
        return False
    text = tr(ctx, s, "admin.notice.welcome", tenant=_e(s.tenant.name))
    await s.env.outbox.service(s.tid, chat_id, text)
    return True


async def start_links(ctx: Ctx, s: Session, bot: CustomBot) -> int:
    """Invite every active subscriber who never started the newly active bot to start it."""
    store = ctx.deps.store
    subs = [sub for sub in await all_subs(store, s.tid) if sub.status in LISTENING]
    async with store.redis.pipeline(transaction=False) as pipe:
        for sub in subs:
            pipe.sismember(store_keys.started(bot.tg_id), str(sub.chat_id))
        started = await pipe.execute()
    link = f"https://t.me/{bot.username}?start=hi"
    text = tr(
        ctx, s, "admin.notice.start_bot", tenant=_e(s.tenant.name), bot=_e(bot.username), link=link
    )
    invited = 0
    for sub, has in zip(subs, started, strict=True):
        if not has:
            await s.env.outbox.service(s.tid, sub.chat_id, text)
            invited += 1
    return invited


FAREWELL_PER_SECOND = 25  # under the 30 messages/s Telegram allows one bot


async def farewell(ctx: Ctx, s: Session, old: CustomBot, successor: str) -> int:
    """Before `old` stops delivering: whoever started only that bot gets, through it, a link to
    `successor` (the bot that delivers from now on); otherwise nothing could ever reach them.

    Sent straight through the old bot's token (still valid at Telegram after we switch it off),
    paced under its limit, in the background; returns how many will be told.
    """
    store = ctx.deps.store
    subs = [sub for sub in await all_subs(store, s.tid) if sub.status in LISTENING]
    async with store.redis.pipeline(transaction=False) as pipe:
        for sub in subs:
            pipe.sismember(store_keys.started(old.tg_id), str(sub.chat_id))
            pipe.sismember(store_keys.started(ctx.deps.default.tg_id), str(sub.chat_id))
        flags = await pipe.execute()
    stranded = [
        sub.chat_id
        for sub, only_old, has_default in zip(subs, flags[::2], flags[1::2], strict=True)
        if only_old and not has_default
    ]
    if stranded:
        text = tr(
            ctx, s, "admin.notice.bot_leaving", tenant=_e(s.tenant.name), old=_e(old.username),
            bot=_e(successor), link=f"https://t.me/{successor}?start=hi",
        )  # fmt: skip
        ctx.application.create_task(
            _send_through(s.env.api_base, old.token, stranded, text), name="admin-farewell"
        )
    return len(stranded)


async def _send_through(api_base: str, token: str, chats: list[int], text: str) -> None:
    async with Bot(token, base_url=f"{api_base}/bot", base_file_url=f"{api_base}/file/bot") as bot:
        for chat in chats:
            for _ in range(3):
                try:
                    await bot.send_message(chat, text, parse_mode=ParseMode.HTML)
                    break
                except RetryAfter as exc:
                    await asyncio.sleep(float(exc.retry_after))
                except TelegramError as exc:  # blocked, gone, token revoked: nothing to add
                    log.info("farewell to chat %s not sent: %s", chat, exc)
                    break
            await asyncio.sleep(1 / FAREWELL_PER_SECOND)


async def sessions_ended(ctx: Ctx, s: Session, chats: list[int]) -> None:
    """The key was rotated: tell every other admin their session ended."""
    text = tr(ctx, s, "admin.notice.key_rotated", tenant=_e(s.tenant.name))
    for chat in chats:
        if chat != s.chat_id:
            await s.env.outbox.service(s.tid, chat, text)
