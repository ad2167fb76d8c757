"""Telling a tenant's admins, once, that Telegram rejected their bot's token: the one function
lives in delivery (both the bot runtime and the delivery engine use it)."""

from delivery.notices import TEXT_KEY, TOLD_TTL, tell_admins_once

__all__ = ["TEXT_KEY", "TOLD_TTL", "tell_admins_once"]
