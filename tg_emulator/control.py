"""The control HTTP API under /_emulator/: set the world up, act as users, observe, break."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from . import inbound, methods_forum
from .bot_api import EMULATOR
from .emulator import Emulator
from .faults import FaultSpecError
from .files import files
from .limits import BotRates
from .serialize import bot_user, chat_json, control_message, human_user
from .state import BotAccount, StateError

PREFIX = "/_emulator"


class ControlError(Exception):
    """A bad control request; becomes {"ok": false, "error": ...} with a 4xx status."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


async def _body(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise ControlError("body must be a JSON object") from None
    if not isinstance(body, dict):
        raise ControlError("body must be a JSON object")
    return body


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise ControlError(f"{name} must be an integer")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ControlError(f"{name} must be an integer") from None


def _opt_int(value: Any, name: str) -> int | None:
    return None if value is None or value == "" else _int(value, name)


def _wait_seconds(emu: Emulator, request: web.Request) -> float:
    try:
        wait = float(request.query.get("wait", "0"))
    except ValueError:
        raise ControlError("wait must be a number of seconds") from None
    return min(max(wait, 0.0), emu.settings.max_control_wait_seconds)


def _bot_of(emu: Emulator, body: dict[str, Any]) -> BotAccount:
    if body.get("bot") is not None:
        return emu.world.bot_by_name(str(body["bot"]))
    return emu.world.bot(_int(body.get("bot_id"), "bot_id"))


def _bot_json(bot: BotAccount) -> dict[str, Any]:
    return {
        **bot_user(bot),
        "token": bot.token,
        "webhook_url": bot.webhook.url if bot.webhook else None,
    }


# --- world setup ------------------------------------------------------------------------------


async def reset(emu: Emulator, request: web.Request) -> web.Response:
    emu.reset()
    return _ok(True)


async def create_bot(emu: Emulator, request: web.Request) -> web.Response:
    body = await _body(request)
    username = body.get("username")
    if not isinstance(username, str) or not username:
        raise ControlError("username is required")
    bot = emu.world.add_bot(username.lstrip("@"), body.get("first_name"), body.get("token"))
    return _ok(_bot_json(bot))


async def list_bots(emu: Emulator, request: web.Request) -> web.Response:
    return _ok([_bot_json(bot) for bot in emu.world.bots.values()])


async def revoke_bot(emu: Emulator, request: web.Request) -> web.Response:
    bot_id = _int(request.match_info["bot_id"], "bot_id")
    return _ok({"token": emu.world.revoke_token(bot_id)})


async def bot_stats(emu: Emulator, request: web.Request) -> web.Response:
    bot = emu.world.bot(_int(request.match_info["bot_id"], "bot_id"))
    return _ok(bot.stats.as_json())


def _opt_rate(body: dict[str, Any], name: str) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ControlError(f"{name} must be a positive number of sends per second (or null)")
    return float(value)


def _limits_json(emu: Emulator, bot_id: int) -> dict[str, Any]:
    lim = emu.settings.limits
    return {
        "model": emu.limiter.model,
        "enabled": lim.enabled,
        "default_per_second": lim.bot_per_second,
        **emu.limiter.bot_rates(bot_id).as_json(),
    }


async def get_bot_limits(emu: Emulator, request: web.Request) -> web.Response:
    bot = emu.world.bot(_int(request.match_info["bot_id"], "bot_id"))
    return _ok(_limits_json(emu, bot.id))


async def set_bot_limits(emu: Emulator, request: web.Request) -> web.Response:
    bot = emu.world.bot(_int(request.match_info["bot_id"], "bot_id"))
    body = await _body(request)
    rates = BotRates(_opt_rate(body, "per_second"), _opt_rate(body, "paid_per_second"))
    emu.limiter.set_bot_rates(bot.id, rates)
    return _ok(_limits_json(emu, bot.id))


async def create_user(emu: Emulator, request: web.Request) -> web.Response:
    body = await _body(request)
    first_name = body.get("first_name")
    if not isinstance(first_name, str) or not first_name:
        raise ControlError("first_name is required")
    user = emu.world.add_user(
        first_name,
        _opt_int(body.get("id"), "id"),
        body.get("username"),
        body.get("language_code"),
        body.get("last_name"),
    )
    return _ok(human_user(user))


async def deactivate_user(emu: Emulator, request: web.Request) -> web.Response:
    user = emu.world.user(_int(request.match_info["user_id"], "user_id"))
    user.deactivated = True
    return _ok(True)


async def block_bot(emu: Emulator, request: web.Request) -> web.Response:
    user_id = _int(request.match_info["user_id"], "user_id")
    blocked = request.match_info["action"] == "block"
    bot = _bot_of(emu, await _body(request))
    update = inbound.set_blocked(emu, bot.id, user_id, blocked)
    return _ok({"update_id": update["update_id"]})


async def create_group(emu: Emulator, request: web.Request) -> web.Response:
    body = await _body(request)
    title = body.get("title")
    if not isinstance(title, str) or not title:
        raise ControlError("title is required")

    def ids(name: str) -> list[int]:
        values = body.get(name) or []
        if not isinstance(values, list):
            raise ControlError(f"{name} must be a list of ids")
        return [_int(v, name) for v in values]

    chat = emu.world.add_group(
        title,
        ids("members"),
        ids("admins"),
        ids("bots"),
        bool(body.get("supergroup")),
        body.get("username"),
    )
    return _ok(chat_json(emu.world, chat.id))


async def upgrade_group(emu: Emulator, request: web.Request) -> web.Response:
    chat_id = _int(request.match_info["chat_id"], "chat_id")
    return _ok({"chat_id": inbound.upgrade_group(emu, chat_id)})


async def add_bot_to_chat(emu: Emulator, request: web.Request) -> web.Response:
    chat_id = _int(request.match_info["chat_id"], "chat_id")
    body = await _body(request)
    bot = _bot_of(emu, body)
    rights = body.get("rights")
    if rights is not None and not isinstance(rights, dict):
        raise ControlError("rights must be an object of booleans")
    start = body.get("start")
    if start is not None and not isinstance(start, str):
        raise ControlError("start must be a string")
    inbound.bot_joins(
        emu,
        bot.id,
        chat_id,
        _opt_int(body.get("user_id"), "user_id"),
        bool(body.get("admin")),
        rights,
        start,
    )
    return _ok(True)


async def make_forum(emu: Emulator, request: web.Request) -> web.Response:
    methods_forum.make_forum(emu.world, _int(request.match_info["chat_id"], "chat_id"))
    return _ok(True)


async def kick_bot(emu: Emulator, request: web.Request) -> web.Response:
    chat_id = _int(request.match_info["chat_id"], "chat_id")
    bot_id = _int(request.match_info["bot_id"], "bot_id")
    by = request.query.get("by")
    inbound.bot_removed(emu, bot_id, chat_id, _int(by, "by") if by is not None else None)
    return _ok(True)


# --- acting as a user -------------------------------------------------------------------------


async def user_message(emu: Emulator, request: web.Request) -> web.Response:
    body = await _body(request)
    bot = _bot_of(emu, body)
    text = body.get("text")
    if not isinstance(text, str):
        raise ControlError("text is required")
    msg, update = inbound.user_sends(
        emu,
        bot.id,
        _int(body.get("user_id"), "user_id"),
        text,
        _opt_int(body.get("chat_id"), "chat_id"),
    )
    return _ok(
        {"message_id": msg.message_id, "chat_id": msg.chat_id, "update_id": update["update_id"]}
    )


async def press_button(emu: Emulator, request: web.Request) -> web.Response:
    body = await _body(request)
    bot = _bot_of(emu, body)
    user_id = _int(body.get("user_id"), "user_id")
    record, update = inbound.press_button(
        emu,
        bot.id,
        user_id,
        _opt_int(body.get("chat_id"), "chat_id") or user_id,
        _int(body.get("message_id"), "message_id"),
        body.get("data"),
        _opt_int(body.get("button"), "button"),
    )
    return _ok(
        {"callback_query_id": record.id, "data": record.data, "update_id": update["update_id"]}
    )


async def callback_answer(emu: Emulator, request: web.Request) -> web.Response:
    query_id = request.match_info["query_id"]
    record = emu.world.callbacks.get(query_id)
    if record is None:
        raise ControlError(f"no callback query {query_id}", 404)
    await emu.world.changed.wait_until(
        lambda: record.answer is not None, _wait_seconds(emu, request)
    )
    return _ok({"answered": record.answer is not None, "answer": record.answer})


# --- observing ----------------------------------------------------------------------------------


async def chat_messages(emu: Emulator, request: web.Request) -> web.Response:
    chat_id = _int(request.match_info["chat_id"], "chat_id")
    bot_id = _opt_int(request.query.get("bot_id"), "bot_id")
    include_users = request.query.get("include_users", "") in ("1", "true")
    count = _opt_int(request.query.get("count"), "count") or 0

    def current() -> list[Any]:
        msgs = emu.world.chat_messages(chat_id, bot_id)
        if bot_id is not None:
            msgs = [m for m in msgs if m.bot_id == bot_id]
        return [m for m in msgs if include_users or m.from_bot]

    reached = await emu.world.changed.wait_until(
        lambda: len(current()) >= count, _wait_seconds(emu, request)
    )
    records = [control_message(emu.world, m) for m in current()]
    return _ok({"messages": records, "timed_out": not reached})


async def events(emu: Emulator, request: web.Request) -> web.Response:
    after = _opt_int(request.query.get("after"), "after") or 0
    chat_id = _opt_int(request.query.get("chat_id"), "chat_id")
    world = emu.world

    def pending() -> list[dict[str, Any]]:
        out = [e for e in world.events if e["seq"] > after]
        if chat_id is not None:
            out = [e for e in out if e.get("message", {}).get("chat", {}).get("id") == chat_id]
        return out

    await world.changed.wait_until(lambda: bool(pending()), _wait_seconds(emu, request))
    return _ok({"events": pending(), "last_seq": world.event_seq})


async def api_log(emu: Emulator, request: web.Request) -> web.Response:
    bot_id = _opt_int(request.query.get("bot_id"), "bot_id")
    method = request.query.get("method", "").lower()
    entries = [
        e
        for e in emu.api_log
        if (bot_id is None or e["bot_id"] == bot_id) and (not method or e["method"] == method)
    ]
    return _ok(entries)


# --- faults -------------------------------------------------------------------------------------


async def add_fault(emu: Emulator, request: web.Request) -> web.Response:
    try:
        fault = emu.faults.add(await _body(request))
    except FaultSpecError as exc:
        raise ControlError(str(exc)) from None
    return _ok(fault.as_json())


async def list_faults(emu: Emulator, request: web.Request) -> web.Response:
    return _ok([f.as_json() for f in emu.faults.active()])


async def clear_faults(emu: Emulator, request: web.Request) -> web.Response:
    bot_id = _opt_int(request.query.get("bot_id"), "bot_id")
    return _ok({"cleared": emu.faults.clear(bot_id)})


async def remove_fault(emu: Emulator, request: web.Request) -> web.Response:
    if not emu.faults.remove(_int(request.match_info["fault_id"], "fault_id")):
        raise ControlError("no such fault", 404)
    return _ok(True)


async def file_bytes(emu: Emulator, request: web.Request) -> web.Response:
    """The bytes of an uploaded file (a photo's or a document's file_id), as they were sent."""
    found = files(emu.world).get(request.match_info["file_id"])
    if found is None:
        raise ControlError("no such file", 404)
    return web.Response(body=found.data, content_type=found.mime_type or "image/jpeg")


async def health(emu: Emulator, request: web.Request) -> web.Response:
    return _ok({"bots": len(emu.world.bots), "users": len(emu.world.users)})


Route = Callable[[Emulator, web.Request], Awaitable[web.Response]]
ROUTES: list[tuple[str, str, Route]] = [
    ("GET", "/health", health),
    ("POST", "/reset", reset),
    ("GET", "/bots", list_bots),
    ("POST", "/bots", create_bot),
    ("POST", "/bots/{bot_id}/revoke", revoke_bot),
    ("GET", "/bots/{bot_id}/stats", bot_stats),
    ("GET", "/bots/{bot_id}/limits", get_bot_limits),
    ("POST", "/bots/{bot_id}/limits", set_bot_limits),
    ("POST", "/users", create_user),
    ("POST", "/users/{user_id}/deactivate", deactivate_user),
    ("POST", "/users/{user_id}/{action:block|unblock}", block_bot),
    ("POST", "/groups", create_group),
    ("POST", "/chats/{chat_id}/upgrade", upgrade_group),
    ("POST", "/chats/{chat_id}/bots", add_bot_to_chat),
    ("POST", "/chats/{chat_id}/forum", make_forum),
    ("DELETE", "/chats/{chat_id}/bots/{bot_id}", kick_bot),
    ("GET", "/chats/{chat_id}/messages", chat_messages),
    ("POST", "/messages", user_message),
    ("POST", "/callbacks", press_button),
    ("GET", "/callbacks/{query_id}", callback_answer),
    ("GET", "/events", events),
    ("GET", "/log", api_log),
    ("GET", "/files/{file_id}", file_bytes),
    ("GET", "/faults", list_faults),
    ("POST", "/faults", add_fault),
    ("DELETE", "/faults", clear_faults),
    ("DELETE", "/faults/{fault_id}", remove_fault),
]


def _wrap(route: Route) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        try:
            return await route(request.app[EMULATOR], request)
        except ControlError as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=exc.status)
        except StateError as exc:
            status = 404 if str(exc).startswith("no ") else 400
            return web.json_response({"ok": False, "error": str(exc)}, status=status)

    return handler


def add_routes(app: web.Application) -> None:
    """Mount the control API on the app."""
    for verb, path, route in ROUTES:
        app.router.add_route(verb, PREFIX + path, _wrap(route))
