"""The one ConversationHandler of the admin's typed inputs (add a user, add a bot).

One handler for both flows, so pressing «Добавить бота» in the middle of «Добавить
пользователя» switches flows cleanly. It is persistent (state in Redis, survives restarts),
times out politely, and ends on /cancel, the Cancel button, a menu command or any other admin
button (which then does what it says).
"""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.context import Ctx
from bot.handlers.admin import (
    addbot,
    adduser,
    dialog,
    followup,
    group_hours,
    hours,
    menu,
    pbx,
    router,
    userext,
)
from bot.handlers.admin.shared import AdminEnv, Session, authorize, show, t, tr
from bot.handlers.common import user_lang
from bot.keyboards import admin as kb
from bot.keyboards import admin_followup as fkb
from bot.keyboards import admin_group as gkb
from bot.keyboards import admin_hours as hkb
from bot.keyboards import admin_pbx as pkb
from bot.keyboards.callbacks import BadCallbackData

NAME = "admin_input"
END = ConversationHandler.END

Step = Callable[[Update, Ctx, Session, object], Awaitable[str]]
Command = Callable[[Update, Ctx, AdminEnv], Awaitable[None]]


def _entry(env: AdminEnv, step: Step):
    """A menu button that starts a flow (also while another one runs: it replaces it)."""

    async def callback(update: Update, ctx: Ctx) -> object:
        query, chat = update.callback_query, update.effective_chat
        if query is None or chat is None:
            return END
        try:
            data = kb.parse(query.data)
        except BadCallbackData:
            await router.answer(query, t(ctx, user_lang(update), "admin.stale.button"))
            return END
        s = await authorize(ctx, env, chat.id, getattr(data, "tenant", ""))
        if s is None:
            await router.answer(query, t(ctx, user_lang(update), "admin.stale.session"))
            return END
        async with router.answered_on_failure(update, ctx):
            await dialog.finish(ctx, chat.id)
            state = await step(update, ctx, s, data)
        await router.answer(query, None)
        return state

    return callback


def _text(env: AdminEnv, step: Callable[[Update, Ctx, AdminEnv], Awaitable[object]]):
    async def callback(update: Update, ctx: Ctx) -> object:
        return await step(update, ctx, env)

    return callback


def _cancel_button(env: AdminEnv):
    async def callback(update: Update, ctx: Ctx) -> object:
        query, chat = update.callback_query, update.effective_chat
        if query is None or chat is None:
            return END
        pressed = query.message.message_id if query.message else 0
        await dialog.finish(ctx, chat.id, keep=pressed)
        tid = getattr(_parse(query.data), "tenant", "")
        s = await authorize(ctx, env, chat.id, tid) if tid else None
        if s is None:
            await router.answer(query, t(ctx, user_lang(update), "admin.stale.session"))
            return END
        async with router.answered_on_failure(update, ctx):
            await show(update, ctx, await menu.main_screen(ctx, s))
        await router.answer(query, tr(ctx, s, "admin.input.cancelled"))
        return END

    return callback


def _parse(data: object) -> object:
    try:
        return kb.parse(data)
    except BadCallbackData:
        return None


def _cancel_command(env: AdminEnv):
    async def callback(update: Update, ctx: Ctx) -> object:
        chat = update.effective_chat
        if chat is None:
            return END
        await dialog.finish(ctx, chat.id)
        await ctx.bot.send_message(chat.id, t(ctx, user_lang(update), "admin.input.cancelled"))
        await menu.open_menu(update, ctx, env, chat.id)
        return END

    return callback


def _then_end(env: AdminEnv, command: Command):
    """A menu command typed mid-dialogue: the dialogue ends, the command runs."""

    async def callback(update: Update, ctx: Ctx) -> object:
        chat = update.effective_chat
        if chat is not None:
            await dialog.finish(ctx, chat.id)
        await command(update, ctx, env)
        return END

    return callback


def _other_button(env: AdminEnv):
    async def callback(update: Update, ctx: Ctx) -> object:
        chat = update.effective_chat
        if chat is not None:
            await dialog.finish(ctx, chat.id)
        await router.dispatch(update, ctx, env)
        return END

    return callback


async def _not_text(update: Update, ctx: Ctx) -> None:
    chat = update.effective_chat
    if chat is not None:
        await ctx.bot.send_message(chat.id, t(ctx, user_lang(update), "admin.input.text_please"))


async def _timed_out(update: Update, ctx: Ctx) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    await dialog.finish(ctx, chat.id)
    await ctx.bot.send_message(chat.id, t(ctx, user_lang(update), "admin.input.timeout"))


def conversation(env: AdminEnv) -> BaseHandler:
    text = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND
    new = filters.UpdateType.MESSAGE
    starts = [
        CallbackQueryHandler(_entry(env, adduser.start), pattern=kb.UserAdd.matches),
        CallbackQueryHandler(_entry(env, addbot.start), pattern=kb.BotAdd.matches),
        CallbackQueryHandler(_entry(env, hours.start), pattern=hkb.HoursEdit.matches),
        CallbackQueryHandler(_entry(env, group_hours.start), pattern=gkb.GroupHoursEdit.matches),
        CallbackQueryHandler(_entry(env, pbx.start), pattern=pkb.PbxVendor.matches),
        CallbackQueryHandler(_entry(env, userext.start), pattern=kb.UserExt.matches),
        CallbackQueryHandler(_entry(env, followup.start_chat), pattern=fkb.FollowUpChat.matches),
    ]
    with warnings.catch_warnings():
        # Buttons start the flows, answers are messages: tracking per chat is what we want.
        warnings.filterwarnings("ignore", ".*per_message=False.*", PTBUserWarning)
        return ConversationHandler(
            entry_points=starts,
            states={
                adduser.NAME: [MessageHandler(text, _text(env, adduser.got_name))],
                adduser.CHAT: [MessageHandler(text, _text(env, adduser.got_chat))],
                addbot.NAME: [MessageHandler(text, _text(env, addbot.got_name))],
                addbot.TOKEN: [MessageHandler(text, _text(env, addbot.got_token))],
                hours.EDIT: [MessageHandler(text, _text(env, hours.got_hours))],
                group_hours.EDIT: [MessageHandler(text, _text(env, group_hours.got_hours))],
                pbx.SECRET: [MessageHandler(text, _text(env, pbx.got_secret))],
                userext.EXT: [MessageHandler(text, _text(env, userext.got_ext))],
                followup.CHAT: [MessageHandler(text, _text(env, followup.got_chat))],
                ConversationHandler.TIMEOUT: [TypeHandler(Update, _timed_out)],
            },
            fallbacks=[
                CommandHandler("cancel", _cancel_command(env), filters=new),
                CommandHandler(["admin", "menu"], _then_end(env, menu.on_admin), filters=new),
                CommandHandler("logout", _then_end(env, menu.on_logout), filters=new),
                CallbackQueryHandler(_cancel_button(env), pattern=kb.Cancel.matches),
                CallbackQueryHandler(_other_button(env), pattern=kb.is_admin_data),
                MessageHandler(new & ~filters.TEXT, _not_text),
            ],
            name=NAME,
            persistent=True,
            conversation_timeout=env.settings.input_timeout,
            allow_reentry=True,
        )
