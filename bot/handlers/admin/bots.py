"""«Боты» (Управление списком телеграм ботов пользователя): each custom bot with its status;
switch one on (the others go off), off, or delete it."""

from __future__ import annotations

import logging

from telegram import Bot, Update, User
from telegram.error import InvalidToken, TelegramError

from bot.context import Ctx
from bot.handlers.admin import announce
from bot.handlers.admin.shared import AdminEnv, Screen, Session, Stale, show, tr
from bot.keyboards import admin as kb
from delivery.pacing import BotPace
from store.errors import NotFound
from store.models import BotStatus, CustomBot

log = logging.getLogger(__name__)


class TokenRejected(Exception):
    """Telegram does not know this token (revoked, mistyped): give up on it."""


class TelegramUnreachable(Exception):
    """getMe could not be answered right now: try again later."""


async def identify(env: AdminEnv, token: str) -> User:
    """getMe with this token against the configured Bot API server."""
    probe = Bot(token, base_url=f"{env.api_base}/bot", base_file_url=f"{env.api_base}/file/bot")
    try:
        async with probe:
            return probe.bot
    except InvalidToken:
        raise TokenRejected() from None
    except TelegramError as exc:
        # The text of a PTB error may quote the token: keep only its type.
        log.warning("getMe for a token an admin entered failed: %s", type(exc).__name__)
        raise TelegramUnreachable() from None


def _status(ctx: Ctx, s: Session, bot: CustomBot) -> str:
    return tr(ctx, s, f"bot_status.{bot.status.value}")


async def bot_of(ctx: Ctx, s: Session, bid: str) -> CustomBot:
    """The tenant's bot the button names; Stale when it is gone."""
    try:
        return await ctx.deps.store.bots.get(s.tid, bid)
    except NotFound:
        raise Stale("admin.stale.bot") from None


async def list_screen(ctx: Ctx, s: Session) -> Screen:
    bots = await ctx.deps.store.bots.list(s.tid)
    lines = [tr(ctx, s, "admin.bots.title"), ""]
    if not bots:
        lines.append(tr(ctx, s, "admin.bots.empty"))
    for bot in bots:
        lines.append(
            tr(
                ctx,
                s,
                "admin.bots.item",
                name=bot.name,
                username=bot.username,
                status=_status(ctx, s, bot),
            )
        )
    lines += ["", tr(ctx, s, "admin.bots.default", bot=ctx.deps.default.username)]
    rows = [[kb.button(f"{bot.name} (@{bot.username})", kb.BotCard(s.tid, bot.id))] for bot in bots]
    rows.append([kb.button(tr(ctx, s, "admin.bots.add"), kb.BotAdd(s.tid))])
    rows.append([kb.button(tr(ctx, s, "admin.back.menu"), kb.Menu(s.tid))])
    return Screen("\n".join(lines), kb.markup(rows))


async def card_screen(ctx: Ctx, s: Session, bid: str) -> Screen:
    bot = await bot_of(ctx, s, bid)
    text = tr(
        ctx, s, "admin.bots.card", name=bot.name, username=bot.username, status=_status(ctx, s, bot)
    )
    active = bot.status is BotStatus.ACTIVE
    switch = kb.button(
        tr(ctx, s, "admin.bots.turn_off" if active else "admin.bots.turn_on"),
        kb.BotSwitch(s.tid, bot.id, not active),
    )
    rows = [
        [switch],
        [kb.button(tr(ctx, s, "admin.bots.pace"), kb.BotRate(s.tid, bot.id))],
        [kb.button(tr(ctx, s, "admin.bots.delete"), kb.BotDelete(s.tid, bot.id, False))],
        [kb.button(tr(ctx, s, "admin.back.bots"), kb.Bots(s.tid))],
    ]
    return Screen(text, kb.markup(rows))


async def activate(ctx: Ctx, s: Session, bot: CustomBot) -> str:
    """Check the token, make the bot the tenant's one active bot, invite its subscribers."""
    store = ctx.deps.store
    try:
        await identify(s.env, bot.token)
    except TokenRejected:
        await store.bots.mark_broken(s.tid, bot.id)
        return tr(ctx, s, "admin.bots.rejected_now", username=bot.username)
    except TelegramUnreachable:
        return tr(ctx, s, "admin.bots.unreachable")
    bot, replaced = await store.bots.activate(s.tid, bot.id)
    invited = await announce.start_links(ctx, s, bot)
    notice = tr(ctx, s, "admin.bots.now_active", username=bot.username, invited=invited)
    if replaced is not None:
        old = await store.bots.get(s.tid, replaced)
        notice += await _farewell(ctx, s, old, bot.username)
    return notice


async def _farewell(ctx: Ctx, s: Session, old: CustomBot, successor: str) -> str:
    told = await announce.farewell(ctx, s, old, successor)
    if not told:
        return ""
    return " " + tr(ctx, s, "admin.bots.farewell", old=old.username, bot=successor, told=told)


# --- buttons ----------------------------------------------------------------------------------


async def on_bots(update: Update, ctx: Ctx, s: Session, data: kb.Bots) -> None:
    await show(update, ctx, await list_screen(ctx, s))


async def on_card(update: Update, ctx: Ctx, s: Session, data: kb.BotCard) -> None:
    await show(update, ctx, await card_screen(ctx, s, data.bot))


async def on_switch(update: Update, ctx: Ctx, s: Session, data: kb.BotSwitch) -> str:
    bot = await bot_of(ctx, s, data.bot)
    if data.on and bot.status is not BotStatus.ACTIVE:
        notice = await activate(ctx, s, bot)
    elif not data.on and bot.status is BotStatus.ACTIVE:
        await ctx.deps.store.bots.deactivate(s.tid, bot.id)
        default = ctx.deps.default.username
        notice = tr(ctx, s, "admin.bots.now_off", bot=default)
        notice += await _farewell(ctx, s, bot, default)
    else:
        notice = tr(ctx, s, "admin.bots.unchanged")  # a second tap on an old button
    await show(update, ctx, await card_screen(ctx, s, bot.id))
    return notice


async def on_delete(update: Update, ctx: Ctx, s: Session, data: kb.BotDelete) -> str | None:
    bot = await bot_of(ctx, s, data.bot)
    if not data.confirmed:
        rows = [
            [kb.button(tr(ctx, s, "admin.bots.delete_yes"), kb.BotDelete(s.tid, bot.id, True))],
            [kb.button(tr(ctx, s, "admin.no"), kb.BotCard(s.tid, bot.id))],
        ]
        text = tr(ctx, s, "admin.bots.delete_confirm", name=bot.name, username=bot.username)
        await show(update, ctx, Screen(text, kb.markup(rows)))
        return None
    was_active = bot.status is BotStatus.ACTIVE
    # Its pace first: a paid rate never outlives the bot for whoever registers it next.
    await BotPace.of(ctx.deps.store).clear(bot.tg_id)
    await ctx.deps.store.bots.delete(s.tid, bot.id)
    await show(update, ctx, await list_screen(ctx, s))
    notice = tr(ctx, s, "admin.bots.deleted", username=bot.username)
    if was_active:
        notice += await _farewell(ctx, s, bot, ctx.deps.default.username)
    return notice


ROUTES = {
    kb.Bots: on_bots,
    kb.BotCard: on_card,
    kb.BotSwitch: on_switch,
    kb.BotDelete: on_delete,
}
