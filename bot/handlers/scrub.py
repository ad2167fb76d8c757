"""Group -2, before every other handler: a secret where no other handler looks is deleted.

The other handlers read new text messages only: a pasted API key becomes /activate, a token
is taken by «add bot» or deleted with a warning, and each deletes the message itself. An
API key or a bot token in an EDITED message or in a CAPTION (a photo, a document) reached
none of them and stayed in the chat. This handler deletes exactly those, and lets the update
go on (it never stops the other groups).
"""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.context import Ctx
from bot.handlers.common import chat_lang, delete_quietly, send, text
from bot.logfilter import API_KEY_RE, TOKEN_RE

log = logging.getLogger(__name__)

GROUP = -2  # before track (-1): one handler per group runs, and this one must always run


def _unseen(update: Update) -> tuple[Message, str] | None:
    """The message and the text no other handler reads: an edit's text or caption, a new
    message's caption."""
    if update.edited_message is not None:
        message = update.edited_message
        return message, "\n".join(filter(None, (message.text, message.caption)))
    if update.message is not None and update.message.caption:
        return update.message, update.message.caption
    return None


async def scrub(update: Update, ctx: Ctx) -> None:
    found = _unseen(update)
    if found is None:
        return
    message, body = found
    if API_KEY_RE.search(body):
        note = "bot.key.deleted"
    elif TOKEN_RE.search(body):
        note = "bot.token_deleted"
    else:
        return
    if await delete_quietly(message):
        log.info("deleted a secret in chat %s (edited or caption)", message.chat_id)
        await send(update, ctx, text(ctx, await chat_lang(update, ctx), note))


def handlers() -> list[BaseHandler]:
    edited = filters.UpdateType.EDITED_MESSAGE & (filters.TEXT | filters.CAPTION)
    captioned = filters.UpdateType.MESSAGE & filters.CAPTION
    return [MessageHandler(edited | captioned, scrub)]
