"""/activate, /mute and /active: each takes the tenant's API key."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import Command, Ctx
from bot.handlers import invite, keyflow
from bot.handlers.keyflow import Action
from store.invites import looks_like_invite

COMMANDS = (
    Command("activate", "bot.cmd.activate", "bot.help.activate"),
    Command("mute", "bot.cmd.mute", "bot.help.mute"),
    Command("active", "bot.cmd.active", "bot.help.active"),
)


def _command(action: Action):
    async def callback(update: Update, ctx: Ctx) -> None:
        key = ctx.args[0] if ctx.args else None
        if action is Action.ACTIVATE and key is not None and looks_like_invite(key):
            # An invite code typed after /activate works as its link would.
            return await invite.redeem(update, ctx, key)
        await keyflow.run(update, ctx, action, key)

    callback.__name__ = f"on_{action.name.lower()}"
    return callback


def handlers() -> list[BaseHandler]:
    only_new = filters.UpdateType.MESSAGE
    return [CommandHandler(a.value, _command(a), filters=only_new) for a in Action]
