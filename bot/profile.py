"""Register a bot's command menu, description and short description with Telegram."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Bot, BotCommand
from telegram.error import InvalidToken, TelegramError

from bot.context import Command
from perezvon.texts import LANGS, Catalogue

log = logging.getLogger(__name__)


async def register(
    bot: Bot, texts: Catalogue, commands: Sequence[Command], default_lang: str = "ru"
) -> bool:
    """Send the profile in every language; True when Telegram took all of it.

    The default language goes to the default scope (no language_code), every other language
    with its language_code. Telegram's refusals are logged, never fatal: the bot still answers.
    """
    plan = [(None, default_lang)] + [(lang, lang) for lang in LANGS if lang != default_lang]
    try:
        for code, lang in plan:
            menu = [BotCommand(c.name, texts.t(lang, c.menu)) for c in commands]
            await bot.set_my_commands(menu, language_code=code)
            await bot.set_my_description(
                texts.t(lang, "bot.description", bot=bot.first_name), language_code=code
            )
            await bot.set_my_short_description(
                texts.t(lang, "bot.short_description"), language_code=code
            )
    except InvalidToken:
        raise
    except TelegramError as exc:
        log.warning("bot %s: could not register commands and description: %s", bot.id, exc)
        return False
    return True
