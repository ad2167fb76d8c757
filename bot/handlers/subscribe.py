"""/activate, /mute and /active: each takes the tenant's API key."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import Command, Ctx
from bot.handlers import keyflow
from bot.handlers.keyflow import Action

COMMANDS = (
    Command("activate", "bot.cmd.activate", "bot.help.activate"),
    Command("mute", "bot.cmd.mute", "bot.help.mute"),
    Command("active", "bot.cmd.active", "bot.help.active"),
)


def _command(action: Action):
    async def callback(update: Update, ctx: Ctx) -> None:
        key = ctx.args[0] if ctx.args else None
        await keyflow.run(update, ctx, action, key)

    callback.__name__ = f"on_{action.name.lower()}"
    return callback


def handlers() -> list[BaseHandler]:
    only_new = filters.UpdateType.MESSAGE
    return [CommandHandler(a.value, _command(a), filters=only_new) for a in Action]
