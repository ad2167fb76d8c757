"""Forum topics: createForumTopic in a supergroup switched to forum mode, and the thread check
sendMessage makes there (a message_thread_id must name a topic of that forum).

The forum state of a world lives beside it here (a chat's forum mode and its topics), so the
chat records stay as they are; the control API switches a supergroup to forum mode
(`POST /chats/{id}/forum`, as an owner does in the Telegram app)."""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

from . import errors as E
from .access import check_can_write, resolve_chat
from .call import Call, Handler
from .state import StateError, World

# Telegram's six topic icon colours; a topic created without one gets the first.
ICON_COLORS = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)
# The "General" topic has thread id 1 in every forum; created topics come after it.
FIRST_THREAD = 2


@dataclass
class Forum:
    topics: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_thread: int = FIRST_THREAD


_FORUMS: weakref.WeakKeyDictionary[World, dict[int, Forum]] = weakref.WeakKeyDictionary()


def forums(world: World) -> dict[int, Forum]:
    return _FORUMS.setdefault(world, {})


def make_forum(world: World, chat_id: int) -> None:
    """Switch a supergroup to forum mode (control API)."""
    chat = world.chat(chat_id)
    if chat.type != "supergroup":
        raise StateError(f"chat {chat_id} is not a supergroup")
    forums(world).setdefault(chat_id, Forum())


def check_thread(world: World, chat_id: int, thread: int | None) -> None:
    """sendMessage's check: in a forum, a thread id must be General (1) or one of its topics."""
    if thread is None:
        return
    forum = forums(world).get(chat_id)
    if forum is None:
        return  # outside forums Telegram ignores it (a reply thread of a plain group)
    if thread != 1 and thread not in forum.topics:
        raise E.bad_request("message thread not found")


def _manages_topics(world: World, chat_id: int, bot_id: int) -> bool:
    if bot_id not in world.chat(chat_id).admins:
        return False
    return world.chat(chat_id).rights.get(bot_id, {}).get("can_manage_topics", True)


async def create_forum_topic(call: Call) -> dict[str, Any]:
    world, p = call.emu.world, call.params
    chat_id = resolve_chat(world, p.chat_id())
    check_can_write(world, call.bot, chat_id)
    forum = forums(world).get(chat_id)
    if forum is None:
        raise E.bad_request("the chat is not a forum")
    if not _manages_topics(world, chat_id, call.bot.id):
        raise E.bad_request("not enough rights to create a topic")
    name = p.str("name") or ""
    if not 1 <= len(name) <= 128:
        raise E.bad_request("topic name must be 1-128 characters long")
    color = p.int("icon_color") or ICON_COLORS[0]
    if color not in ICON_COLORS:
        raise E.bad_request("TOPIC_ICON_COLOR_INVALID")
    topic = {"message_thread_id": forum.next_thread, "name": name, "icon_color": color}
    forum.topics[forum.next_thread] = topic
    forum.next_thread += 1
    world.record_event("topic_created", {"chat_id": chat_id, **topic})
    return topic


async def delete_forum_topic(call: Call) -> bool:
    world, p = call.emu.world, call.params
    chat_id = resolve_chat(world, p.chat_id())
    check_can_write(world, call.bot, chat_id)
    forum = forums(world).get(chat_id)
    if forum is None:
        raise E.bad_request("the chat is not a forum")
    if not _manages_topics(world, chat_id, call.bot.id):
        raise E.bad_request("not enough rights to delete a topic")
    if forum.topics.pop(p.int("message_thread_id") or 0, None) is None:
        raise E.bad_request("TOPIC_ID_INVALID")
    return True


METHODS: dict[str, Handler] = {
    "createforumtopic": create_forum_topic,
    "deleteforumtopic": delete_forum_topic,
}
