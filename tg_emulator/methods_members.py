"""Chat membership: getChatMember and getChatAdministrators for groups and private chats."""

from __future__ import annotations

from typing import Any

from . import errors as E
from .access import check_can_write, resolve_chat
from .call import Call, Handler
from .serialize import bot_user, human_user
from .state import World

ADMIN_RIGHTS = (
    "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
    "can_promote_members", "can_change_info", "can_invite_users", "can_post_stories",
    "can_edit_stories", "can_delete_stories",
)  # fmt: skip
# Rights only a supergroup's administrators have (Bot API: "for supergroups only").
SUPERGROUP_RIGHTS = ("can_pin_messages", "can_manage_topics")


def admin_rights(world: World, chat_id: int, user_id: int) -> dict[str, bool]:
    """The rights of an administrator of a group: all of them unless some were withheld."""
    chat = world.chats[chat_id]
    names = ADMIN_RIGHTS + (SUPERGROUP_RIGHTS if chat.type == "supergroup" else ())
    rights = dict.fromkeys(names, True)
    rights.update({k: v for k, v in chat.rights.get(user_id, {}).items() if k in rights})
    return rights


def _user(world: World, user_id: int) -> dict[str, Any]:
    if user_id in world.bots:
        return bot_user(world.bots[user_id])
    if user_id in world.users:
        return human_user(world.users[user_id])
    raise E.bad_request("user not found")


def _member(world: World, chat_id: int, user_id: int) -> dict[str, Any]:
    user = _user(world, user_id)
    if chat_id > 0:
        # A private chat belongs to its user; the bot in it is a plain member.
        if user_id == chat_id:
            return {"status": "creator", "user": user, "is_anonymous": False}
        return {"status": "member", "user": user}
    chat = world.chats[chat_id]
    if user_id in chat.admins:
        return {
            "status": "administrator",
            "user": user,
            "can_be_edited": False,
            "is_anonymous": False,
            **admin_rights(world, chat_id, user_id),
        }
    if user_id in chat.members or user_id in chat.bots:
        return {"status": "member", "user": user}
    return {"status": "left", "user": user}


def member_json(world: World, chat_id: int, user_id: int) -> dict[str, Any]:
    """The ChatMember of a user or bot in a group, as getChatMember answers."""
    return _member(world, chat_id, user_id)


def _chat(call: Call) -> int:
    world = call.emu.world
    chat_id = resolve_chat(world, call.params.chat_id())
    if chat_id > 0:
        if call.bot.id not in world.users[chat_id].started:
            raise E.bad_request(E.CHAT_NOT_FOUND)
    else:
        check_can_write(world, call.bot, chat_id)
    return chat_id


async def get_chat_member(call: Call) -> dict[str, Any]:
    """The member's status in the chat: administrator, member or left."""
    user_id = call.params.int("user_id")
    if user_id is None:
        raise E.bad_request("user_id is required")
    chat_id = _chat(call)
    return _member(call.emu.world, chat_id, user_id)


async def get_chat_administrators(call: Call) -> list[dict[str, Any]]:
    """Every administrator of a group (a private chat has none)."""
    chat_id = _chat(call)
    if chat_id > 0:
        return []
    world = call.emu.world
    return [_member(world, chat_id, uid) for uid in sorted(world.chats[chat_id].admins)]


METHODS: dict[str, Handler] = {
    "getchatmember": get_chat_member,
    "getchatadministrators": get_chat_administrators,
}
