"""/id: this chat's id, which «Добавить пользователя» asks the admin for (a group's own id in a
group), tap-to-copy."""

from __future__ import annotations

from telegram import Chat, Update
from telegram.constants import ParseMode
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import Command, Ctx
from bot.handlers.common import chat_lang, text

COMMANDS = (Command("id", "chat.cmd.id", "chat.help.id"),)


async def chat_id(update: Update, ctx: Ctx) -> None:
    chat, message = update.effective_chat, update.effective_message
    if chat is None:
        return
    lang = await chat_lang(update, ctx)
    key = "chat.id.private" if chat.type == Chat.PRIVATE else "chat.id.group"
    thread = message.message_thread_id if message and message.is_topic_message else None
    await ctx.bot.send_message(
        chat.id,
        text(ctx, lang, key, chat=chat.id),
        parse_mode=ParseMode.HTML,
        message_thread_id=thread,
    )


def handlers() -> list[BaseHandler]:
    return [CommandHandler("id", chat_id, filters=filters.UpdateType.MESSAGE)]
