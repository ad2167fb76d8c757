"""One bot's PTB Application: built with its handlers, started polling or on a webhook, stopped."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from telegram import Update
from telegram.error import Conflict, InvalidToken, TelegramError
from telegram.ext import ApplicationBuilder, ContextTypes

from bot import profile, registry
from bot.context import BotDeps, BotRef, Ctx, PzApplication
from bot.http import PollRequest, SharedRequest
from bot.logfilter import redact
from bot.persistence import RedisPersistence
from bot.ratelimit import ReplyPacing, SharedRateLimiter
from bot.update_processor import PerChatProcessor
from perezvon.metrics import Metrics
from perezvon.ratelog import RateLimitedLog, quiet
from perezvon.texts import Catalogue
from store import Store

log = logging.getLogger(__name__)
# PTB's own loggers log each failed request (with the HTML of a 502 page) and each error of
# its network loop: once per interval per kind of record.
PTB_LOGGERS = [
    "telegram.request.BaseRequest",
    "telegram.ext.Updater",
    "telegram.ext._utils.networkloop",
    "telegram.ext.Application",
]
MAX_REASON = 160

ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.MY_CHAT_MEMBER,
]


@dataclass(frozen=True, slots=True)
class BotSpec:
    """A bot to run: its token and who owns it (no tenant: the shared default bot)."""

    tg_id: int
    token: str
    tenant_id: str | None = None
    custom_id: str | None = None

    def __repr__(self) -> str:
        return f"BotSpec(tg_id={self.tg_id}, tenant_id={self.tenant_id!r})"


@dataclass(frozen=True)
class Environment:
    """What every bot of one runtime shares."""

    store: Store
    texts: Catalogue
    api_base: str
    request: SharedRequest
    features: Sequence[registry.Feature]
    default_lang: str
    poll_timeout: float
    persistence_interval: float
    clock: Callable[[], float]
    # Counts polling failures for /metrics (the bot role shares the counters through Redis).
    metrics: Metrics | None = None
    # What replies wait for (shared with the delivery engine); None: unpaced.
    pacing: ReplyPacing | None = None


class BotHandle:
    """Lifecycle of one running bot; `start()` raises InvalidToken when Telegram refuses it."""

    def __init__(
        self,
        spec: BotSpec,
        env: Environment,
        *,
        default: BotRef | None,
        report_rejected: Callable[[], None],
        on_conflict: Callable[[], None],
        webhook: tuple[str, str] | None = None,
    ) -> None:
        self.spec = spec
        self._env = env
        self._default = default
        self._report_rejected = report_rejected
        self._on_conflict = on_conflict
        self._webhook = webhook  # (url, secret token) or None for polling
        self.app = self._build()
        self.me: BotRef | None = None
        # An outage fails every getUpdates: one line per failure class per interval (the
        # counter in /metrics has every one).
        self._poll_log = RateLimitedLog(log)

    def _build(self) -> PzApplication:
        quiet(PTB_LOGGERS)
        env = self._env
        builder = (
            ApplicationBuilder()
            .application_class(PzApplication)
            .token(self.spec.token)
            .base_url(f"{env.api_base}/bot")
            .base_file_url(f"{env.api_base}/file/bot")
            .request(env.request)
            .context_types(ContextTypes(context=Ctx))
            .persistence(
                RedisPersistence(env.store.bot_state, self.spec.tg_id, env.persistence_interval)
            )
            .concurrent_updates(PerChatProcessor())
        )
        if env.pacing is not None:
            builder = builder.rate_limiter(SharedRateLimiter(env.pacing, self.spec.tg_id))
        if self._webhook is None:
            builder = builder.get_updates_request(
                PollRequest(self._report_rejected, env.request.tls, connection_pool_size=2)
            )
        else:
            # No updater, but PTB still builds a getUpdates client of its own (with its own TLS
            # context, ~0.8 MiB a bot) unless it is given one: share the common pool.
            builder = builder.updater(None).get_updates_request(env.request)
        app = builder.build()
        registry.install(app, env.features)
        return app  # type: ignore[return-value]

    async def start(self) -> BotRef:
        """getMe, register the profile, then take updates; returns the bot's identity."""
        app, env, spec = self.app, self._env, self.spec
        await app.initialize()  # getMe: InvalidToken here means the token is dead
        try:
            user = app.bot.bot
            self.me = BotRef(
                user.id, user.username or "", user.first_name, spec.tenant_id, spec.custom_id
            )
            app.deps = BotDeps(
                store=env.store,
                texts=env.texts,
                me=self.me,
                default=self._default or self.me,
                commands=registry.commands(env.features),
                report_rejected=self._report_rejected,
                clock=env.clock,
            )
            await profile.register(
                app.bot, env.texts, app.deps.commands, env.default_lang, env.store.profiles
            )
            await app.start()
            if self._webhook is None:
                await app.updater.start_polling(  # type: ignore[union-attr]
                    poll_interval=0.0,
                    timeout=env.poll_timeout,
                    allowed_updates=ALLOWED_UPDATES,
                    error_callback=self._polling_error,
                )
            else:
                url, secret = self._webhook
                await app.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
        except BaseException:
            await self._teardown()
            raise
        return self.me

    async def token_alive(self) -> bool:
        """Ask getMe: False only when Telegram rejects the token (PTB raises InvalidToken for
        a 404 too, e.g. a method a Bot API server lacks, so one InvalidToken proves nothing)."""
        try:
            await self.app.bot.get_me()
        except InvalidToken:
            return False
        except TelegramError:
            return True
        return True

    def _polling_error(self, exc: TelegramError) -> None:
        if isinstance(exc, Conflict):
            self._on_conflict()
        kind = type(exc).__name__
        if self._env.metrics is not None:
            self._env.metrics.inc("telegram_polling_errors_total", {"error": kind})
        self._poll_log.warning(
            kind,
            "bot %s: polling failed (%s): %s",
            self.spec.tg_id,
            kind,
            _reason(exc),
        )

    async def stop(self, *, drop_webhook: bool = False) -> None:
        """Stop taking updates, finish the ones in hand, flush persistence, close clients."""
        if drop_webhook and self._webhook is not None:
            with contextlib.suppress(TelegramError):
                await self.app.bot.delete_webhook()
        await self._teardown()

    async def _teardown(self) -> None:
        app = self.app
        updater = app.updater
        if updater is not None and updater.running:
            with contextlib.suppress(TelegramError):
                await updater.stop()
        if app.running:
            await app.stop()
        with contextlib.suppress(TelegramError, InvalidToken):
            await app.shutdown()


def _reason(exc: TelegramError) -> str:
    """The error without the page a proxy's 502 carries (PTB quotes the whole HTML)."""
    text = redact(str(exc)).split(". Parsing the server response", 1)[0].split("<", 1)[0]
    text = " ".join(text.split())
    return text if len(text) <= MAX_REASON else text[:MAX_REASON] + "…"
