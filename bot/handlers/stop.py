"""/stop and /resume: pause and resume a company's notifications without its API key.

An admin may add any chat id as a subscriber; the person behind it must be able to make it stop
and start again without knowing that company's key. Only this chat's own subscriptions are
offered, and a press re-checks that the chat still follows that tenant. Pausing and resuming
need no key because they change only what this chat itself receives: a chat that was never
subscribed gets nothing, and an administrator's «Отключено администратором» stays off.
"""

from __future__ import annotations

from collections.abc import Callable

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import Command, Ctx
from bot.handlers.common import is_group_admin, send, text, user_lang
from bot.keyboards.callbacks import BadCallbackData
from bot.keyboards.subscriber import PauseSub, ResumeSub, pause_markup, resume_markup
from store.errors import DisabledByAdmin, NotFound
from store.models import SubStatus

COMMANDS = (
    Command("stop", "bot.cmd.stop", "bot.help.stop"),
    Command("resume", "chat.cmd.resume", "chat.help.resume"),
)
PAUSABLE = (SubStatus.ACTIVE, SubStatus.UNREACHABLE)
RESUMABLE = (SubStatus.MUTED,)


async def _offer(
    update: Update,
    ctx: Ctx,
    statuses: tuple[SubStatus, ...],
    keys: tuple[str, str, str, str],
    markup: Callable[[list[tuple[str, str]]], InlineKeyboardMarkup],
) -> None:
    """Buttons for this chat's subscriptions in `statuses`; keys: admins only, button, none,
    choose."""
    chat = update.effective_chat
    if chat is None:
        return
    lang = user_lang(update)
    admins_only, button, none, choose = keys
    if not await is_group_admin(update, ctx):
        return await send(update, ctx, text(ctx, lang, admins_only))
    store = ctx.deps.store
    choices = []
    for tid in await store.subs.tenants_of_chat(chat.id):
        sub = await store.subs.find(tid, chat.id)
        if sub is None or sub.status not in statuses:
            continue
        try:
            tenant = await store.tenants.get(tid)
        except NotFound:
            continue
        choices.append((tid, text(ctx, lang, button, tenant=tenant.name)))
    if not choices:
        return await send(update, ctx, text(ctx, lang, none))
    await ctx.bot.send_message(chat.id, text(ctx, lang, choose), reply_markup=markup(choices))


async def stop(update: Update, ctx: Ctx) -> None:
    keys = ("bot.stop.group_admins_only", "bot.stop.button", "bot.stop.none", "bot.stop.choose")
    await _offer(update, ctx, PAUSABLE, keys, pause_markup)


async def resume(update: Update, ctx: Ctx) -> None:
    keys = (
        "chat.resume.group_admins_only",
        "chat.resume.button",
        "chat.resume.none",
        "chat.resume.choose",
    )
    await _offer(update, ctx, RESUMABLE, keys, resume_markup)


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
    again = resume_markup([(tid, text(ctx, lang, "chat.stop.resume_button"))])
    await query.edit_message_text(
        text(ctx, lang, "chat.stop.done", tenant=tenant.name), reply_markup=again
    )


async def unpause(update: Update, ctx: Ctx) -> None:
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None:
        return
    lang = user_lang(update)
    try:
        tid = ResumeSub.unpack(query.data or "").tenant
        if not await is_group_admin(update, ctx):
            await query.answer(text(ctx, lang, "chat.resume.group_admins_only"), show_alert=True)
            return
        tenant = await ctx.deps.store.tenants.get(tid)
        await ctx.deps.store.subs.resume(tid, chat.id)
    except DisabledByAdmin:
        await query.answer()
        await query.edit_message_text(text(ctx, lang, "chat.resume.disabled", tenant=tenant.name))
        return
    except (BadCallbackData, NotFound):
        await query.answer(text(ctx, lang, "bot.stale_button"))
        return
    await query.answer()
    await query.edit_message_text(text(ctx, lang, "chat.resume.done", tenant=tenant.name))


def handlers() -> list[BaseHandler]:
    only_new = filters.UpdateType.MESSAGE
    return [
        CommandHandler("stop", stop, filters=only_new),
        CommandHandler("resume", resume, filters=only_new),
        CallbackQueryHandler(pause, pattern=PauseSub.matches),
        CallbackQueryHandler(unpause, pattern=ResumeSub.matches),
    ]
