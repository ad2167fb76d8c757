"""Bot-level methods: getMe, logOut/close, commands and descriptions."""

from __future__ import annotations

import json
import re
from typing import Any

from . import errors as E
from .call import Call, Handler
from .serialize import bot_user

COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)


async def get_me(call: Call) -> dict[str, Any]:
    """The bot itself with its capability flags."""
    return bot_user(call.bot, full=True)


async def log_out(call: Call) -> bool:
    """Accepted and answered True; the emulator keeps serving the bot."""
    call.bot.updates.signal.fire()
    return True


def _scope_key(call: Call) -> tuple[str, str]:
    scope = call.params.obj("scope", "bot command scope") or {"type": "default"}
    if scope.get("type") not in SCOPE_TYPES:
        raise E.bad_request("can't parse BotCommandScope: unsupported type")
    if scope["type"] in ("chat", "chat_administrators", "chat_member") and "chat_id" not in scope:
        raise E.bad_request("can't parse BotCommandScope: chat_id is missing")
    language = call.params.str("language_code", "") or ""
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise E.bad_request("invalid language code specified")
    return json.dumps(scope, sort_keys=True), language


async def set_my_commands(call: Call) -> bool:
    """Store the command list for a (scope, language) pair."""
    commands = call.params.array("commands", "bot commands")
    if commands is None:
        raise E.bad_request('parameter "commands" is required')
    if len(commands) > 100:
        raise E.bad_request("too many commands specified")
    clean = []
    for item in commands:
        if not isinstance(item, dict):
            raise E.bad_request("can't parse BotCommand")
        command = str(item.get("command", "")).lstrip("/").lower()
        description = item.get("description")
        if not COMMAND_RE.match(command):
            raise E.bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description) <= 256:
            raise E.bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        clean.append({"command": command, "description": description})
    key = _scope_key(call)
    if clean:
        call.bot.commands[key] = clean
    else:
        call.bot.commands.pop(key, None)
    return True


async def get_my_commands(call: Call) -> list[dict[str, str]]:
    """The command list of exactly this (scope, language) pair."""
    return call.bot.commands.get(_scope_key(call), [])


async def delete_my_commands(call: Call) -> bool:
    """Forget the command list of a (scope, language) pair."""
    call.bot.commands.pop(_scope_key(call), None)
    return True


def _language(call: Call) -> str:
    language = call.params.str("language_code", "") or ""
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise E.bad_request("invalid language code specified")
    return language


def _set_text(call: Call, field: str, store: dict[str, str], limit: int) -> bool:
    text = call.params.str(field, "") or ""
    if len(text) > limit:
        raise E.bad_request(f"{field} is too long")
    language = _language(call)
    if text:
        store[language] = text
    else:
        store.pop(language, None)
    return True


async def set_my_description(call: Call) -> bool:
    """Set (or with empty text clear) the description for a language."""
    return _set_text(call, "description", call.bot.descriptions, 512)


async def get_my_description(call: Call) -> dict[str, str]:
    """The description for exactly this language ("" if none)."""
    return {"description": call.bot.descriptions.get(_language(call), "")}


async def set_my_short_description(call: Call) -> bool:
    """Set (or with empty text clear) the short description for a language."""
    return _set_text(call, "short_description", call.bot.short_descriptions, 120)


async def get_my_short_description(call: Call) -> dict[str, str]:
    """The short description for exactly this language ("" if none)."""
    return {"short_description": call.bot.short_descriptions.get(_language(call), "")}


METHODS: dict[str, Handler] = {
    "getme": get_me,
    "logout": log_out,
    "close": log_out,
    "setmycommands": set_my_commands,
    "getmycommands": get_my_commands,
    "deletemycommands": delete_my_commands,
    "setmydescription": set_my_description,
    "getmydescription": get_my_description,
    "setmyshortdescription": set_my_short_description,
    "getmyshortdescription": get_my_short_description,
}
