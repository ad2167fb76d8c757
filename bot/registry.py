"""The one place that says which handlers every bot has, in which order and group.

Handlers are built fresh for every Application: a ConversationHandler keeps its state keyed by
(chat, user), not by bot, so sharing one instance between two bots would mix them.

To add a feature (the admin menus): write `bot/handlers/<feature>.py` with `handlers()` (and
`COMMANDS` if it has menu commands), then add a Feature line to FEATURES below — before
FALLBACKS, which answer whatever no feature took (unknown commands, a pasted key).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from telegram.ext import Application, BaseHandler

from bot.context import Command
from bot.handlers import (
    card,
    chatid,
    errors,
    ext,
    fallback,
    greet,
    quiet,
    scrub,
    status,
    stop,
    subscribe,
    track,
)


@dataclass(frozen=True)
class Feature:
    """Handlers of one feature, the commands it adds to the menu, and its handler group."""

    name: str
    handlers: Callable[[], Sequence[BaseHandler]]
    commands: tuple[Command, ...] = ()
    group: int = 0
    # Called once per Application before it starts, e.g. to schedule JobQueue work.
    setup: Callable[[Application], None] | None = None


FEATURES: list[Feature] = [
    Feature("scrub", scrub.handlers, group=scrub.GROUP),
    Feature("track", track.handlers, group=-1),
    Feature("greet", greet.handlers, greet.COMMANDS),
    Feature("subscribe", subscribe.handlers, subscribe.COMMANDS),
    Feature("status", status.handlers, status.COMMANDS),
    Feature("stop", stop.handlers, stop.COMMANDS),
    Feature("chatid", chatid.handlers, chatid.COMMANDS),
    Feature("quiet", quiet.handlers, quiet.COMMANDS),  # personal quiet hours (docs/hours.md)
    Feature("card", card.handlers),  # presses on missed-call cards (the follow-up loop)
    Feature("ext", ext.handlers, ext.COMMANDS),  # the extension «Позвонить» rings
]
FALLBACKS: list[Feature] = [Feature("fallback", fallback.handlers)]


def features(extra: Sequence[Feature] = ()) -> list[Feature]:
    """Every feature in registration order: ours, then `extra`, then the fallbacks."""
    return [*FEATURES, *extra, *FALLBACKS]


def commands(chosen: Sequence[Feature]) -> tuple[Command, ...]:
    return tuple(c for feature in chosen for c in feature.commands)


def install(app: Application, chosen: Sequence[Feature]) -> None:
    """Add fresh handlers of every feature, and the error handler, to one Application."""
    for feature in chosen:
        app.add_handlers(list(feature.handlers()), group=feature.group)
        if feature.setup is not None:
            feature.setup(app)
    app.add_error_handler(errors.on_error)
