"""«Добавить пользователя»: «Имя», then «chatid»; saved as active without /activate."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import Ctx
from bot.handlers.admin import announce, dialog, journal, users
from bot.handlers.admin.shared import AdminEnv, Session, send_screen, tr
from bot.keyboards import admin as kb
from store.subscriptions import MAX_NAME

NAME, CHAT = "user_name", "user_chat"
KIND = "user"
# Telegram chat ids: users up to 2^52, supergroups and channels -100… with 13 digits.
MAX_CHAT_ID = 10**15


async def start(update: Update, ctx: Ctx, s: Session, data: kb.UserAdd) -> str:
    await dialog.begin(update, ctx, s, KIND, "admin.users.ask_name")
    return NAME


got_name = dialog.name_step(KIND, NAME, CHAT, MAX_NAME, "admin.users", "admin.users.ask_chat")


def _chat_id(text: str) -> int | None:
    try:
        value = int(text.replace(" ", ""))
    except ValueError:
        return None
    return value if value != 0 and abs(value) < MAX_CHAT_ID else None


async def got_chat(update: Update, ctx: Ctx, env: AdminEnv) -> object:
    s = await dialog.current(update, ctx, env, KIND)
    if s is None:
        return ConversationHandler.END
    text = await dialog.answer_text(ctx, s, update.effective_message)
    if text is None:
        return CHAT
    chat_id = _chat_id(text)
    if chat_id is None:
        await dialog.ask(ctx, s, "admin.users.bad_chat")
        return CHAT
    name = str(dialog.recall(ctx, "name"))
    sub, previous = await ctx.deps.store.subs.admin_add(s.tid, chat_id, name)
    await journal.note(update, ctx, s, "user.add", f"{sub.name} ({chat_id})")
    greeted = await announce.welcome(ctx, s, chat_id)
    lines = [
        tr(
            ctx,
            s,
            "admin.users.updated" if previous is not None else "admin.users.added",
            name=sub.name,
            chat=chat_id,
        )
    ]
    if not greeted:
        custom = await ctx.deps.store.bots.active(s.tid)
        bot = custom.username if custom else ctx.deps.default.username
        lines.append(tr(ctx, s, "admin.users.unreachable", bot=bot))
    await dialog.finish(ctx, s.chat_id)
    await ctx.bot.send_message(s.chat_id, "\n\n".join(lines))
    await send_screen(ctx, s.chat_id, await users.card_screen(ctx, s, chat_id, kb.ALL, 0))
    return ConversationHandler.END
