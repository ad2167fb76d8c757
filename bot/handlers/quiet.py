"""/quiet 22:00-08:00 and /quiet off: a subscriber's personal quiet hours, when its cards
arrive without a sound (in each company's time zone); /quiet alone shows them."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import Command, Ctx
from bot.handlers.common import is_group_admin, send, text, user_lang
from perezvon.hours import BadHours, parse_window, window_text
from store.errors import NotFound

COMMANDS = (Command("quiet", "hours.quiet.command", "hours.quiet.help"),)
OFF = ("off", "выкл", "нет")


async def _mine(ctx: Ctx, chat_id: int) -> list[tuple[str, str]]:
    """(tenant id, zone) of each subscription of this chat that this bot serves."""
    me, store = ctx.deps.me, ctx.deps.store
    found = []
    for tid in await store.subs.tenants_of_chat(chat_id):
        if not me.is_default and me.tenant_id != tid:
            continue
        try:
            found.append((tid, (await store.tenants.get(tid)).tz))
        except NotFound:
            continue
    return found


async def quiet(update: Update, ctx: Ctx) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    lang = user_lang(update)
    if not await is_group_admin(update, ctx):
        return await send(update, ctx, text(ctx, lang, "hours.quiet.group_admins_only"))
    mine = await _mine(ctx, chat.id)
    if not mine:
        return await send(update, ctx, text(ctx, lang, "hours.quiet.not_subscribed"))
    schedules = ctx.deps.store.schedules
    arg = " ".join(ctx.args or []).strip()
    zone = mine[0][1]
    if not arg:
        window = await schedules.quiet(mine[0][0], chat.id)
        if window is None:
            return await send(update, ctx, text(ctx, lang, "hours.quiet.none"))
        shown = window_text(window)
        return await send(update, ctx, text(ctx, lang, "hours.quiet.show", window=shown, zone=zone))
    if arg.lower() in OFF:
        for tid, _ in mine:
            await _set(ctx, tid, chat.id, None)
        return await send(update, ctx, text(ctx, lang, "hours.quiet.off"))
    try:
        window = parse_window(arg)
    except BadHours:
        return await send(update, ctx, text(ctx, lang, "hours.quiet.bad"))
    for tid, _ in mine:
        await _set(ctx, tid, chat.id, window_text(window))
    shown = window_text(window)
    await send(update, ctx, text(ctx, lang, "hours.quiet.set", window=shown, zone=zone))


async def _set(ctx: Ctx, tid: str, chat_id: int, window: str | None) -> None:
    try:
        await ctx.deps.store.schedules.set_quiet(tid, chat_id, window)
    except NotFound:
        pass  # unsubscribed meanwhile


def handlers() -> list[BaseHandler]:
    return [CommandHandler("quiet", quiet, filters=filters.UpdateType.MESSAGE)]
