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
    """Split at paragraph, then line boundaries so no part exceeds Telegram's limit."""
    parts: list[str] = []
    current = ""
    for para in body.split("\n"):
        while len(para) > limit:
            parts.append(para[:limit])
            para = para[limit:]
        candidate = f"{current}\n{para}" if current else para
        if len(candidate) > limit:
            parts.append(current)
            current = para
        else:
            current = candidate
    if current or not parts:
        parts.append(current)
    return parts


async def send(update: Update, ctx: Ctx, body: str) -> None:
    """Answer in the update's chat (never as a reply: the message may have been deleted)."""
    chat = update.effective_chat
    if chat is None:
        return
    for part in chunks(body):
        await ctx.bot.send_message(chat.id, part)


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
