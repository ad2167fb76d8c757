"""Helpers every handler uses: language choice, sending, quiet deletion, group-admin check."""

from __future__ import annotations

import logging

from telegram import Chat, ChatMember, Message, Update
from telegram.constants import MessageLimit
from telegram.error import Forbidden, InvalidToken, NetworkError, TelegramError

from bot.context import Ctx
from perezvon.texts import pick_lang
from store.errors import NotFound

log = logging.getLogger(__name__)


def user_lang(update: Update) -> str:
    user = update.effective_user
    return pick_lang(user.language_code if user else None)


async def chat_lang(update: Update, ctx: Ctx) -> str:
    """The language of the chat's tenants when they agree, else the user's language_code."""
    chat = update.effective_chat
    if chat is None:
        return user_lang(update)
    langs = set()
    for tid in await ctx.deps.store.subs.tenants_of_chat(chat.id):
        try:
            langs.add((await ctx.deps.store.tenants.get(tid)).lang)
        except NotFound:
            continue
    if len(langs) == 1:
        return pick_lang(langs.pop())
    return user_lang(update)


def text(ctx: Ctx, lang: str, key: str, /, **values: object) -> str:
    return ctx.deps.texts.t(lang, key, **values)


def chunks(body: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Split at line boundaries (a line longer than the limit is cut) into parts that fit."""
    parts: list[str] = []
    current: str | None = None
    for line in body.split("\n"):
        while len(line) > limit:
            if current is not None:
                parts.append(current)
                current = None
            parts.append(line[:limit])
            line = line[limit:]
        if current is None:
            current = line
        elif len(current) + 1 + len(line) <= limit:
            current = f"{current}\n{line}"
        else:
            parts.append(current)
            current = line
    if current is not None:
        parts.append(current)
    return [part for part in parts if part.strip()] or [body[:limit]]


async def send(update: Update, ctx: Ctx, body: str) -> None:
    """Answer in the update's chat and topic (never as a reply: it may have been deleted)."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None:
        return
    thread = message.message_thread_id if message and message.is_topic_message else None
    for part in chunks(body):
        await ctx.bot.send_message(chat.id, part, message_thread_id=thread)


async def delete_quietly(message: Message | None) -> bool:
    """Delete a message that carried a secret; True when it is gone."""
    if message is None:
        return False
    try:
        return bool(await message.delete())
    except InvalidToken:
        raise
    except (NetworkError, Forbidden) as exc:
        # In groups the bot needs the right to delete; a private message may be > 48 h old.
        log.info("could not delete message %s in chat %s: %s", message.id, message.chat_id, exc)
        return False


async def is_group_admin(update: Update, ctx: Ctx) -> bool | None:
    """Whether the sender may change this chat's subscriptions; None when Telegram won't say."""
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or chat.type == Chat.PRIVATE:
        return True
    if message is not None and message.sender_chat is not None:
        # An anonymous admin posts as the group itself.
        return message.sender_chat.id == chat.id
    if user is None:
        return False
    try:
        member = await ctx.bot.get_chat_member(chat.id, user.id)
    except TelegramError as exc:  # InvalidToken included: PTB says so for a 404 too
        log.warning("getChatMember failed in chat %s: %s", chat.id, exc)
        return None
    return member.status in (ChatMember.OWNER, ChatMember.ADMINISTRATOR)


def subscriber_name(update: Update) -> tuple[str, str | None]:
    """The name a subscription is shown under (group title or person's name) and @username."""
    chat, user = update.effective_chat, update.effective_user
    if chat is not None and chat.type != Chat.PRIVATE:
        return chat.title or str(chat.id), chat.username
    if user is not None:
        return user.full_name, user.username
    return str(chat.id if chat else ""), None
