"""The Bot API HTTP surface: /bot<token>/<method>, auth, injected faults and the envelope."""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web

from . import errors as E
from . import (
    methods_bot,
    methods_forum,
    methods_media,
    methods_members,
    methods_messages,
    methods_updates,
)
from .call import Call, Handler
from .emulator import Emulator
from .errors import ApiError
from .files import Upload
from .params import Params, read_params
from .state import TOKEN_RE

log = logging.getLogger(__name__)

EMULATOR = web.AppKey("emulator", Emulator)
METHODS: dict[str, Handler] = {
    **methods_bot.METHODS,
    **methods_updates.METHODS,
    **methods_messages.METHODS,
    **methods_members.METHODS,
    **methods_forum.METHODS,
    **methods_media.METHODS,
}
PROXY_502_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


class DroppedConnection(Exception):
    """The drop fault fired: the transport was closed without an answer."""


def envelope(error: ApiError) -> web.Response:
    """Telegram's JSON error answer, with Retry-After on a 429."""
    headers = {}
    if error.code == 429 and error.parameters:
        headers["Retry-After"] = str(error.parameters["retry_after"])
    return web.json_response(error.body(), status=error.code, headers=headers)


def _loose_chat_id(raw: dict[str, Any]) -> int | None:
    try:
        return int(raw.get("chat_id"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


async def _pre_faults(emu: Emulator, request: web.Request, call: Call) -> web.Response | None:
    """Faults that strike before the method runs: latency, 5xx, proxy page, dropped socket."""
    bot_id, method = call.bot.id, call.method
    chat_id = _loose_chat_id(call.params.raw)
    delay = emu.faults.take("latency", bot_id, chat_id, method)
    if delay is not None:
        await emu.sleep(delay.seconds)
    if emu.faults.take("drop", bot_id, chat_id, method) is not None:
        if request.transport is not None:
            request.transport.close()
        raise DroppedConnection
    if emu.faults.take("error_500", bot_id, chat_id, method) is not None:
        raise E.internal_error()
    if emu.faults.take("html_502", bot_id, chat_id, method) is not None:
        return web.Response(status=502, text=PROXY_502_PAGE, content_type="text/html")
    return None


async def handle_bot_api(request: web.Request) -> web.StreamResponse:
    """Authenticate, apply faults, run the method and wrap its result or error."""
    emu = request.app[EMULATOR]
    token = request.match_info["token"]
    method = request.match_info["method"].lower()
    if not TOKEN_RE.match(token):
        return envelope(E.not_found())
    bot_id = emu.world.tokens.get(token)
    if bot_id is None:
        return envelope(E.unauthorized())
    bot = emu.world.bots[bot_id]
    handler = METHODS.get(method)
    if handler is None:
        return envelope(E.not_found())
    bot.stats.requests += 1
    bot.stats.by_method[method] += 1
    raw: dict[str, Any] = {}
    bot.in_flight += 1
    try:
        raw = await read_params(request)
        call = Call(emu, bot, token, method, Params(raw))
        limits = emu.settings.limits
        if limits.enabled and bot.in_flight > limits.max_in_flight_per_bot:
            raise E.too_many_requests(60)
        faulted = await _pre_faults(emu, request, call)
        if faulted is not None:
            emu.log_call(
                {"bot_id": bot.id, "method": method, "params": _loggable(raw), "status": 502}
            )
            return faulted
        result = await handler(call)
    except ApiError as error:
        bot.stats.errors += 1
        if error.code == 429:
            bot.stats.too_many_requests += 1
        emu.log_call(
            {
                "bot_id": bot.id,
                "method": method,
                "params": _loggable(raw),
                "status": error.code,
                "description": error.description,
            }
        )
        return envelope(error)
    except DroppedConnection:
        emu.log_call({"bot_id": bot.id, "method": method, "params": _loggable(raw), "status": None})
        raise web.HTTPInternalServerError from None  # never reaches the closed socket
    finally:
        bot.in_flight -= 1
    emu.log_call({"bot_id": bot.id, "method": method, "params": _loggable(raw), "status": 200})
    return web.json_response({"ok": True, "result": result}, dumps=_dumps)


def _loggable(raw: dict[str, Any]) -> dict[str, Any]:
    """The call's parameters for the API log: an uploaded file as its name and size."""
    return {k: repr(v) if isinstance(v, Upload) else v for k, v in raw.items()}


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


async def handle_unknown(request: web.Request) -> web.Response:
    """Any path outside the API answers like Telegram's front end."""
    return envelope(E.not_found())


def add_routes(app: web.Application) -> None:
    """Mount the Bot API on the app."""
    app.router.add_route("*", "/bot{token}/{method}", handle_bot_api)
    app.router.add_route("GET", "/file/bot{token}/{path:.+}", methods_media.download)
