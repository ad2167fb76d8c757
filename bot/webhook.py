"""Webhook mode: one aiohttp route feeds every bot's Application, checked by a per-bot secret."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import TYPE_CHECKING

from aiohttp import web
from telegram import Update

if TYPE_CHECKING:
    from bot.runtime import BotRuntime

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/tg/{bot_id}"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_secret(secret_key: str, bot_tg_id: int) -> str:
    """The secret Telegram echoes in SECRET_HEADER: derived, so nothing extra is stored."""
    mac = hmac.new(secret_key.encode(), f"perezvon:webhook:{bot_tg_id}".encode(), hashlib.sha256)
    return mac.hexdigest()


def add_webhook_route(app: web.Application, runtime: BotRuntime) -> None:
    """Serve POST /tg/{bot_id} on `app` for every bot `runtime` serves."""

    async def receive(request: web.Request) -> web.Response:
        try:
            bot_id = int(request.match_info["bot_id"])
        except ValueError:
            raise web.HTTPNotFound() from None
        application = runtime.application(bot_id)
        if application is None:
            raise web.HTTPNotFound()
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, runtime.webhook_secret(bot_id).encode()):
            raise web.HTTPForbidden()
        try:
            data = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise web.HTTPBadRequest() from None
        if not isinstance(data, dict):
            raise web.HTTPBadRequest()
        await application.update_queue.put(Update.de_json(data, application.bot))
        return web.Response()

    app.router.add_post(WEBHOOK_PATH, receive)
