"""Which bot writes to a chat: the tenant's active custom bot if the chat started it, else one
the chat did start (the default bot), with an invitation to start the custom one."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from store import Store
from store.models import CustomBot


@dataclass(frozen=True, slots=True)
class BotRef:
    """A bot we can send with; `bid` is set for a tenant's custom bot."""

    tg_id: int
    token: str = field(repr=False)
    username: str = ""
    tid: str | None = None
    bid: str | None = None
    name: str = ""

    @property
    def custom(self) -> bool:
        return self.bid is not None


def bot_id_of_token(token: str) -> int:
    """Telegram's bot id is the token's numeric prefix (no getMe needed)."""
    head = token.split(":", 1)[0]
    if not head.isdigit():
        raise ValueError("a bot token starts with the bot's numeric id")
    return int(head)


def _ref(bot: CustomBot) -> BotRef:
    return BotRef(bot.tg_id, bot.token, bot.username, bot.tenant_id, bot.id, bot.name)


@dataclass(frozen=True, slots=True)
class Route:
    bot: BotRef
    invite: BotRef | None = None  # the custom bot this chat should be invited to start


class Router:
    """Chooses routes; active custom bots are cached briefly and dropped on every change."""

    def __init__(
        self,
        store: Store,
        default: BotRef,
        cache_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self.default = default
        self._ttl = cache_seconds
        self._clock = clock
        self._cache: dict[str, tuple[float, BotRef | None]] = {}

    def invalidate(self, tid: str | None = None) -> None:
        if tid is None:
            self._cache.clear()
        else:
            self._cache.pop(tid, None)

    async def custom(self, tid: str) -> BotRef | None:
        now = self._clock()
        hit = self._cache.get(tid)
        if hit is not None and hit[0] > now:
            return hit[1]
        bot = await self._store.bots.active(tid)
        ref = _ref(bot) if bot is not None else None
        self._cache[tid] = (now + self._ttl, ref)
        return ref

    async def known(self, tid: str, tg_id: int) -> BotRef | None:
        """The bot a queued job names, if it is still one this tenant may send with."""
        if tg_id == self.default.tg_id:
            return self.default
        custom = await self.custom(tid)
        return custom if custom is not None and custom.tg_id == tg_id else None

    async def forced(self, tid: str, tg_id: int, tried: Iterable[int]) -> Route | None:
        """The route of a job only one bot may send (a leaving bot's farewell), if any."""
        if tg_id in set(tried):
            return None
        bot = await self._store.leaving.get(tid, tg_id)
        return Route(_ref(bot)) if bot is not None else None

    @staticmethod
    def _decide(
        default: BotRef,
        custom: BotRef | None,
        started_custom: bool,
        started_default: bool,
        tried: Iterable[int],
    ) -> Route | None:
        tried = set(tried)
        custom_ok = custom is not None and custom.tg_id not in tried
        default_ok = default.tg_id not in tried
        if custom_ok and started_custom:
            return Route(custom)  # type: ignore[arg-type]
        if default_ok and started_default:
            return Route(default, custom)
        # No record either way (an admin added the chat by id, or a group): try the custom bot,
        # and if Telegram refuses, the default one.
        if custom_ok:
            return Route(custom)  # type: ignore[arg-type]
        if default_ok:
            return Route(default, custom)
        return None

    async def choose(self, tid: str, chat: int, tried: Iterable[int] = ()) -> Route | None:
        """None: every bot was refused by this chat."""
        custom = await self.custom(tid)
        started = self._store.started
        started_custom = custom is not None and await started.has(custom.tg_id, chat)
        started_default = not started_custom and await started.has(self.default.tg_id, chat)
        return self._decide(self.default, custom, started_custom, started_default, tried)

    async def choose_each(self, wanted: list[tuple[str, int, Iterable[int]]]) -> list[Route | None]:
        """`choose` for many (tenant, chat, tried) at once: the facts in one round trip."""
        customs = [await self.custom(tid) for tid, _, _ in wanted]
        pairs: list[tuple[int, int]] = []
        for (_, chat, _), custom in zip(wanted, customs, strict=True):
            if custom is not None:
                pairs.append((custom.tg_id, chat))
            pairs.append((self.default.tg_id, chat))
        flags = iter(await self._store.started.has_each(pairs))
        routes: list[Route | None] = []
        for (_, _, tried), custom in zip(wanted, customs, strict=True):
            started_custom = bool(next(flags)) if custom is not None else False
            started_default = bool(next(flags))
            routes.append(
                self._decide(self.default, custom, started_custom, started_default, tried)
            )
        return routes

    async def choose_many(self, tid: str, chats: list[int]) -> dict[int, Route]:
        """Routes for a fan-out: the 'started' facts of every chat in one SMISMEMBER per bot."""
        custom = await self.custom(tid)
        bots = [custom.tg_id, self.default.tg_id] if custom else [self.default.tg_id]
        flags = await self._store.started.has_many_bots(bots, chats)
        sc = flags[0] if custom else [False] * len(chats)
        sd = flags[-1]
        routes: dict[int, Route] = {}
        for chat, started_custom, started_default in zip(chats, sc, sd, strict=True):
            route = self._decide(self.default, custom, started_custom, started_default, ())
            assert route is not None  # nothing tried yet: a route always exists
            routes[chat] = route
        return routes
