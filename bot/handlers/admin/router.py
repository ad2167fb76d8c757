"""Every admin button goes through here: unpack, check the chat administers the tenant the
button names, run the menu's handler, and always answer the press (a notice, never an error)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from telegram import CallbackQuery, Update
from telegram.error import BadRequest, TelegramError

from bot.context import Ctx
from bot.handlers.admin import (
    apikey,
    bot_rate,
    bots,
    deadletters,
    followup,
    group_forum,
    group_hours,
    groups,
    hours,
    invites,
    journal,
    menu,
    pbx,
    purge,
    report,
    users,
)
from bot.handlers.admin.shared import AdminEnv, Stale, authorize, t, tr
from bot.handlers.common import user_lang
from bot.keyboards import admin as kb
from bot.keyboards.callbacks import BadCallbackData
from store.errors import NotFound

log = logging.getLogger(__name__)

# Telegram shows at most 200 characters of a callback answer.
NOTICE_LIMIT = 200

ROUTES: dict[type, object] = {
    **menu.ROUTES,
    **groups.ROUTES,
    **users.ROUTES,
    **bots.ROUTES,
    **bot_rate.ROUTES,
    **apikey.ROUTES,
    **deadletters.ROUTES,
    **invites.ROUTES,
    **journal.ROUTES,
    **hours.ROUTES,
    **report.ROUTES,
    **pbx.ROUTES,
    **followup.ROUTES,
    **group_hours.ROUTES,
    **group_forum.ROUTES,
}


async def answer(query: CallbackQuery, text: str | None) -> None:
    """answerCallbackQuery; a query that is too old to answer is no reason to fail."""
    if text and len(text) > NOTICE_LIMIT:
        text = text[: NOTICE_LIMIT - 1] + "…"
    try:
        await query.answer(text or None)
    except BadRequest as exc:
        log.info("callback query not answered: %s", exc)


@contextlib.asynccontextmanager
async def answered_on_failure(update: Update, ctx: Ctx) -> AsyncIterator[None]:
    """A press whose handler fails still gets its answer (else the button spins for a while);
    the failure then goes on to the error handler, which logs it."""
    try:
        yield
    except Exception:
        if update.callback_query is not None:
            with contextlib.suppress(TelegramError):
                await answer(update.callback_query, t(ctx, user_lang(update), "admin.failed"))
        raise


async def dispatch(update: Update, ctx: Ctx, env: AdminEnv) -> None:
    query = update.callback_query
    if query is None:
        return
    async with answered_on_failure(update, ctx):
        notice = await _route(update, ctx, env, query)
    await answer(query, notice)


async def _route(update: Update, ctx: Ctx, env: AdminEnv, query: CallbackQuery) -> str | None:
    """Run the press; the notice to answer it with."""
    chat, lang = update.effective_chat, user_lang(update)
    try:
        data = kb.parse(query.data)
    except BadCallbackData:
        return t(ctx, lang, "admin.stale.button")
    route = ROUTES.get(type(data))
    tid = getattr(data, "tenant", None)
    if route is None or chat is None or tid is None:
        return t(ctx, lang, "admin.stale.button")
    await purge.sweep(ctx)
    session = await authorize(ctx, env, chat.id, tid)
    if session is None:
        return t(ctx, lang, "admin.stale.session")
    try:
        notice = await route(update, ctx, session, data)  # type: ignore[operator]
        await journal.note_press(update, ctx, session, data)  # the audit log, if it changed
        return notice
    except Stale as stale:
        return tr(ctx, session, stale.key)
    except NotFound:
        return tr(ctx, session, "admin.stale.gone")
