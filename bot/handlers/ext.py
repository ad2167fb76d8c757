"""/ext 102, /ext off and /ext: a subscriber's PBX extension, which «Позвонить» on a card rings
first (docs/followup.md). Private chats only: the extension belongs to a person."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import Command, Ctx
from bot.handlers.common import send, text, user_lang
from store.errors import NotFound
from store.subscriptions import EXTENSION

COMMANDS = (Command("ext", "ext.command", "ext.help"),)
OFF = ("off", "выкл", "нет", "-")


async def _mine(ctx: Ctx, chat_id: int) -> list[str]:
    """The tenants this chat is subscribed to that this bot serves."""
    me, store = ctx.deps.me, ctx.deps.store
    return [
        tid
        for tid in await store.subs.tenants_of_chat(chat_id)
        if me.is_default or me.tenant_id == tid
    ]


async def ext(update: Update, ctx: Ctx) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    lang = user_lang(update)
    if chat.type != ChatType.PRIVATE:
        return await send(update, ctx, text(ctx, lang, "ext.private_only"))
    mine = await _mine(ctx, chat.id)
    if not mine:
        return await send(update, ctx, text(ctx, lang, "ext.not_subscribed"))
    subs = ctx.deps.store.subs
    arg = " ".join(ctx.args or []).strip()
    if not arg:
        sub = await subs.find(mine[0], chat.id)
        current = sub.extension if sub is not None else ""
        key = "ext.show" if current else "ext.none"
        return await send(update, ctx, text(ctx, lang, key, ext=current))
    value = "" if arg.lower() in OFF else arg
    if value and not EXTENSION.fullmatch(value):
        return await send(update, ctx, text(ctx, lang, "ext.bad"))
    for tid in mine:  # one person, one desk phone: the same in every company it serves
        try:
            await subs.set_extension(tid, chat.id, value)
        except NotFound:
            continue  # unsubscribed meanwhile
    key = "ext.set" if value else "ext.off"
    await send(update, ctx, text(ctx, lang, key, ext=value))


def handlers() -> list[BaseHandler]:
    return [CommandHandler("ext", ext, filters=filters.UpdateType.MESSAGE)]
