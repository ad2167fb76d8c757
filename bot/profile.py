"""Register a bot's command menu, description and short description with Telegram."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence

from telegram import Bot, BotCommand
from telegram.error import InvalidToken, TelegramError

from bot.context import Command
from perezvon.texts import LANGS, Catalogue
from store.profiles import Profiles

log = logging.getLogger(__name__)


def _plan(
    bot: Bot, texts: Catalogue, commands: Sequence[Command], default_lang: str
) -> list[tuple[str | None, list[BotCommand], str, str]]:
    """(language_code, menu, description, short description) per language sent."""
    langs = [(None, default_lang)] + [(lang, lang) for lang in LANGS if lang != default_lang]
    return [
        (
            code,
            [BotCommand(c.name, texts.t(lang, c.menu)) for c in commands],
            texts.t(lang, "bot.description", bot=bot.first_name),
            texts.t(lang, "bot.short_description"),
        )
        for code, lang in langs
    ]


def _digest(plan: list[tuple[str | None, list[BotCommand], str, str]]) -> str:
    flat = [[code, [c.to_dict() for c in menu], d, s] for code, menu, d, s in plan]
    return hashlib.sha256(json.dumps(flat, ensure_ascii=False).encode()).hexdigest()


async def register(
    bot: Bot,
    texts: Catalogue,
    commands: Sequence[Command],
    default_lang: str = "ru",
    profiles: Profiles | None = None,
) -> bool:
    """Send the profile in every language; True when Telegram has all of it.

    The default language goes to the default scope (no language_code), every other language
    with its language_code. With `profiles`, a profile Telegram already has (the same digest,
    registered within a week) is not sent again. Telegram's refusals are logged, never fatal:
    the bot still answers.
    """
    plan = _plan(bot, texts, commands, default_lang)
    digest = _digest(plan)
    if profiles is not None and await profiles.digest(bot.id) == digest:
        return True
    try:
        for code, menu, description, short in plan:
            await bot.set_my_commands(menu, language_code=code)
            await bot.set_my_description(description, language_code=code)
            await bot.set_my_short_description(short, language_code=code)
    except InvalidToken:
        raise
    except TelegramError as exc:
        log.warning("bot %s: could not register commands and description: %s", bot.id, exc)
        return False
    if profiles is not None:
        await profiles.remember(bot.id, digest)
    return True
