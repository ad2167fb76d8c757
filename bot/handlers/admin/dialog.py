"""The draft of a multi-step input («Имя», then «chatid» or «Token») and its prompts.

The draft lives in chat_data, which the bot's Redis persistence keeps across restarts, next to
the conversation state. It holds the tenant, what was typed so far (never a token), the prompt
message and a deadline: PTB's conversation_timeout is an in-memory job, so a conversation
restored after a restart is timed out by the deadline instead.
"""

from __future__ import annotations

import contextlib
from typing import Any

from telegram import Message, Update
from telegram.error import BadRequest
from telegram.ext import ConversationHandler

from bot.context import Ctx
from bot.handlers.admin.shared import AdminEnv, Screen, Session, authorize, show, t, tr
from bot.handlers.common import delete_quietly, user_lang
from bot.keyboards import admin as kb
from bot.logfilter import API_KEY_RE, TOKEN_RE

DRAFT = "admin_input"


def _drafts(ctx: Ctx) -> dict[str, Any]:
    data = ctx.chat_data
    assert data is not None
    return data


def _deadline(ctx: Ctx, env: AdminEnv) -> float:
    return ctx.deps.clock() + env.settings.input_timeout


def _cancel_markup(ctx: Ctx, s: Session):
    return kb.markup([[kb.button(tr(ctx, s, "admin.input.cancel"), kb.Cancel(s.tid))]])


async def begin(
    update: Update, ctx: Ctx, s: Session, kind: str, key: str, /, **values: object
) -> None:
    """Start a dialogue from a menu button: the menu message becomes the first prompt."""
    prompt = await show(update, ctx, Screen(tr(ctx, s, key, **values), _cancel_markup(ctx, s)))
    _drafts(ctx)[DRAFT] = {
        "kind": kind,
        "tenant": s.tid,
        "prompt": prompt,
        "deadline": _deadline(ctx, s.env),
    }


async def ask(ctx: Ctx, s: Session, key: str, /, **values: object) -> None:
    """The next prompt, as a new message below the admin's answer (the old one loses its
    Cancel button, so only one is live)."""
    draft = _drafts(ctx).get(DRAFT) or {}
    await drop_keyboard(ctx, s.chat_id, draft.get("prompt", 0))
    sent = await ctx.bot.send_message(
        s.chat_id, tr(ctx, s, key, **values), reply_markup=_cancel_markup(ctx, s)
    )
    draft.update(prompt=sent.message_id, deadline=_deadline(ctx, s.env))
    _drafts(ctx)[DRAFT] = draft


def remember(ctx: Ctx, **values: object) -> None:
    _drafts(ctx)[DRAFT].update(values)


def recall(ctx: Ctx, name: str) -> Any:
    return _drafts(ctx)[DRAFT].get(name)


async def drop_keyboard(ctx: Ctx, chat_id: int, message_id: int) -> None:
    if message_id:
        with contextlib.suppress(BadRequest):
            await ctx.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)


async def finish(ctx: Ctx, chat_id: int, keep: int = 0) -> None:
    """Forget the draft; its prompt loses the Cancel button (unless it is `keep`)."""
    draft = _drafts(ctx).pop(DRAFT, None)
    if draft and draft.get("prompt", 0) != keep:
        await drop_keyboard(ctx, chat_id, draft.get("prompt", 0))


async def current(update: Update, ctx: Ctx, env: AdminEnv, kind: str) -> Session | None:
    """The session of the dialogue this message continues; None (said and cleared) when the
    dialogue expired, belongs to another flow, or the chat is no longer an admin."""
    chat = update.effective_chat
    if chat is None:
        return None
    draft = _drafts(ctx).get(DRAFT)
    lang = user_lang(update)
    if not draft or draft.get("kind") != kind or draft["deadline"] < ctx.deps.clock():
        await finish(ctx, chat.id)
        await ctx.bot.send_message(chat.id, t(ctx, lang, "admin.input.timeout"))
        return None
    session = await authorize(ctx, env, chat.id, draft["tenant"])
    if session is None:
        await finish(ctx, chat.id)
        await ctx.bot.send_message(chat.id, t(ctx, lang, "admin.stale.session"))
        return None
    return session


async def answer_text(ctx: Ctx, s: Session, message: Message | None) -> str | None:
    """The typed answer; a message carrying a secret is deleted and refused (None)."""
    text = (message.text or "").strip() if message else ""
    if TOKEN_RE.search(text) or API_KEY_RE.search(text):
        await delete_quietly(message)
        await ctx.bot.send_message(s.chat_id, tr(ctx, s, "admin.input.secret_deleted"))
        return None
    return text


def name_step(kind: str, state: str, next_state: str, limit: int, area: str, next_key: str):
    """The "send the name" step both add dialogs share: check it, keep it, ask the next."""

    async def got_name(update: Update, ctx: Ctx, env: AdminEnv) -> object:
        s = await current(update, ctx, env, kind)
        if s is None:
            return ConversationHandler.END
        name = await answer_text(ctx, s, update.effective_message)
        if name is None:
            return state
        if not name or len(name) > limit:
            await ask(ctx, s, f"{area}.bad_name", limit=limit)
            return state
        remember(ctx, name=name)
        await ask(ctx, s, next_key, name=name)
        return next_state

    return got_name
