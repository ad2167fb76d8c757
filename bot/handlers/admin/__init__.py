"""The tenant admin's menus inside Telegram: `feature(...)` plugs them into every bot.

    from bot.handlers import admin
    runtime = BotRuntime(..., extra_features=[admin.feature(outbox, dead_letters, api_base)])

One module per menu (menu, groups, users, bots, apikey, deadletters), the typed inputs
(inputs, dialog, adduser, addbot), the press router, and what they share (shared, announce,
purge). Handler order matters: the input dialogue first, so it sees answers before anything
else in group 0, then the buttons, then the commands.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import Command, Ctx
from bot.handlers.admin import inputs, menu, purge, router
from bot.handlers.admin.shared import AdminEnv, AdminSettings
from bot.handlers.common import user_lang
from bot.keyboards import admin as kb
from bot.registry import Feature
from delivery.deadletters import DeadLetters
from delivery.outbox import Outbox

__all__ = ["COMMANDS", "AdminSettings", "feature"]

COMMANDS = (Command("admin", "admin.cmd.admin", "admin.help.admin"),)


def _bind(env: AdminEnv, fn: Callable[[Update, Ctx, AdminEnv], Awaitable[None]]):
    async def callback(update: Update, ctx: Ctx) -> None:
        await fn(update, ctx, env)

    callback.__name__ = fn.__name__
    return callback


async def _nothing_to_cancel(update: Update, ctx: Ctx) -> None:
    chat = update.effective_chat
    if chat is not None:
        await ctx.bot.send_message(chat.id, ctx.deps.texts.t(user_lang(update), "admin.input.none"))


def handlers(env: AdminEnv) -> list[BaseHandler]:
    """Fresh handlers for one bot's Application (a ConversationHandler must not be shared)."""
    new = filters.UpdateType.MESSAGE
    return [
        inputs.conversation(env),
        CallbackQueryHandler(_bind(env, router.dispatch), pattern=kb.is_admin_data),
        CommandHandler("admin", _bind(env, menu.on_admin), filters=new),
        CommandHandler("menu", _bind(env, menu.on_menu), filters=new),
        CommandHandler("logout", _bind(env, menu.on_logout), filters=new),
        CommandHandler("cancel", _nothing_to_cancel, filters=new),
    ]


def feature(
    outbox: Outbox,
    dead_letters: DeadLetters | None,
    api_base: str,
    settings: AdminSettings | None = None,
) -> Feature:
    """The admin menus as a bot Feature; `api_base` is the Bot API server (for getMe checks)."""
    env = AdminEnv(outbox, dead_letters, api_base.rstrip("/"), settings or AdminSettings())
    return Feature("admin", lambda: handlers(env), COMMANDS, setup=purge.schedule_sweeps)
