"""BotRuntime: every bot the service runs, in one process, added and removed while it runs.

The wanted bots are the default bot and each tenant's active custom bot. A runtime serves a bot
only while it holds that bot's lease in Redis, so two instances on one Redis split the bots and
never poll one token twice; a dead instance's bots are taken over when its leases expire.

Three loops: the supervisor reconciles running bots with the wanted ones (on every change
published on store.keys.BOTS_CHANGED, and every `lease_ttl / 3` seconds anyway); the listener
turns those messages into wake-ups; the renewer keeps the leases alive and stops a bot whose
lease it could not keep, before anyone else may take it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence

from redis.exceptions import RedisError
from telegram import Bot, User
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application

from bot import registry
from bot.application import BotHandle, BotSpec, Environment
from bot.broken import tell_admins_once
from bot.context import BotRef
from bot.errors import DefaultTokenRejected, TelegramUnavailable
from bot.http import SharedRequest, tls_context
from bot.logfilter import install_token_filter, quiet_rejected_tokens, redact
from bot.ratelimit import ReplyPacing
from bot.retired import POLL_FIRST, RetiredBots
from bot.webhook import WEBHOOK_PATH, webhook_secret
from delivery.outbox import Outbox
from delivery.policy import Limits
from perezvon.metrics import Metrics
from perezvon.texts import Catalogue
from store import Store
from store.errors import StoreError

log = logging.getLogger(__name__)

MAX_BACKOFF = 300.0
START_CONCURRENCY = 8
# Seconds between PTB's periodic flushes of a bot's persistence. Every update is written through
# when it has been handled (bot.context.PzApplication.process_update); this only catches state
# changed outside an update, and each flush is a wake-up per bot.
PERSISTENCE_SAFETY_NET = 60.0
# The longest a loop blocks before it looks at the stop flag again, and how often stop()
# repeats a cancel: redis-py can swallow a CancelledError that lands inside a command.
STOP_TICK = 0.5
# How long stop() lets a reconcile pass in progress finish before cancelling it too.
SUPERVISE_GRACE = 10.0
SUPERVISE = "bots:supervise"


class BotRuntime:
    """Runs the default bot and every active custom bot; `start()`, then `stop()`."""

    def __init__(
        self,
        store: Store,
        catalogue: Catalogue,
        *,
        api_base: str,
        default_token: str,
        secret_key: str,
        instance_id: str,
        public_url: str | None = None,
        extra_features: Sequence[registry.Feature] = (),
        default_lang: str = "ru",
        lease_ttl: float = 30.0,
        poll_timeout: float = 50.0,
        persistence_interval: float = PERSISTENCE_SAFETY_NET,
        clock: Callable[[], float] = time.time,
        retired_poll: float = POLL_FIRST,
        metrics: Metrics | None = None,
        limits: Limits | None = None,
    ) -> None:
        self._store = store
        self._metrics = metrics
        # Every reply waits for its slot in the token's budget, shared with the delivery engine.
        self._pacing = ReplyPacing.of(store, limits or Limits())
        self._texts = catalogue
        self._api_base = api_base.rstrip("/")
        self._default_token = default_token
        self._secret_key = secret_key
        self._public_url = public_url.rstrip("/") if public_url else None
        self._features = registry.features(extra_features)
        self._default_lang = default_lang
        self._poll_timeout = poll_timeout
        self._persistence_interval = persistence_interval
        self._clock = clock
        self._retired_poll = retired_poll  # first re-poll of a switched-off bot (bot/retired.py)
        self._leases = store.leases(instance_id, lease_ttl)
        self._outbox = Outbox(store, clock)
        self._tick = lease_ttl / 3
        self._wanted_cache: tuple[int, dict[int, BotSpec]] | None = None
        self._env: Environment | None = None
        self._default: BotRef | None = None
        self._default_user: User | None = None
        self._handles: dict[int, BotHandle] = {}
        self._held: dict[int, float] = {}  # tg id -> loop time the lease was last confirmed
        self._lost: set[int] = set()
        self._rejected: set[int] = set()
        self._retry_at: dict[int, tuple[float, float]] = {}  # tg id -> (when, last delay)
        self._wake = asyncio.Event()
        self._pass = asyncio.Lock()
        self._stopped = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.conflicts = 0

    # --- public surface -------------------------------------------------------------------

    @property
    def default_bot(self) -> User:
        """The default bot's identity from getMe (available once `start()` returned)."""
        if self._default_user is None:
            raise RuntimeError("BotRuntime.start() has not run")
        return self._default_user

    @property
    def serving(self) -> frozenset[int]:
        """Telegram ids of the bots this instance serves right now."""
        return frozenset(self._handles)

    def application(self, bot_tg_id: int) -> Application | None:
        """The running Application of a bot this instance serves (for the webhook route)."""
        handle = self._handles.get(bot_tg_id)
        return handle.app if handle is not None else None

    def webhook_secret(self, bot_tg_id: int) -> str:
        return webhook_secret(self._secret_key, bot_tg_id)

    async def start(self) -> None:
        """Identify the default bot, then serve every bot whose lease this instance gets.

        Raises DefaultTokenRejected (give up: BOT_TOKEN is wrong) or TelegramUnavailable
        (retry later); once it returns, the bots it could lease are answering.
        """
        install_token_filter()
        quiet_rejected_tokens()
        request = SharedRequest(tls_context(), connection_pool_size=256, pool_timeout=5.0)
        await request.initialize()
        try:
            self._default_user = await self._identify_default(request)
        except BaseException:
            await request.close()
            raise
        user = self._default_user
        self._default = BotRef(user.id, user.username or "", user.first_name)
        # For invite links the CLI prints (perezvon/operator_access.py).
        await self._store.default_bot.remember(user.id, user.username or "")
        self._env = Environment(
            store=self._store,
            texts=self._texts,
            api_base=self._api_base,
            request=request,
            features=self._features,
            default_lang=self._default_lang,
            poll_timeout=self._poll_timeout,
            persistence_interval=self._persistence_interval,
            clock=self._clock,
            metrics=self._metrics,
            pacing=self._pacing,
        )
        try:
            await self.reconcile()
        except BaseException:
            await self.stop()  # close what the first pass opened, then let the caller decide
            raise
        retired = RetiredBots(
            self._store, self._texts, self._leases, api_base=self._api_base, request=request,
            default=self._default, serving=lambda: self.serving, clock=self._clock,
            tick=min(5.0, self._retired_poll), first=self._retired_poll,
        )  # fmt: skip
        self._tasks = [
            asyncio.create_task(self._supervise(), name=SUPERVISE),
            asyncio.create_task(self._listen(), name="bots:listen"),
            asyncio.create_task(self._renew(), name="bots:renew"),
            asyncio.create_task(retired.run(self._stopped), name="bots:retired"),
        ]

    async def stop(self) -> None:
        """Stop every bot (finishing updates in hand), give up the leases, close clients."""
        self._stopped.set()
        self._wake.set()
        await self._end_loops()
        self._tasks = []
        handles, self._handles = self._handles, {}
        await asyncio.gather(*(self._stop(h, release=True) for h in handles.values()))
        if handles:
            # Other instances take the bots over now rather than at lease expiry.
            with contextlib.suppress(Exception):
                await self._store.bots.nudge("lease")
        if self._env is not None:
            await self._env.request.close()
            self._env = None

    async def _end_loops(self) -> None:
        """Every loop ends: each checks the stop flag at least every STOP_TICK; a cancel is
        repeated until it lands (one swallowed inside a Redis command must not hang stop()).
        A reconcile pass in progress may finish for SUPERVISE_GRACE; the other loops hold
        nothing worth finishing."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SUPERVISE_GRACE
        pending = set(self._tasks)
        while pending:
            for task in pending:
                if task.get_name() != SUPERVISE or loop.time() >= deadline:
                    task.cancel()
            _, pending = await asyncio.wait(pending, timeout=STOP_TICK)
            if pending:
                log.info("waiting for %s to stop", sorted(t.get_name() for t in pending))
        for task in self._tasks:
            if not task.cancelled() and task.exception() is not None:
                log.warning("%s ended with %s", task.get_name(), redact(repr(task.exception())))

    def nudge(self) -> None:
        """Re-read the wanted bots now (the pub/sub listener does this on every change)."""
        self._wake.set()

    # --- loops ------------------------------------------------------------------------------

    async def _identify_default(self, request: SharedRequest) -> User:
        probe = Bot(
            self._default_token,
            base_url=f"{self._api_base}/bot",
            base_file_url=f"{self._api_base}/file/bot",
            request=request,
            get_updates_request=request,  # else PTB builds (and leaks) a client with its own TLS
        )
        try:
            return await probe.get_me()
        except InvalidToken:
            raise DefaultTokenRejected("Telegram rejected BOT_TOKEN") from None
        except TelegramError as exc:
            raise TelegramUnavailable(f"getMe failed: {redact(str(exc))}") from None

    async def _pause(self, event: asyncio.Event) -> None:
        # Not asyncio.wait_for: on 3.11 it can swallow a cancel that races the event.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._tick):
                await event.wait()

    async def _supervise(self) -> None:
        while not self._stopped.is_set():
            await self._pause(self._wake)
            self._wake.clear()
            if self._stopped.is_set():
                return
            try:
                await self.reconcile()
            except Exception as exc:  # Redis away, say: keep serving, try again next tick
                log.warning("bot supervision failed, retrying: %s", redact(repr(exc)))

    async def _listen(self) -> None:
        while not self._stopped.is_set():
            try:
                async with self._store.bots.changes() as changes:
                    while not self._stopped.is_set():
                        if await changes.next(within=min(self._tick, STOP_TICK)):
                            self._wake.set()
            except Exception as exc:
                log.warning("bot change listener failed, resubscribing: %r", exc)
                await self._pause(self._stopped)

    async def _renew(self) -> None:
        # One round trip for every lease this instance holds: with 1,000 bots, a transaction
        # per lease every tick was most of the runtime's idle CPU.
        while not self._stopped.is_set():
            await self._pause(self._stopped)
            if self._stopped.is_set():
                return
            held = list(self._held)
            try:
                kept = await self._leases.renew_many(held)
            except Exception as exc:
                log.warning("lease renewal failed for %d bots: %s", len(held), redact(repr(exc)))
                kept = {tg_id for tg_id in held if tg_id in self._held and self._fresh(tg_id)}
            else:
                now = asyncio.get_running_loop().time()
                for tg_id in kept:
                    if tg_id in self._held:
                        self._held[tg_id] = now
            for tg_id in held:
                if tg_id not in kept and self._held.pop(tg_id, None) is not None:
                    # Stop before the lease can be someone else's: never two pollers.
                    log.warning("bot %s: lease lost; another instance may take it", tg_id)
                    self._lost.add(tg_id)
                    self._wake.set()

    def _fresh(self, tg_id: int) -> bool:
        """Whether our last confirmation of this lease is recent enough to keep polling."""
        margin = self._tick  # stop a tick before the lease could expire for the others
        age = asyncio.get_running_loop().time() - self._held[tg_id]
        return age < self._leases.ttl - margin

    # --- one pass -----------------------------------------------------------------------------

    async def reconcile(self) -> None:
        """Stop lost, rejected and unwanted bots; start wanted ones whose lease we get."""
        async with self._pass:  # one pass at a time, or a bot could start twice
            await self._reconcile()

    async def _reconcile(self) -> None:
        lost, self._lost = self._lost, set()
        for tg_id in lost:
            handle = self._handles.pop(tg_id, None)
            if handle is not None:
                await self._stop(handle, release=False)
        rejected, self._rejected = self._rejected, set()
        for tg_id in rejected:
            handle = self._handles.get(tg_id)
            if handle is None:
                continue
            if await handle.token_alive():
                log.warning("bot %s: a call failed as if the token were rejected; it is not", tg_id)
                continue
            del self._handles[tg_id]
            await self._stop(handle, release=True)
            await self._rejected_token(handle.spec)
        wanted = await self._wanted()  # read after: a bot just marked broken is not wanted
        for tg_id, handle in list(self._handles.items()):
            spec = wanted.get(tg_id)
            if spec is None or spec.token != handle.spec.token:
                del self._handles[tg_id]
                await self._stop(handle, release=True, drop_webhook=spec is None)
        now = asyncio.get_running_loop().time()
        todo = [
            spec
            for tg_id, spec in wanted.items()
            if tg_id not in self._handles and self._retry_at.get(tg_id, (0.0, 0.0))[0] <= now
        ]
        gate = asyncio.Semaphore(START_CONCURRENCY)

        async def start_one(spec: BotSpec) -> None:
            async with gate:
                if not self._stopped.is_set():
                    await self._start(spec)

        await asyncio.gather(*(start_one(spec) for spec in todo))

    async def _wanted(self) -> dict[int, BotSpec]:
        # Re-read (and decrypt) every tenant's bot only when some bot changed since the last
        # pass: with 1,000 bots that read was most of an idle runtime's work every tick.
        version = await self._store.bots.version()
        if self._wanted_cache is not None and self._wanted_cache[0] == version:
            return dict(self._wanted_cache[1])
        assert self._default is not None
        wanted = {self._default.tg_id: BotSpec(self._default.tg_id, self._default_token)}
        for custom in await self._store.bots.all_active():
            wanted.setdefault(
                custom.tg_id, BotSpec(custom.tg_id, custom.token, custom.tenant_id, custom.id)
            )
        self._wanted_cache = (version, wanted)
        return dict(wanted)

    async def _start(self, spec: BotSpec) -> None:
        if not await self._leases.acquire(spec.tg_id):
            return
        self._held[spec.tg_id] = asyncio.get_running_loop().time()
        assert self._env is not None
        webhook = None
        if self._public_url is not None:
            path = WEBHOOK_PATH.format(bot_id=spec.tg_id)
            webhook = (f"{self._public_url}{path}", self.webhook_secret(spec.tg_id))
        handle = BotHandle(
            spec,
            self._env,
            default=self._default,
            report_rejected=lambda: self._report_rejected(spec.tg_id),
            on_conflict=self._count_conflict,
            webhook=webhook,
        )
        try:
            await handle.start()
        except InvalidToken:
            await self._release(spec.tg_id)
            await self._rejected_token(spec)
            return
        except (TelegramError, OSError) as exc:
            await self._release(spec.tg_id)
            self._back_off(spec.tg_id, exc)
            return
        self._retry_at.pop(spec.tg_id, None)
        self._handles[spec.tg_id] = handle
        log.info("bot %s (tenant %s): serving", spec.tg_id, spec.tenant_id or "-")

    async def _stop(self, handle: BotHandle, *, release: bool, drop_webhook: bool = False) -> None:
        try:
            await handle.stop(drop_webhook=drop_webhook)
        except Exception as exc:
            log.warning("bot %s: unclean stop: %s", handle.spec.tg_id, redact(repr(exc)))
        if release:
            await self._release(handle.spec.tg_id)
        log.info("bot %s: stopped", handle.spec.tg_id)

    async def _release(self, tg_id: int) -> None:
        self._held.pop(tg_id, None)
        with contextlib.suppress(Exception):
            await self._leases.release(tg_id)

    async def _rejected_token(self, spec: BotSpec) -> None:
        if spec.tenant_id is None or spec.custom_id is None:
            log.error("default bot %s: Telegram rejected BOT_TOKEN; retrying later", spec.tg_id)
            self._back_off(spec.tg_id, None)
            return
        log.warning(
            "bot %s of tenant %s: token rejected; marked broken", spec.tg_id, spec.tenant_id
        )
        try:
            bot = await self._store.bots.mark_broken(spec.tenant_id, spec.custom_id)
            if bot is not None:
                await tell_admins_once(self._store, self._texts, self._outbox, bot)
        except (StoreError, RedisError) as exc:
            log.warning("bot %s: could not mark broken or tell the admins: %r", spec.tg_id, exc)

    def _back_off(self, tg_id: int, exc: Exception | None) -> None:
        _, last = self._retry_at.get(tg_id, (0.0, 0.0))
        delay = min(MAX_BACKOFF, max(self._tick, last * 2))
        self._retry_at[tg_id] = (asyncio.get_running_loop().time() + delay, delay)
        if exc is not None:
            log.warning(
                "bot %s: could not start (%s); retry in %.0fs", tg_id, redact(str(exc)), delay
            )

    def _report_rejected(self, tg_id: int) -> None:
        self._rejected.add(tg_id)
        self._wake.set()

    def _count_conflict(self) -> None:
        self.conflicts += 1
