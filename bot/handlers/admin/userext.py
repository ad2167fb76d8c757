"""«Внутренний номер» on a subscriber's card: the admin types the extension «Позвонить» rings
(the subscriber can also set it with /ext)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import Ctx
from bot.handlers.admin import dialog, users
from bot.handlers.admin.shared import AdminEnv, Session, send_screen, tr
from bot.handlers.ext import OFF
from bot.keyboards import admin as kb
from store.errors import NotFound
from store.subscriptions import EXTENSION

EXT = "user_ext"
KIND = "user_ext"


async def start(update: Update, ctx: Ctx, s: Session, data: kb.UserExt) -> str:
    await users.card_screen(ctx, s, data.chat, data.group, data.page)  # Stale if it is gone
    await dialog.begin(update, ctx, s, KIND, "admin.users.ext_prompt")
    dialog.remember(ctx, chat=data.chat, group=data.group, page=data.page)
    return EXT


async def got_ext(update: Update, ctx: Ctx, env: AdminEnv) -> object:
    s = await dialog.current(update, ctx, env, KIND)
    if s is None:
        return ConversationHandler.END
    answer = await dialog.answer_text(ctx, s, update.effective_message)
    if answer is None:
        return EXT
    value = "" if answer.lower() in OFF else answer.replace(" ", "")
    if value and not EXTENSION.fullmatch(value):
        await dialog.ask(ctx, s, "ext.bad")
        return EXT
    chat = int(dialog.recall(ctx, "chat"))
    group, page = str(dialog.recall(ctx, "group")), int(dialog.recall(ctx, "page") or 0)
    await dialog.finish(ctx, s.chat_id)
    try:
        await ctx.deps.store.subs.set_extension(s.tid, chat, value)
    except NotFound:
        await ctx.bot.send_message(s.chat_id, tr(ctx, s, "admin.stale.user"))
        return ConversationHandler.END
    await ctx.bot.send_message(s.chat_id, tr(ctx, s, "admin.followup.saved"))
    await send_screen(ctx, s.chat_id, await users.card_screen(ctx, s, chat, group, page))
    return ConversationHandler.END
