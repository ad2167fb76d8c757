"""Who may write where: Telegram's chat lookup and its 400/403 answers."""

from __future__ import annotations

from . import errors as E
from .state import BotAccount, World


def resolve_chat(world: World, chat_ref: int | str) -> int:
    """Turn a chat_id parameter into a known chat id, or fail like Telegram."""
    if isinstance(chat_ref, str):
        chat_id = world.chat_usernames.get(chat_ref.lstrip("@").lower())
        if chat_id is None:
            raise E.bad_request(E.CHAT_NOT_FOUND)
        chat_ref = chat_id
    if chat_ref > 0:
        if chat_ref not in world.users:
            raise E.bad_request(E.CHAT_NOT_FOUND)
        return chat_ref
    chat = world.chats.get(chat_ref)
    if chat is None:
        raise E.bad_request(E.CHAT_NOT_FOUND)
    if chat.migrated_to is not None:
        raise E.chat_migrated(chat.migrated_to)
    return chat_ref


def check_can_write(world: World, bot: BotAccount, chat_id: int) -> None:
    """Raise the 403 Telegram gives when this bot may not post into this chat."""
    if chat_id > 0:
        user = world.users[chat_id]
        if user.deactivated:
            raise E.forbidden(E.DEACTIVATED)
        if bot.id in user.blocked:
            raise E.forbidden(E.BLOCKED)
        if bot.id not in user.started:
            raise E.forbidden(E.CANT_INITIATE)
        return
    chat = world.chats[chat_id]
    kind = "supergroup chat" if chat.type == "supergroup" else "group chat"
    if bot.id in chat.kicked_bots:
        raise E.forbidden(f"bot was kicked from the {kind}")
    if bot.id not in chat.bots:
        raise E.forbidden(f"bot is not a member of the {kind}")
