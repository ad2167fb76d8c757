"""Bot API JSON shapes (User, Chat, Message, ...) built from the emulated world."""

from __future__ import annotations

from typing import Any

from .state import BotAccount, ChatRecord, StoredMessage, UserAccount, World


def bot_user(bot: BotAccount, *, full: bool = False) -> dict[str, Any]:
    """A bot as a User object; getMe adds the capability flags."""
    out: dict[str, Any] = {
        "id": bot.id,
        "is_bot": True,
        "first_name": bot.first_name,
        "username": bot.username,
    }
    if full:
        out.update(
            can_join_groups=True,
            can_read_all_group_messages=False,
            supports_inline_queries=False,
            can_connect_to_business=False,
            has_main_web_app=False,
        )
    return out


def human_user(user: UserAccount) -> dict[str, Any]:
    """A human as a User object."""
    out: dict[str, Any] = {"id": user.id, "is_bot": False, "first_name": user.first_name}
    if user.last_name:
        out["last_name"] = user.last_name
    if user.username:
        out["username"] = user.username
    if user.language_code:
        out["language_code"] = user.language_code
    return out


def private_chat(user: UserAccount) -> dict[str, Any]:
    """A user's private chat as a Chat object."""
    out: dict[str, Any] = {"id": user.id, "type": "private", "first_name": user.first_name}
    if user.last_name:
        out["last_name"] = user.last_name
    if user.username:
        out["username"] = user.username
    return out


def group_chat(chat: ChatRecord) -> dict[str, Any]:
    """A group or supergroup as a Chat object."""
    out: dict[str, Any] = {"id": chat.id, "type": chat.type, "title": chat.title}
    if chat.username:
        out["username"] = chat.username
    return out


def chat_json(world: World, chat_id: int) -> dict[str, Any]:
    """Any chat as a Chat object."""
    if chat_id > 0:
        return private_chat(world.users[chat_id])
    out = group_chat(world.chats[chat_id])
    from .methods_forum import forums  # the forum state lives beside the world there

    if chat_id in forums(world):
        out["is_forum"] = True
    return out


def chat_full_info(world: World, chat_id: int) -> dict[str, Any]:
    """A chat as the ChatFullInfo getChat returns."""
    out = chat_json(world, chat_id)
    out.update(
        accent_color_id=0,
        max_reaction_count=11,
        accepted_gift_types={
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    )
    return out


def message_json(world: World, msg: StoredMessage) -> dict[str, Any]:
    """A stored message as a Message object, seen by the bot that holds it."""
    out: dict[str, Any] = {"message_id": msg.message_id}
    if msg.message_thread_id is not None:
        out["message_thread_id"] = msg.message_thread_id
    if msg.from_bot:
        out["from"] = bot_user(world.bots[msg.bot_id])
    elif msg.from_user_id is not None:
        out["from"] = human_user(world.users[msg.from_user_id])
    out["chat"] = chat_json(world, msg.chat_id)
    out["date"] = msg.date
    if msg.edit_date is not None:
        out["edit_date"] = msg.edit_date
    if msg.text is not None:
        out["text"] = msg.text
    if msg.entities:
        out["entities"] = msg.entities
    if msg.link_preview_options:
        out["link_preview_options"] = msg.link_preview_options
    out.update(msg.extra)
    if msg.reply_markup and "inline_keyboard" in msg.reply_markup:
        out["reply_markup"] = msg.reply_markup
    return out


def control_message(world: World, msg: StoredMessage) -> dict[str, Any]:
    """A message for the control API: the Message object plus emulator bookkeeping."""
    return {
        "bot_id": msg.bot_id,
        "from_bot": msg.from_bot,
        "disable_notification": msg.disable_notification,
        "message": message_json(world, msg),
    }
