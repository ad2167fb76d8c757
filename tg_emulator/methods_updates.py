"""Update delivery methods: getUpdates long polling and the webhook trio."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from . import errors as E
from .call import Call, Handler
from .errors import ApiError
from .state import Webhook

SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def _allowed_updates(call: Call) -> None:
    allowed = call.params.array("allowed_updates", "allowed updates")
    if allowed is not None:
        call.bot.allowed_updates = [str(kind) for kind in allowed]


async def get_updates(call: Call) -> list[dict[str, Any]]:
    """Long poll; a newer concurrent call makes this one fail with 409 as on Telegram."""
    bot, p, settings = call.bot, call.params, call.emu.settings
    if bot.webhook is not None:
        raise ApiError(409, E.CONFLICT_WEBHOOK)
    queue = bot.updates
    queue.poll_generation += 1
    mine = queue.poll_generation
    queue.signal.fire()
    offset = p.int("offset", 0) or 0
    if offset:
        queue.confirm(offset)
    limit = min(max(p.int("limit", 100) or 100, 1), 100)
    timeout = min(max(p.float("timeout", 0.0) or 0.0, 0.0), settings.max_long_poll_seconds)
    _allowed_updates(call)

    def ready() -> bool:
        return (
            queue.poll_generation != mine
            or bot.token != call.token
            or bot.gone
            or bot.webhook is not None
            or bool(queue.select(limit, bot.allowed_updates))
        )

    if timeout > 0:
        await queue.signal.wait_until(ready, timeout)
    if bot.token != call.token or bot.gone:
        raise E.unauthorized()
    if queue.poll_generation != mine:
        raise ApiError(409, E.CONFLICT_POLL)
    return queue.select(limit, bot.allowed_updates)


async def set_webhook(call: Call) -> bool:
    """Register a webhook (an empty url removes it) and start pushing updates to it."""
    bot, p = call.bot, call.params
    url = p.str("url", "") or ""
    if not url:
        return await delete_webhook(call)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise E.bad_request("bad webhook: invalid webhook URL specified")
    secret = p.str("secret_token")
    if secret is not None and not SECRET_RE.match(secret):
        raise E.bad_request("bad webhook: secret token contains unallowed characters")
    _allowed_updates(call)
    if p.bool("drop_pending_updates"):
        bot.updates.drop_all()
    max_connections = p.int("max_connections", 40) or 40
    bot.webhook = Webhook(url, secret, bot.allowed_updates, max_connections)
    bot.updates.signal.fire()
    call.emu.webhooks.stop(bot.id)
    call.emu.webhooks.ensure(bot)
    return True


async def delete_webhook(call: Call) -> bool:
    """Remove the webhook, optionally dropping pending updates."""
    bot = call.bot
    if call.params.bool("drop_pending_updates"):
        bot.updates.drop_all()
    bot.webhook = None
    call.emu.webhooks.stop(bot.id)
    bot.updates.signal.fire()
    return True


async def get_webhook_info(call: Call) -> dict[str, Any]:
    """WebhookInfo: url ("" when polling), pending count and the last delivery error."""
    hook = call.bot.webhook
    info: dict[str, Any] = {
        "url": hook.url if hook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(call.bot.updates.pending),
    }
    if hook:
        info["max_connections"] = hook.max_connections
        info["ip_address"] = "127.0.0.1"
        if hook.last_error_date is not None:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
        if call.bot.allowed_updates:
            info["allowed_updates"] = call.bot.allowed_updates
    return info


METHODS: dict[str, Handler] = {
    "getupdates": get_updates,
    "setwebhook": set_webhook,
    "deletewebhook": delete_webhook,
    "getwebhookinfo": get_webhook_info,
}
