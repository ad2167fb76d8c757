"""Typed failures of the bot runtime that its caller (the service) must decide about."""


class BotRuntimeError(Exception):
    """Base of the runtime's own failures."""


class DefaultTokenRejected(BotRuntimeError):
    """Telegram rejected the default bot's token (BOT_TOKEN): a configuration mistake; give up."""


class TelegramUnavailable(BotRuntimeError):
    """The Bot API could not be reached to identify the default bot; retry later."""
