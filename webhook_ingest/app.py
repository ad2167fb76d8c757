"""The ingest HTTP server: POST /v1/events, /healthz, /metrics, the OpenAPI document."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from redis.exceptions import RedisError

from delivery.intake import Intake, Outcome, Receipt
from perezvon.metrics import Metrics
from perezvon.ratelog import RateLimitedLog
from store import Store
from store.client import describe
from store.errors import InvalidInput, NotReplicated
from store.events import CallEvent
from store.models import Tenant
from webhook_ingest.auth import DEFAULT_TTL, TenantKeys, presented_key, redact
from webhook_ingest.batcher import Batcher
from webhook_ingest.errors import IngestError, error_response
from webhook_ingest.limits import BODY_TIMEOUT, ClientLimits, ConnectionGate, GuardedSite
from webhook_ingest.openapi import document
from webhook_ingest.parse import PbxEvent, check_content_type, parse_events, read_bounded

log = logging.getLogger(__name__)
STORAGE_LOG = RateLimitedLog(log)

Gauges = Callable[[], Awaitable[Mapping[str, tuple[str, float]]]]

REQUEST_ID = "X-Request-Id"
SAFE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
HEALTH_TIMEOUT = 2.0
COUNTER = {
    Outcome.ACCEPTED: "events_accepted_total",
    Outcome.DUPLICATE: "events_duplicate_total",
    Outcome.IGNORED: "events_ignored_total",
}
# Exceptions aiohttp raises itself, turned into catalogue entries so every refusal is JSON.
HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}
METRICS_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class AccessLogger(AbstractAccessLogger):
    """One line per request without the query string, and any key-shaped text blanked."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info(
            '%s "%s %s" %s %s %.4fs rid=%s',
            request.remote,
            request.method,
            redact(request.path),
            response.status,
            response.body_length,
            time,
            response.headers.get(REQUEST_ID, "-"),
        )


# For web.AppRunner / aiohttp's TestServer, so tests see exactly what production logs.
RUNNER_OPTIONS = {"access_log_class": AccessLogger}


@dataclass(frozen=True, slots=True)
class Ingest:
    """What the handlers share; stored on the app under INGEST."""

    store: Store
    intake: Intake
    batcher: Batcher
    metrics: Metrics
    keys: TenantKeys
    gauges: Gauges | None
    max_body: int
    body_timeout: float
    openapi: bytes


INGEST = web.AppKey("ingest", Ingest)


def _request_id(request: web.Request) -> str:
    given = request.headers.get(REQUEST_ID, "")
    return given if SAFE_ID.fullmatch(given) else uuid.uuid4().hex


def _json(status: int, body: object) -> web.Response:
    return web.Response(
        status=status, text=json.dumps(body, ensure_ascii=False), content_type="application/json"
    )


@web.middleware
async def guard(request: web.Request, handler) -> web.StreamResponse:
    """Every failure becomes a catalogue JSON error; every answer carries X-Request-Id."""
    rid = _request_id(request)
    try:
        response = await handler(request)
    except IngestError as err:
        at = f" at {err.field}" if err.field else ""
        path = redact(request.path)
        log.info("%s %s refused: %s%s (request %s)", request.method, path, err.code, at, rid)
        response = error_response(err, rid)
    except web.HTTPException as exc:
        code = HTTP_CODES.get(exc.status)
        if code is None:
            exc.headers[REQUEST_ID] = rid
            raise
        headers = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
        response = error_response(IngestError(code, headers=headers), rid)
    except (RedisError, OSError, TimeoutError) as exc:
        # An outage fails every request alike: one line per kind of failure per interval.
        STORAGE_LOG.warning(
            type(exc).__name__, "storage unavailable (request %s): %s", rid, describe(exc)
        )
        response = error_response(IngestError("unavailable"), rid)
    except Exception:
        log.exception("unexpected failure (request %s)", rid)
        response = error_response(IngestError("internal_error"), rid)
    if not response.prepared:
        response.headers[REQUEST_ID] = rid
    return response


def _result(receipt: Receipt, index: int | None = None) -> dict:
    out: dict[str, object] = {} if index is None else {"index": index}
    out["call_id"] = receipt.call_id
    out["status"] = receipt.outcome.value
    if receipt.reason:
        out["reason"] = receipt.reason
    return out


async def post_events(request: web.Request) -> web.Response:
    ctx = request.app[INGEST]
    try:
        tenant = await ctx.keys.tenant(presented_key(request.headers))
        check_content_type(request)
        parsed = parse_events(await read_bounded(request, ctx.max_body, ctx.body_timeout))
        receipts = await _submit(ctx, tenant, parsed.events)
    except IngestError as err:
        ctx.metrics.inc("events_rejected_total", {"code": err.code})
        raise
    except InvalidInput as exc:
        ctx.metrics.inc("events_rejected_total", {"code": "invalid_event"})
        raise IngestError("invalid_event", str(exc)) from None
    except NotReplicated as exc:
        ctx.metrics.inc("events_rejected_total", {"code": "unavailable"})
        raise IngestError("unavailable", f"not yet on a replica ({exc}); retry") from None
    for receipt in receipts:
        ctx.metrics.inc(COUNTER[receipt.outcome])
    log.debug("tenant %s: %d event(s)", tenant.id, len(receipts))
    if not parsed.batch:
        return _json(202, _result(receipts[0]))
    summary = {outcome.value: 0 for outcome in Outcome}
    for receipt in receipts:
        summary[receipt.outcome.value] += 1
    results = [_result(r, i) for i, r in enumerate(receipts)]
    return _json(202, {"results": results, "summary": summary})


async def _submit(ctx: Ingest, tenant: Tenant, events: list[PbxEvent]) -> list[Receipt]:
    """Missed calls through the batcher, answered/outbound ones to intake; answers in order."""
    missed = [(i, e) for i, e in enumerate(events) if isinstance(e, CallEvent)]
    others = [(i, e) for i, e in enumerate(events) if not isinstance(e, CallEvent)]
    out: list[Receipt | None] = [None] * len(events)
    if missed:
        got = await ctx.batcher.submit(tenant, [e for _, e in missed])
        for (i, _), receipt in zip(missed, got, strict=True):
            out[i] = receipt
    if others:
        got = await ctx.intake.submit_followups(tenant, [e for _, e in others])
        for (i, _), receipt in zip(others, got, strict=True):
            out[i] = receipt
    await _beat(ctx, tenant)
    return [r for r in out if r is not None]


async def _beat(ctx: Ingest, tenant: Tenant) -> None:
    """Silent-PBX watch (store/heartbeat.py), after events were made durable: never fails them."""
    with contextlib.suppress(RedisError, OSError):
        await ctx.store.heartbeats.beat(tenant.id)


async def healthz(request: web.Request) -> web.Response:
    ctx = request.app[INGEST]
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT):
            await ctx.store.ping()
    except (RedisError, OSError, TimeoutError) as exc:
        raise IngestError("unavailable", f"Redis is not reachable: {describe(exc)}") from None
    return _json(200, {"status": "ok"})


async def get_metrics(request: web.Request) -> web.Response:
    ctx = request.app[INGEST]

    async def gauges() -> dict[str, tuple[str, float]]:
        live = {
            "intake_stream_length": (
                "Entries in the intake streams (calls and group news queued for delivery)",
                float(await ctx.store.intake.backlog()),
            )
        }
        if ctx.gauges is not None:
            live.update(await ctx.gauges())
        return live

    text = await ctx.metrics.render(gauges)
    return web.Response(body=text.encode(), headers={"Content-Type": METRICS_TYPE})


async def openapi(request: web.Request) -> web.Response:
    return web.Response(body=request.app[INGEST].openapi, content_type="application/json")


def build_app(
    store: Store,
    intake: Intake,
    metrics: Metrics,
    *,
    gauges: Gauges | None = None,
    max_body: int = 1 << 20,
    key_cache_seconds: float = DEFAULT_TTL,
    body_timeout: float = BODY_TIMEOUT,
    public_url: str | None = None,
) -> web.Application:
    """The ingest application; other routes (e.g. a Telegram webhook) may be added to it."""
    app = web.Application(middlewares=[guard], client_max_size=max_body)
    batcher = Batcher(intake)
    app[INGEST] = Ingest(
        store=store,
        intake=intake,
        batcher=batcher,
        metrics=metrics,
        keys=TenantKeys(store, ttl=key_cache_seconds),
        gauges=gauges,
        max_body=max_body,
        body_timeout=body_timeout,
        openapi=json.dumps(document(), ensure_ascii=False).encode(),
    )

    async def drain(_: web.Application) -> None:
        await batcher.close()

    app.on_cleanup.append(drain)
    app.router.add_post("/v1/events", post_events)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", get_metrics)
    app.router.add_get("/v1/openapi.json", openapi)
    from webhook_ingest import hooks  # cloud PBX connectors (imports this module)

    hooks.register(app, public_url)
    return app


@dataclass(frozen=True, slots=True)
class Served:
    """A running server; `stop()` lets in-flight requests finish, then closes."""

    runner: web.AppRunner
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def stop(self) -> None:
        await self.runner.cleanup()


async def serve(
    app: web.Application,
    host: str,
    port: int,
    *,
    shutdown_timeout: float = 10.0,
    limits: ClientLimits | None = None,
) -> Served:
    """Listen on host:port (0 = any free port) and return at once."""
    limits = limits or ClientLimits()
    # aiohttp's keep-alive timer also closes a connection whose request is not complete in
    # time: the header timeout (webhook_ingest/limits.py).
    runner = web.AppRunner(
        app,
        shutdown_timeout=shutdown_timeout,
        keepalive_timeout=limits.header_timeout,
        **RUNNER_OPTIONS,
    )
    await runner.setup()
    site = GuardedSite(runner, host, port, ConnectionGate(limits))
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    bound = runner.addresses[0][1] if port == 0 else port
    return Served(runner, host, bound)
