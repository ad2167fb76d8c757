"""/start (a deep link with an API key or an invite code subscribes) and /help."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, filters

from bot.context import Command, Ctx
from bot.handlers import forum_link, invite, keyflow
from bot.handlers.common import chat_lang, send, text
from store.crypto import looks_like_api_key
from store.invites import looks_like_invite

COMMANDS = (
    Command("start", "bot.cmd.start", "bot.help.start"),
    Command("help", "bot.cmd.help", "bot.help.help"),
)


async def start(update: Update, ctx: Ctx) -> None:
    payload = ctx.args[0] if ctx.args else ""
    if looks_like_api_key(payload):
        # t.me/<bot>?start=<key>: the deep link is /activate in one tap.
        return await keyflow.run(update, ctx, keyflow.Action.ACTIVATE, payload)
    if forum_link.looks_like_forum_code(update, payload):
        # Added to a forum with t.me/<bot>?startgroup=<code>: bind a group there.
        return await forum_link.redeem(update, ctx, payload)
    if looks_like_invite(payload):
        # t.me/<bot>?start=<invite code>: subscribes without the key (bot/handlers/invite.py).
        return await invite.redeem(update, ctx, payload)
    lang = await chat_lang(update, ctx)
    await send(update, ctx, text(ctx, lang, "bot.greeting", bot=ctx.deps.me.name))


async def help_(update: Update, ctx: Ctx) -> None:
    lang = await chat_lang(update, ctx)
    lines = [text(ctx, lang, "bot.help.header", bot=ctx.deps.me.name)]
    lines += [text(ctx, lang, command.help) for command in ctx.deps.commands]
    lines += ["", text(ctx, lang, "bot.help.footer")]
    await send(update, ctx, "\n".join(lines))


def handlers() -> list[BaseHandler]:
    only_new = filters.UpdateType.MESSAGE
    return [
        CommandHandler("start", start, filters=only_new),
        CommandHandler("help", help_, filters=only_new),
    ]
