"""Register a bot's command menu, description and short description with Telegram."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence

from redis.asyncio import Redis
from telegram import Bot, BotCommand
from telegram.error import InvalidToken, TelegramError

from bot import keys
from bot.context import Command
from perezvon.texts import LANGS, Catalogue

log = logging.getLogger(__name__)

# Re-sent at least daily, so a change made by hand in BotFather does not stick forever.
FINGERPRINT_TTL = 24 * 3600


def profile(
    texts: Catalogue, commands: Sequence[Command], bot_name: str, lang: str
) -> dict[str, object]:
    """What one language of the bot's profile says."""
    return {
        "commands": [(c.name, texts.t(lang, c.menu)) for c in commands],
        "description": texts.t(lang, "bot.description", bot=bot_name),
        "short_description": texts.t(lang, "bot.short_description"),
    }


async def register(
    bot: Bot,
    redis: Redis,
    texts: Catalogue,
    commands: Sequence[Command],
    default_lang: str = "ru",
) -> bool:
    """Send the profile unless this exact profile was sent recently; True when it was sent.

    The default language goes to the default scope (no language_code), every other language
    with its language_code. Telegram's refusals are logged, never fatal: the bot still answers.
    """
    name = bot.first_name
    plan = [(None, default_lang)] + [(lang, lang) for lang in LANGS if lang != default_lang]
    pages = [(code, profile(texts, commands, name, lang)) for code, lang in plan]
    fingerprint = hashlib.sha256(json.dumps(pages, sort_keys=True).encode()).hexdigest()
    key = keys.profile(bot.id)
    if await redis.get(key) == fingerprint:
        return False
    try:
        for code, page in pages:
            menu = [BotCommand(c, d) for c, d in page["commands"]]  # type: ignore[union-attr]
            await bot.set_my_commands(menu, language_code=code)
            await bot.set_my_description(page["description"], language_code=code)  # type: ignore[arg-type]
            await bot.set_my_short_description(page["short_description"], language_code=code)  # type: ignore[arg-type]
    except InvalidToken:
        raise
    except TelegramError as exc:
        log.warning("bot %s: could not register commands and description: %s", bot.id, exc)
        return False
    await redis.set(key, fingerprint, ex=FINGERPRINT_TTL)
    return True
