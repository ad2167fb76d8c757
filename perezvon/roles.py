"""Which parts each role of `perezvon run` starts, in start order: an explicit registry."""

from __future__ import annotations

import os
import socket

from aiohttp import web

from bot.errors import DefaultTokenRejected as BotTokenRejected
from bot.handlers import admin
from bot.keyboards.admin import group_new_markup
from bot.runtime import BotRuntime
from bot.webhook import add_webhook_route
from delivery.deadletters import DeadLetters
from delivery.engine import DefaultTokenRejected as WorkerTokenRejected
from delivery.engine import DeliveryEngine
from delivery.intake import Intake
from delivery.outbox import Outbox
from delivery.policy import Limits, Options
from perezvon.ami_part import AmiSupervisor
from perezvon.components import Context, Part, Stop
from perezvon.listen import check_listen, listen_error
from perezvon.sandbox_mode import start_sandbox
from perezvon.settings import ConfigError, Settings, secret_key
from webhook_ingest.app import build_app
from webhook_ingest.app import serve as serve_http
from webhook_ingest.limits import ClientLimits

HTTP_APP = "http_app"


def instance_name() -> str:
    """Unique per live process: names its delivery claims and its bot-polling leases."""
    return f"{socket.gethostname()}-{os.getpid()}"


def limits_of(settings: Settings) -> Limits:
    """The sending budgets of every bot, from the settings (shared by the worker and the bots)."""
    return Limits(bot_per_second=settings.bot_rate_per_second)


def _need_bot_token(settings: Settings) -> None:
    if settings.bot_token is None:
        raise ConfigError(
            "BOT_TOKEN: required for this role; the sandbox (no BOT_TOKEN) runs only with "
            "--role all"
        )


async def _nothing(ctx: Context) -> Stop | None:
    return None


async def _metrics(ctx: Context) -> Stop | None:
    ctx.metrics.start()
    return ctx.metrics.stop


async def _ingest_app(ctx: Context) -> Stop | None:
    async def gauges() -> dict[str, tuple[str, float]]:
        merged: dict[str, tuple[str, float]] = {}
        for source in ctx.gauges:
            merged.update(await source())
        return merged

    ctx.shared[HTTP_APP] = build_app(
        ctx.store,
        Intake(ctx.store),
        ctx.metrics,
        gauges=gauges,
        body_timeout=ctx.settings.ingest_body_timeout,
        public_url=str(ctx.settings.public_url) if ctx.settings.public_url else None,
    )
    return None


async def _webhook_app(ctx: Context) -> Stop | None:
    # The bot role needs an HTTP server only to receive Telegram's webhooks.
    if ctx.settings.public_url is not None and HTTP_APP not in ctx.shared:
        ctx.shared[HTTP_APP] = web.Application()
    return None


async def _serve_http(ctx: Context) -> Stop | None:
    app = ctx.shared.get(HTTP_APP)
    if not isinstance(app, web.Application):
        return None
    s = ctx.settings
    limits = ClientLimits(
        header_timeout=s.ingest_header_timeout,
        body_timeout=s.ingest_body_timeout,
        max_per_ip=s.ingest_max_connections_per_ip,
    )
    host, port = s.ingest_host, s.ingest_port
    try:
        served = await serve_http(app, host, port, limits=limits)
    except OSError as exc:
        raise listen_error(host, port, exc) from None
    ctx.shared["ingest_url"] = served.url
    ctx.banner.append(f"HTTP: POST {served.url}/v1/events  (health {served.url}/healthz)")
    return served.stop


def _check_listen(settings: Settings) -> None:
    check_listen(settings.ingest_host, settings.ingest_port)


def _check_webhook_listen(settings: Settings) -> None:
    # The bot role opens the HTTP server only to receive webhooks.
    if settings.public_url is not None:
        _check_listen(settings)


async def _worker(ctx: Context) -> Stop | None:
    assert ctx.default_token is not None
    engine = DeliveryEngine(
        ctx.store,
        ctx.metrics,
        ctx.texts,
        api_base=ctx.telegram_api,
        default_token=ctx.default_token,
        consumer=instance_name(),
        group_new_markup=group_new_markup,
        limits=limits_of(ctx.settings),
        options=Options(max_wait=ctx.settings.message_max_wait_hours * 3600.0),
    )
    try:
        await engine.start()
    except WorkerTokenRejected as exc:
        raise ConfigError(f"BOT_TOKEN: {exc}") from None
    ctx.gauges.append(engine.gauges)
    return engine.stop


async def _bots(ctx: Context) -> Stop | None:
    assert ctx.default_token is not None
    public_url = str(ctx.settings.public_url).rstrip("/") if ctx.settings.public_url else None
    runtime = BotRuntime(
        ctx.store,
        ctx.texts,
        api_base=ctx.telegram_api,
        default_token=ctx.default_token,
        secret_key=secret_key(ctx.settings),
        instance_id=instance_name(),
        public_url=public_url,
        extra_features=[
            admin.feature(
                Outbox(ctx.store),
                DeadLetters.of(ctx.store),
                ctx.telegram_api,
                admin.AdminSettings(
                    hooks_url=_hooks_url(ctx.settings),
                    default_rate=ctx.settings.bot_rate_per_second,
                ),
            )
        ],
        default_lang=ctx.settings.default_lang,
        metrics=ctx.metrics,
        limits=limits_of(ctx.settings),
    )
    app = ctx.shared.get(HTTP_APP)
    if public_url and isinstance(app, web.Application):
        add_webhook_route(app, runtime)
    try:
        await runtime.start()
    except BotTokenRejected:
        raise ConfigError(
            f"BOT_TOKEN: the Bot API at {ctx.telegram_api} rejected it (check the token with "
            "@BotFather, and TELEGRAM_API_URL)"
        ) from None
    mode = f"webhooks at {public_url}/tg/…" if public_url else "polling"
    ctx.banner.append(f"Bots: the default bot and every active custom bot answer ({mode})")
    return runtime.stop


async def _ami(ctx: Context) -> Stop | None:
    supervisor = AmiSupervisor(ctx.store, Intake(ctx.store), metrics=ctx.metrics)
    await supervisor.start()
    ctx.banner.append(f"AMI links connected: {len(supervisor.link_ids)} (perezvon ami list)")
    return supervisor.stop


METRICS = Part("metrics", _metrics)
NEED_TOKEN = Part("bot token check", _nothing, check=_need_bot_token)
SANDBOX = Part("sandbox", start_sandbox)
INGEST_APP = Part("http ingest", _ingest_app)
WEBHOOK_APP = Part("webhook receiver", _webhook_app)
WORKER = Part("delivery worker", _worker)
BOTS = Part("bots", _bots)
SERVE_HTTP = Part("http server", _serve_http, check=_check_listen)
SERVE_WEBHOOKS = Part("http server", _serve_http, check=_check_webhook_listen)
AMI = Part("asterisk connectors", _ami)

ROLE_PARTS: dict[str, list[Part]] = {
    "all": [METRICS, SANDBOX, INGEST_APP, WORKER, BOTS, SERVE_HTTP, AMI],
    "bot": [METRICS, NEED_TOKEN, WEBHOOK_APP, BOTS, SERVE_WEBHOOKS],
    "ingest": [METRICS, INGEST_APP, SERVE_HTTP],
    "worker": [METRICS, NEED_TOKEN, WORKER],
    "ami": [METRICS, AMI],
}


def _hooks_url(settings) -> str:
    """Where cloud PBX connectors post: PUBLIC_URL, else the ingest host and port."""
    if settings.public_url is not None:
        return str(settings.public_url).rstrip("/")
    return f"http://{settings.ingest_host}:{settings.ingest_port}"
