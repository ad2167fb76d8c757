"""What users do: write to bots, press buttons, block bots; each turns into bot updates."""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

from .emulator import Emulator
from .html_entities import utf16_len
from .serialize import bot_user, chat_json, control_message, human_user, message_json
from .state import (
    BotAccount,
    CallbackRecord,
    StateError,
    StoredMessage,
    UserAccount,
    chat_instance,
)

COMMAND_RE = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


def command_entities(text: str) -> list[dict[str, Any]]:
    """bot_command entities for every /command in the text, offsets in UTF-16 units."""
    return [
        {
            "type": "bot_command",
            "offset": utf16_len(text[: m.start()]),
            "length": utf16_len(m.group(0)),
        }
        for m in COMMAND_RE.finditer(text)
    ]


def _check_user_in_chat(emu: Emulator, user: UserAccount, bot: BotAccount, chat_id: int) -> None:
    if user.deactivated:
        raise StateError(f"user {user.id} is deactivated")
    if chat_id > 0:
        if chat_id != user.id:
            raise StateError("a user writes to a bot only in their own private chat")
        return
    chat = emu.world.chat(chat_id)
    if chat.migrated_to is not None:
        raise StateError(f"group {chat_id} was upgraded to {chat.migrated_to}")
    if user.id not in chat.members:
        raise StateError(f"user {user.id} is not a member of {chat_id}")
    if bot.id not in chat.bots:
        raise StateError(f"bot {bot.id} is not a member of {chat_id}")


def user_sends(
    emu: Emulator, bot_id: int, user_id: int, text: str, chat_id: int | None = None
) -> tuple[StoredMessage, dict[str, Any]]:
    """A user writes text (commands get bot_command entities); the bot gets a message update."""
    world = emu.world
    bot, user = world.bot(bot_id), world.user(user_id)
    chat_id = user.id if chat_id is None else chat_id
    if not text:
        raise StateError("text is empty")
    _check_user_in_chat(emu, user, bot, chat_id)
    if chat_id > 0:
        # Writing to a bot (the Start/Restart button included) starts it and lifts a block.
        user.started.add(bot.id)
        user.blocked.discard(bot.id)
    msg = world.store_message(
        {
            "chat_id": chat_id,
            "bot_id": bot.id,
            "from_bot": False,
            "from_user_id": user.id,
            "text": text,
            "entities": command_entities(text),
        }
    )
    world.record_event("user_message", control_message(world, msg))
    update = bot.updates.push("message", message_json(world, msg))
    return msg, update


def press_button(
    emu: Emulator,
    bot_id: int,
    user_id: int,
    chat_id: int,
    message_id: int,
    data: str | None = None,
    index: int | None = None,
) -> tuple[CallbackRecord, dict[str, Any]]:
    """A user presses an inline callback button (by its data or flat index)."""
    world = emu.world
    bot, user = world.bot(bot_id), world.user(user_id)
    _check_user_in_chat(emu, user, bot, chat_id)
    msg = world.find_message(bot.id, chat_id, message_id)
    if msg is None or not msg.from_bot or msg.bot_id != bot.id:
        raise StateError(f"no message {message_id} from bot {bot_id} in chat {chat_id}")
    buttons = [b for row in (msg.reply_markup or {}).get("inline_keyboard", []) for b in row]
    if index is not None:
        if not 0 <= index < len(buttons) or "callback_data" not in buttons[index]:
            raise StateError(f"button {index} is not a callback button")
        data = buttons[index]["callback_data"]
    elif data is None or data not in [b.get("callback_data") for b in buttons]:
        raise StateError("the message has no button with that callback_data")
    record = CallbackRecord(str(secrets.randbits(63)), bot.id, user.id, chat_id, message_id, data)
    world.callbacks[record.id] = record
    payload = {
        "id": record.id,
        "from": human_user(user),
        "message": message_json(world, msg),
        "chat_instance": chat_instance(bot.id, chat_id),
        "data": data,
    }
    return record, bot.updates.push("callback_query", payload)


def set_blocked(emu: Emulator, bot_id: int, user_id: int, blocked: bool) -> dict[str, Any]:
    """A user blocks or unblocks a bot; the bot gets a my_chat_member update as on Telegram."""
    world = emu.world
    bot, user = world.bot(bot_id), world.user(user_id)
    was = "kicked" if bot.id in user.blocked else "member"
    (user.blocked.add if blocked else user.blocked.discard)(bot.id)
    now = "kicked" if blocked else "member"
    me = bot_user(bot)

    def member(status: str) -> dict[str, Any]:
        return {"status": status, "user": me, **({"until_date": 0} if status == "kicked" else {})}

    return bot.updates.push(
        "my_chat_member",
        {
            "chat": chat_json(world, user.id),
            "from": human_user(user),
            "date": int(time.time()),
            "old_chat_member": member(was),
            "new_chat_member": member(now),
        },
    )


def bot_joins(
    emu: Emulator,
    bot_id: int,
    chat_id: int,
    user_id: int | None = None,
    admin: bool = False,
    rights: dict[str, bool] | None = None,
    start: str | None = None,
) -> None:
    """A member adds the bot to a group (optionally as an administrator with some rights
    withheld); with `user_id` the bot gets my_chat_member, and with `start` (a
    t.me/<bot>?startgroup=<start> link) also "/start@<bot> <start>" from that member."""
    world = emu.world
    bot, chat = world.bot(bot_id), world.chat(chat_id)
    was = "member" if bot.id in chat.bots else "left"
    if bot.id in chat.admins:
        was = "administrator"
    chat.bots.add(bot.id)
    chat.kicked_bots.discard(bot.id)
    chat.rights.pop(bot.id, None)
    if not admin:
        chat.admins.discard(bot.id)  # added again as a plain member: no longer an admin
    else:
        chat.admins.add(bot.id)
        if rights:
            chat.rights[bot.id] = {k: bool(v) for k, v in rights.items()}
    if user_id is None:
        return
    user = world.user(user_id)
    if user.id not in chat.members:
        raise StateError(f"user {user.id} is not a member of {chat_id}")
    from .methods_members import member_json

    old = {"status": was, "user": bot_user(bot)}
    if was == "administrator":
        old = member_json(world, chat_id, bot.id)
    bot.updates.push(
        "my_chat_member",
        {
            "chat": chat_json(world, chat_id),
            "from": human_user(user),
            "date": int(time.time()),
            "old_chat_member": old,
            "new_chat_member": member_json(world, chat_id, bot.id),
        },
    )
    if start is not None:
        user_sends(emu, bot.id, user.id, f"/start@{bot.username} {start}", chat_id)


def bot_removed(emu: Emulator, bot_id: int, chat_id: int, user_id: int | None = None) -> None:
    """A member (or, without `user_id`, the chat itself) removes the bot from a group: it may
    not write there any more, and with `user_id` it gets my_chat_member saying it was kicked."""
    from .methods_members import member_json

    world = emu.world
    bot, chat = world.bot(bot_id), world.chat(chat_id)
    old = member_json(world, chat_id, bot.id)  # what it was, with an admin's rights
    chat.bots.discard(bot.id)
    chat.admins.discard(bot.id)
    chat.rights.pop(bot.id, None)
    chat.kicked_bots.add(bot.id)
    if user_id is None:
        return
    user = world.user(user_id)
    bot.updates.push(
        "my_chat_member",
        {
            "chat": chat_json(world, chat_id),
            "from": human_user(user),
            "date": int(time.time()),
            "old_chat_member": old,
            "new_chat_member": {"status": "kicked", "user": bot_user(bot), "until_date": 0},
        },
    )


def upgrade_group(emu: Emulator, chat_id: int) -> int:
    """Upgrade a basic group; each bot in it gets the two migration service messages."""
    world = emu.world
    old = world.chat(chat_id)
    new = world.upgrade_group(chat_id)
    actor = min(old.admins or old.members, default=None)
    for bot_id in sorted(new.bots):
        bot = world.bots[bot_id]
        for where, extra in (
            (old.id, {"migrate_to_chat_id": new.id}),
            (new.id, {"migrate_from_chat_id": old.id}),
        ):
            msg = world.store_message(
                {
                    "chat_id": where,
                    "bot_id": bot_id,
                    "from_bot": False,
                    "from_user_id": actor,
                    "extra": extra,
                }
            )
            bot.updates.push("message", message_json(world, msg))
    return new.id
