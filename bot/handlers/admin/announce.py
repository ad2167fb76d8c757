"""Service messages the admin's actions cause, queued durably through the delivery Outbox.

The Outbox sends HTML, so every value put into these texts is escaped here.
"""

from __future__ import annotations

import html

from bot.context import Ctx
from bot.handlers.admin.shared import Session, all_subs, group_name, tr
from store.models import CustomBot, Group, SubStatus

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
    started = await store.started.has_many(bot.tg_id, [sub.chat_id for sub in subs])
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


async def farewell(ctx: Ctx, s: Session, old: CustomBot, successor: str) -> int:
    """Before `old` stops delivering: whoever started only that bot gets, through it, a link to
    `successor` (the bot that delivers from now on); otherwise nothing could ever reach them.

    One durable entry that delivery sends through `old` alone (its token is still valid at
    Telegram after we switch it off), under that bot's limits; returns how many will be told.
    """
    store = ctx.deps.store
    subs = [sub for sub in await all_subs(store, s.tid) if sub.status in LISTENING]
    chats = [sub.chat_id for sub in subs]
    only_old = await store.started.has_many(old.tg_id, chats)
    has_default = await store.started.has_many(ctx.deps.default.tg_id, chats)
    stranded = [
        chat for chat, o, d in zip(chats, only_old, has_default, strict=True) if o and not d
    ]
    if stranded:
        text = tr(
            ctx, s, "admin.notice.bot_leaving", tenant=_e(s.tenant.name), old=_e(old.username),
            bot=_e(successor), link=f"https://t.me/{successor}?start=hi",
        )  # fmt: skip
        await s.env.outbox.farewell(old, stranded, text)
    return len(stranded)


async def sessions_ended(ctx: Ctx, s: Session, chats: list[int]) -> None:
    """The key was rotated: tell every other admin their session ended."""
    text = tr(ctx, s, "admin.notice.key_rotated", tenant=_e(s.tenant.name))
    for chat in chats:
        if chat != s.chat_id:
            await s.env.outbox.service(s.tid, chat, text)
