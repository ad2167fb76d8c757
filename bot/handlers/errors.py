"""The error handler: log without secrets, answer politely, report a rejected token."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, InvalidToken, TelegramError

from bot.context import Ctx
from bot.handlers.common import send, text, user_lang
from bot.logfilter import redact

log = logging.getLogger(__name__)


async def on_error(update: object, ctx: Ctx) -> None:
    error = ctx.error
    bot_id = ctx.deps.me.tg_id
    if isinstance(error, Forbidden):
        # Blocked or removed while we answered: nobody to apologise to.
        log.info("bot %s: %s", bot_id, redact(str(error)))
        return
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, InvalidToken):
        # Maybe revoked (401), maybe a 404: the runtime checks with getMe before stopping,
        # and says what it found in one line; a traceback here would tell nothing more.
        log.warning("bot %s: update %s failed: %s", bot_id, update_id, redact(repr(error)))
        ctx.deps.report_rejected()
    else:
        log.error(
            "bot %s: update %s failed: %s",
            bot_id,
            update_id,
            redact(f"{type(error).__name__}: {error}"),
            exc_info=error,
        )
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        await send(update, ctx, text(ctx, user_lang(update), "bot.error"))
    except TelegramError as exc:
        log.info(
            "bot %s: could not apologise in chat %s: %s", bot_id, update.effective_chat.id, exc
        )
