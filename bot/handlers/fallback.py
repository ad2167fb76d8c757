"""Last in line: unknown commands, a pasted API key (deleted, then /activate), a pasted token,
and a press of a button nobody handles (one from an older version)."""

from __future__ import annotations

import logging

from telegram import Chat, MessageEntity, Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.context import Ctx
from bot.handlers import keyflow
from bot.handlers.common import chat_lang, delete_quietly, send, text, user_lang
from bot.logfilter import TOKEN_RE
from store.crypto import looks_like_api_key

log = logging.getLogger(__name__)


async def unknown_command(update: Update, ctx: Ctx) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    if chat.type != Chat.PRIVATE and not _addressed_to_me(update, ctx):
        return  # "/foo" in a group may be another bot's command
    lang = await chat_lang(update, ctx)
    await send(update, ctx, text(ctx, lang, "bot.unknown_command"))


def _addressed_to_me(update: Update, ctx: Ctx) -> bool:
    message = update.effective_message
    if message is None:
        return False
    commands = message.parse_entities([MessageEntity.BOT_COMMAND]).values()
    first = next(iter(commands), "")
    return first.lower().endswith("@" + ctx.deps.me.username.lower())


async def plain_text(update: Update, ctx: Ctx) -> None:
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or not message.text:
        return
    words = message.text.split()
    key = next((w for w in words if looks_like_api_key(w)), None)
    if key is not None:
        return await keyflow.run(update, ctx, keyflow.Action.ACTIVATE, key)
    if TOKEN_RE.search(message.text):
        await delete_quietly(message)
        lang = await chat_lang(update, ctx)
        return await send(update, ctx, text(ctx, lang, "bot.token_deleted"))
    if chat.type == Chat.PRIVATE:
        lang = await chat_lang(update, ctx)
        await send(update, ctx, text(ctx, lang, "bot.plain_text"))


async def stale_button(update: Update, ctx: Ctx) -> None:
    """A press no handler took (a button of an older version): answer it, or it spins."""
    query = update.callback_query
    if query is None:
        return
    try:
        await query.answer(text(ctx, user_lang(update), "bot.stale_button"))
    except BadRequest as exc:  # too old to answer
        log.info("callback query not answered: %s", exc)


def handlers() -> list[BaseHandler]:
    new = filters.UpdateType.MESSAGE
    return [
        MessageHandler(new & filters.COMMAND, unknown_command),
        MessageHandler(new & filters.TEXT & ~filters.COMMAND, plain_text),
        CallbackQueryHandler(stale_button),
    ]
