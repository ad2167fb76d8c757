"""Message methods: send, edit, delete, callback answers, chat actions and getChat."""

from __future__ import annotations

import time
from typing import Any

from . import errors as E
from .access import check_can_write, resolve_chat
from .call import Call, Handler
from .content import render_text, validate_markup
from .methods_forum import check_thread
from .serialize import chat_full_info, control_message, message_json
from .state import StoredMessage

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


def _target(call: Call) -> int:
    chat_id = resolve_chat(call.emu.world, call.params.chat_id())
    check_can_write(call.emu.world, call.bot, chat_id)
    return chat_id


def _link_preview(call: Call) -> dict[str, Any] | None:
    options = call.params.obj("link_preview_options", "link preview options")
    if options is None and call.params.bool("disable_web_page_preview"):
        options = {"is_disabled": True}
    return options or None


def _flood_control(call: Call, chat_id: int, paid: bool = False) -> None:
    """A flood fault, or the limits: sends and edits alike count against the bot and the chat."""
    emu, bot = call.emu, call.bot
    storm = emu.faults.take("flood", bot.id, chat_id, call.method)
    if storm is not None:
        raise E.too_many_requests(storm.retry_after)
    retry_after = emu.limiter.acquire(bot.id, chat_id, chat_id > 0, paid)
    if retry_after:
        raise E.too_many_requests(retry_after)


async def _stall(call: Call, chat_id: int) -> None:
    """The timeout_after_store fault: the change is stored, the answer held."""
    emu = call.emu
    stall = emu.faults.take("timeout_after_store", call.bot.id, chat_id, call.method)
    if stall is not None:
        await emu.sleep(stall.seconds or emu.settings.timeout_fault_default_seconds)


async def send_message(call: Call) -> dict[str, Any]:
    """Validate, pass flood control, store, then (maybe) stall as the timeout fault asks."""
    emu, bot, p = call.emu, call.bot, call.params
    chat_id = _target(call)
    text, entities = render_text(p, emu.settings.max_text_length)
    markup = validate_markup(p.obj("reply_markup", "reply keyboard markup"))
    link_preview = _link_preview(call)
    check_thread(emu.world, chat_id, p.int("message_thread_id"))
    paid = p.bool("allow_paid_broadcast")
    _flood_control(call, chat_id, paid)
    msg = emu.world.store_message(
        {
            "chat_id": chat_id,
            "bot_id": bot.id,
            "from_bot": True,
            "from_user_id": None,
            "text": text,
            "entities": entities,
            "reply_markup": markup,
            "message_thread_id": p.int("message_thread_id"),
            "disable_notification": p.bool("disable_notification"),
            "link_preview_options": link_preview,
        }
    )
    bot.stats.count_send(paid)
    emu.world.record_event("sent", control_message(emu.world, msg))
    await _stall(call, chat_id)
    return message_json(emu.world, msg)


def _own_message(call: Call, chat_id: int, not_found: str) -> StoredMessage:
    message_id = call.params.int("message_id")
    if message_id is None:
        raise E.bad_request("message identifier is not specified")
    msg = call.emu.world.find_message(call.bot.id, chat_id, message_id)
    if msg is None:
        raise E.bad_request(not_found)
    return msg


def _editable(call: Call) -> StoredMessage:
    if call.params.has("inline_message_id"):
        raise E.bad_request("MESSAGE_ID_INVALID")
    chat_id = _target(call)
    msg = _own_message(call, chat_id, E.EDIT_NOT_FOUND)
    if not msg.from_bot or msg.bot_id != call.bot.id:
        raise E.bad_request(E.CANT_EDIT)
    return msg


async def _finish_edit(call: Call, msg: StoredMessage) -> dict[str, Any]:
    world = call.emu.world
    msg.edit_date = int(time.time())
    call.bot.stats.edits += 1
    world.record_event("edited", control_message(world, msg))
    await _stall(call, msg.chat_id)
    return message_json(world, msg)


async def edit_message_text(call: Call) -> dict[str, Any]:
    """Replace text and markup (no reply_markup removes the keyboard, as on Telegram)."""
    msg = _editable(call)
    text, entities = render_text(call.params, call.emu.settings.max_text_length)
    markup = validate_markup(call.params.obj("reply_markup", "reply keyboard markup"))
    if (text, entities, markup) == (msg.text, msg.entities, msg.reply_markup):
        raise E.bad_request(E.NOT_MODIFIED)
    _flood_control(call, msg.chat_id)
    msg.text, msg.entities, msg.reply_markup = text, entities, markup
    link_preview = _link_preview(call)
    if link_preview is not None:
        msg.link_preview_options = link_preview
    return await _finish_edit(call, msg)


async def edit_message_reply_markup(call: Call) -> dict[str, Any]:
    """Replace (or with none given, remove) the inline keyboard."""
    msg = _editable(call)
    markup = validate_markup(call.params.obj("reply_markup", "reply keyboard markup"))
    if markup == msg.reply_markup:
        raise E.bad_request(E.NOT_MODIFIED)
    _flood_control(call, msg.chat_id)
    msg.reply_markup = markup
    return await _finish_edit(call, msg)


async def delete_message(call: Call) -> bool:
    """Delete a message the bot may delete; others' group messages need admin rights."""
    world = call.emu.world
    chat_id = resolve_chat(world, call.params.chat_id())
    msg = _own_message(call, chat_id, E.DELETE_NOT_FOUND)
    own = msg.from_bot and msg.bot_id == call.bot.id
    if chat_id < 0 and not own and call.bot.id not in world.chats[chat_id].admins:
        raise E.bad_request(E.CANT_DELETE)
    msg.deleted = True
    world.record_event("deleted", control_message(world, msg))
    return True


async def answer_callback_query(call: Call) -> bool:
    """Record the answer once; a second or unknown answer is Telegram's "query is too old"."""
    p, world = call.params, call.emu.world
    query_id = p.str("callback_query_id")
    record = world.callbacks.get(query_id or "")
    if record is None or record.bot_id != call.bot.id or record.answer is not None:
        raise E.bad_request(E.QUERY_INVALID)
    text = p.str("text")
    if text is not None and len(text) > 200:
        raise E.bad_request("MESSAGE_TOO_LONG")
    record.answer = {
        "text": text,
        "show_alert": p.bool("show_alert"),
        "url": p.str("url"),
        "cache_time": p.int("cache_time", 0),
    }
    # Who pressed, where: a feed reader shows the toast only to that user.
    world.record_event(
        "answered",
        {
            "callback_query_id": record.id,
            "answer": record.answer,
            "bot_id": record.bot_id,
            "user_id": record.user_id,
            "chat_id": record.chat_id,
        },
    )
    return True


async def send_chat_action(call: Call) -> bool:
    """Accept a known chat action where the bot may write."""
    _target(call)
    if call.params.str("action") not in CHAT_ACTIONS:
        raise E.bad_request("wrong parameter action in request")
    return True


async def get_chat(call: Call) -> dict[str, Any]:
    """ChatFullInfo of a chat the bot knows."""
    world = call.emu.world
    chat_id = resolve_chat(world, call.params.chat_id())
    if chat_id > 0 and call.bot.id not in world.users[chat_id].started:
        raise E.bad_request(E.CHAT_NOT_FOUND)
    if chat_id < 0:
        check_can_write(world, call.bot, chat_id)
    return chat_full_info(world, chat_id)


METHODS: dict[str, Handler] = {
    "sendmessage": send_message,
    "editmessagetext": edit_message_text,
    "editmessagereplymarkup": edit_message_reply_markup,
    "deletemessage": delete_message,
    "answercallbackquery": answer_callback_query,
    "sendchataction": send_chat_action,
    "getchat": get_chat,
}
