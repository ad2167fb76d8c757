"""«Добавить бота»: «Имя», then «Token» — deleted at once, checked with getMe, registered once."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import Ctx
from bot.handlers.admin import bots, dialog, journal
from bot.handlers.admin.shared import AdminEnv, Session, send_screen, tr
from bot.handlers.common import delete_quietly
from bot.keyboards import admin as kb
from bot.logfilter import TOKEN_RE
from store.bots import MAX_NAME
from store.errors import TokenTaken

NAME, TOKEN = "bot_name", "bot_token"
KIND = "bot"


async def start(update: Update, ctx: Ctx, s: Session, data: kb.BotAdd) -> str:
    await dialog.begin(update, ctx, s, KIND, "admin.bots.ask_name")
    return NAME


got_name = dialog.name_step(KIND, NAME, TOKEN, MAX_NAME, "admin.bots", "admin.bots.ask_token")


async def got_token(update: Update, ctx: Ctx, env: AdminEnv) -> object:
    message = update.effective_message
    # The token is a secret: gone from the chat before anything else happens.
    deleted = await delete_quietly(message)
    s = await dialog.current(update, ctx, env, KIND)
    if s is None:
        return ConversationHandler.END
    if not deleted:
        await ctx.bot.send_message(s.chat_id, tr(ctx, s, "admin.bots.token_not_deleted"))
    token = (message.text or "").strip() if message else ""
    refusal = await _register(update, ctx, s, token)
    if refusal is not None:
        await dialog.ask(ctx, s, refusal)
        return TOKEN
    return ConversationHandler.END


async def _register(update: Update, ctx: Ctx, s: Session, token: str) -> str | None:
    """Register the bot and show it; else the text key of the refusal."""
    if not TOKEN_RE.fullmatch(token):
        return "admin.bots.bad_token"
    try:
        user = await bots.identify(s.env, token)
    except bots.TokenRejected:
        return "admin.bots.token_rejected"
    except bots.TelegramUnreachable:
        return "admin.bots.unreachable_retry"
    if user.id == ctx.deps.default.tg_id:
        return "admin.bots.is_default"
    name = str(dialog.recall(ctx, "name"))
    store = ctx.deps.store
    # The tenant's own bot with a re-issued token: the store renews it in place.
    renewing = any(b.tg_id == user.id for b in await store.bots.list(s.tid))
    try:
        bot = await store.bots.add(s.tid, name, token, user.username or "", user.id)
    except TokenTaken:
        return "admin.bots.token_taken"
    await journal.note(update, ctx, s, "bot.add", f"@{bot.username}")
    await dialog.finish(ctx, s.chat_id)
    done = "admin.bots.renewed" if renewing else "admin.bots.added"
    await ctx.bot.send_message(s.chat_id, tr(ctx, s, done, name=bot.name, username=bot.username))
    await send_screen(ctx, s.chat_id, await bots.card_screen(ctx, s, bot.id))
    return None
