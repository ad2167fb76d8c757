"""The parts of the service and which roles run them: an explicit registry, in start order."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from perezvon.metrics import Metrics
from perezvon.settings import Settings
from perezvon.texts import Catalogue
from store import Store

Stop = Callable[[], Awaitable[None]]
Gauges = Callable[[], Awaitable[Mapping[str, tuple[str, float]]]]


@dataclass
class Context:
    """What parts share while the service runs: settings, the store, and lines for the banner."""

    settings: Settings
    store: Store
    banner: list[str] = field(default_factory=list)
    # The Bot API server and the default bot; the sandbox part replaces both.
    telegram_api: str = ""
    default_token: str | None = None
    shared: dict[str, object] = field(default_factory=dict)
    metrics: Metrics = field(init=False)
    texts: Catalogue = field(default_factory=Catalogue)
    # Extra live gauges for /metrics, contributed by parts that own state (e.g. delivery).
    gauges: list[Gauges] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.metrics = Metrics(self.store.counters)
        self.telegram_api = self.telegram_api or self.settings.telegram_api
        if self.default_token is None and self.settings.bot_token is not None:
            self.default_token = self.settings.bot_token.get_secret_value()


@dataclass(frozen=True)
class Part:
    """One startable piece; `start` returns how to stop it (or None if nothing runs)."""

    name: str
    start: Callable[[Context], Awaitable[Stop | None]]
    # Run for every part of the role before anything starts: a mistake it can see in the
    # settings alone (a port in use) ends the run before a bot polls or Redis starts.
    check: Callable[[Settings], None] | None = None
