"""Delivery fixtures: an emulator per test, a little world in it, and engines over the store."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from delivery.engine import DeliveryEngine
from delivery.policy import Breaker, Limits, Options, Retry
from perezvon.metrics import Metrics
from perezvon.texts import Catalogue
from store import Store
from store.models import Tenant
from tg_emulator import EmulatorSettings, RateLimits, start_emulator
from tg_emulator.client import EmulatorClient

FAST_RETRY = Retry(attempts=3, base=0.02, cap=0.05)
FAST_BREAKER = Breaker(base=0.05, cap=0.2, probe=1.0)


def fast_options(**overrides: object) -> Options:
    values: dict[str, object] = {
        "intake_block_ms": 100,
        "send_timeout": 2.0,
        "lease_seconds": 3.0,
        "idle_poll": 0.2,
        "route_cache_seconds": 0.0,
    }
    values.update(overrides)
    return Options(**values)  # type: ignore[arg-type]


async def eventually(
    check: Callable[[], Awaitable[object]], within: float = 5.0, every: float = 0.02
) -> object:
    """Poll a condition the engine reaches asynchronously; fail with the last value."""
    deadline = time.monotonic() + within
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not reached within {within}s (last: {value!r})")
        await asyncio.sleep(every)


class World:
    """A default bot, one tenant, and helpers to add users who started bots."""

    def __init__(self, store: Store, tg: EmulatorClient, base_url: str) -> None:
        self.store = store
        self.tg = tg
        self.base_url = base_url
        self.default: dict = {}
        self.tenant: Tenant

    async def setup(self) -> World:
        self.default = await self.tg.create_bot("pz_default_bot")
        self.tenant, _ = await self.store.tenants.create("Acme", "Europe/Moscow", "ru")
        return self

    async def user(self, name: str = "U", *, starts: tuple[dict, ...] | None = None) -> int:
        """A user who pressed Start in every bot of `starts` (the default bot by default)."""
        uid = (await self.tg.create_user(name))["id"]
        for bot in (self.default,) if starts is None else starts:
            await self.tg.send_command(bot["id"], uid, "start")
            await self.store.started.mark(bot["id"], uid)
        return uid

    async def subscriber(self, name: str = "U", *, starts: tuple[dict, ...] | None = None) -> int:
        uid = await self.user(name, starts=starts)
        await self.store.subs.activate(self.tenant.id, uid, name)
        return uid

    eventually = staticmethod(eventually)

    async def idle(self, engine: DeliveryEngine, within: float = 5.0) -> None:
        """Every queued job is settled: nothing queued, waiting, in flight or unread."""

        async def check() -> bool:
            g = await engine.gauges()
            names = ("queue_depth", "waiting", "in_flight", "intake_backlog")
            return all(g[f"delivery_{name}"][1] == 0 for name in names)

        await eventually(check, within)

    async def custom_bot(self, username: str = "acme_calls_bot") -> dict:
        """A bot registered and activated by the tenant."""
        bot = await self.tg.create_bot(username)
        added = await self.store.bots.add(
            self.tenant.id, "Acme bot", bot["token"], bot["username"], bot["id"]
        )
        await self.store.bots.activate(self.tenant.id, added.id)
        return {**bot, "bid": added.id}


@pytest.fixture
def emu_limits() -> RateLimits:
    """Telegram's strict limits; a test may parametrize this name to loosen them."""
    return RateLimits()


@pytest.fixture
async def emu(emu_limits: RateLimits) -> AsyncIterator:
    running = await start_emulator(settings=EmulatorSettings(limits=emu_limits))
    yield running
    await running.stop()


@pytest.fixture
async def tg(emu) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(emu.base_url) as client:
        yield client


@pytest.fixture
async def world(store: Store, tg: EmulatorClient, emu) -> World:
    return await World(store, tg, emu.base_url).setup()


EngineFactory = Callable[..., Awaitable[DeliveryEngine]]


@pytest.fixture
async def make_engine(store: Store, world: World) -> AsyncIterator[EngineFactory]:
    started: list[DeliveryEngine] = []

    async def make(
        consumer: str = "w1",
        *,
        limits: Limits | None = None,
        retry: Retry = FAST_RETRY,
        breaker: Breaker = FAST_BREAKER,
        options: Options | None = None,
        opts: dict | None = None,
        metrics: Metrics | None = None,
        group_new_markup=None,
    ) -> DeliveryEngine:
        engine = DeliveryEngine(
            store,
            metrics or Metrics(store.redis),
            Catalogue(),
            api_base=world.base_url,
            default_token=world.default["token"],
            consumer=consumer,
            group_new_markup=group_new_markup,
            limits=limits or Limits(),
            retry=retry,
            options=options or fast_options(**(opts or {})),
            breaker=breaker,
        )
        await engine.start()
        started.append(engine)
        return engine

    yield make
    for engine in started:
        await engine.stop(grace=1.0)
