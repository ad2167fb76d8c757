"""/stop: pause a company's notifications without its API key.

An admin may add any chat id as a subscriber; the person behind it must be able to make it stop
without knowing that company's key. Only this chat's own subscriptions are offered, and a press
re-checks that the chat still follows that tenant.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.context import Command, Ctx
from bot.handlers.common import is_group_admin, send, text, user_lang
from bot.keyboards.callbacks import BadCallbackData
from bot.keyboards.subscriber import PauseSub, pause_markup
from store.errors import DisabledByAdmin, NotFound
from store.models import SubStatus

COMMANDS = (Command("stop", "bot.cmd.stop", "bot.help.stop"),)
PAUSABLE = (SubStatus.ACTIVE, SubStatus.UNREACHABLE)


async def stop(update: Update, ctx: Ctx) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    lang = user_lang(update)
    if not await is_group_admin(update, ctx):
        return await send(update, ctx, text(ctx, lang, "bot.stop.group_admins_only"))
    store = ctx.deps.store
    choices = []
    for tid in await store.subs.tenants_of_chat(chat.id):
        sub = await store.subs.find(tid, chat.id)
        if sub is None or sub.status not in PAUSABLE:
            continue
        try:
            tenant = await store.tenants.get(tid)
        except NotFound:
            continue
        choices.append((tid, text(ctx, lang, "bot.stop.button", tenant=tenant.name)))
    if not choices:
        return await send(update, ctx, text(ctx, lang, "bot.stop.none"))
    await ctx.bot.send_message(
        chat.id, text(ctx, lang, "bot.stop.choose"), reply_markup=pause_markup(choices)
    )


async def pause(update: Update, ctx: Ctx) -> None:
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None:
        return
    lang = user_lang(update)
    try:
        tid = PauseSub.unpack(query.data or "").tenant
        if not await is_group_admin(update, ctx):
            await query.answer(text(ctx, lang, "bot.stop.group_admins_only"), show_alert=True)
            return
        await ctx.deps.store.subs.mute(tid, chat.id)
        tenant = await ctx.deps.store.tenants.get(tid)
    except (BadCallbackData, NotFound, DisabledByAdmin):
        await query.answer(text(ctx, lang, "bot.stale_button"))
        return
    await query.answer()
    await query.edit_message_text(text(ctx, lang, "bot.stop.done", tenant=tenant.name))


def handlers() -> list[BaseHandler]:
    return [CommandHandler("stop", stop), CallbackQueryHandler(pause, pattern=PauseSub.matches)]
