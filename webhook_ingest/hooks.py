"""/v1/hooks/<vendor>/<connector id>[/<sub-path>]: cloud PBXs' own webhooks into intake.

Order per request: find the connector (404), source IP (403), the vendor's signature (401),
then the pure parse; only then is anything recorded. Rejections are counted in /metrics and
noted on the connector; nothing of the request (and no secret) is logged.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote

from aiohttp import web
from aiohttp.helpers import parse_content_type

from delivery.intake import Outcome, Receipt
from delivery.phone import region_of_zone
from store import Store
from store.connectors import Connector
from store.errors import InvalidInput, NotFound, NotReplicated
from store.models import Tenant
from store.pbx_calls import Folded, Judged, Step
from webhook_ingest.app import INGEST, Ingest, _beat, _submit
from webhook_ingest.batcher import GroupCommit
from webhook_ingest.connectors import REGISTRY
from webhook_ingest.connectors.base import HookRequest, Parsed, Rejected, Vendor, Verdict
from webhook_ingest.errors import IngestError
from webhook_ingest.parse import read_bounded

log = logging.getLogger(__name__)
# A connector added or removed anywhere is seen here within CHECK_SECONDS (one read of the
# connectors' version, shared by every request); a tenant's record is re-read after MAX_AGE.
CHECK_SECONDS = 1.0
MAX_AGE = 5.0
# "Last event" is for a person: noting it at most once a second per connector keeps a write
# (and, with appendfsync always, an fsync) off each request's path.
NOTE_EVERY = 1.0
FORM = "application/x-www-form-urlencoded"


class ConnectorCache:
    """Connector and tenant by connector id, kept while the connectors' version stands.

    The version-skip of the bot runtime (store.bots.version()): the records are re-read only
    when some connector changed. One read at a time per id and of the version, so a burst of
    requests on a cold or stale cache costs one read, not one per request.
    """

    def __init__(self, store: Store, clock: Callable[[], float] = time.monotonic) -> None:
        self._store = store
        self._clock = clock
        self._version: int | None = None
        self._checked_at = float("-inf")
        self._check: asyncio.Task[int] | None = None
        self._entries: dict[str, tuple[float, Connector, Tenant]] = {}
        self._loading: dict[str, asyncio.Task[tuple[Connector, Tenant]]] = {}

    async def get(self, cid: str) -> tuple[Connector, Tenant]:
        """NotFound when there is no such connector (never cached: the next call asks again)."""
        now = self._clock()
        if now - self._checked_at >= CHECK_SECONDS:
            await self._check_version()
        hit = self._entries.get(cid)
        if hit is not None and now - hit[0] < MAX_AGE:
            return hit[1], hit[2]
        task = self._loading.get(cid)
        if task is None:
            task = asyncio.ensure_future(self._load(cid))
            self._loading[cid] = task
            task.add_done_callback(lambda _: self._loading.pop(cid, None))
        return await asyncio.shield(task)

    async def _check_version(self) -> None:
        if self._check is None or self._check.done():
            self._check = asyncio.ensure_future(self._store.connectors.version())
        version = await asyncio.shield(self._check)
        if version != self._version:
            self._entries.clear()
            self._version = version
        self._checked_at = self._clock()

    async def _load(self, cid: str) -> tuple[Connector, Tenant]:
        version = self._version
        connector = await self._store.connectors.get(cid)
        tenant = await self._store.tenants.get(connector.tenant_id)
        if version == self._version:  # not read across a change seen meanwhile
            self._entries[cid] = (self._clock(), connector, tenant)
        return connector, tenant


@dataclass
class Hooks:
    """Per-app state: the public base URL (Twilio signs it), the connector cache, the folds."""

    public_url: str | None
    connectors: ConnectorCache
    folds: GroupCommit[Step, Folded]
    noted: dict[str, float] = field(default_factory=dict)


HOOKS = web.AppKey("hooks", Hooks)


def _error(status: int, code: str, message: str) -> web.Response:
    body = {"error": {"code": code, "message": message}}
    return web.Response(status=status, text=json.dumps(body), content_type="application/json")


def allowed(remote: str | None, allow: tuple[str, ...]) -> bool:
    """No list = any source; else the peer must be in one of the addresses / networks."""
    if not allow:
        return True
    try:
        peer = ipaddress.ip_address(remote or "")
    except ValueError:
        return False
    return any(peer in ipaddress.ip_network(net, strict=False) for net in allow)


def _unquote_plus(text: str) -> str:
    """urllib's `unquote_plus(text, errors="replace")`, as parse_qsl unquotes each piece."""
    return unquote(text.replace("+", " "), errors="replace")


def _c_unquote_plus() -> Callable[[str], str]:
    # yarl (aiohttp's own URL library) unquotes in C exactly as `unquote_plus` does (its
    # UNQUOTER_PLUS is made "to match urllib.parse.unquote_plus"): a Bitrix24 form, whose
    # every name is `data%5B…%5D`, decodes in 10 µs instead of 50. Its class is private, so
    # any change of it falls back to urllib's; the tests hold both to parse_qsl.
    try:
        from yarl._quoting import _Unquoter

        fast = _Unquoter(plus=True, replace_invalid=True)
        if fast("a+%D0%96%2B%ff%") != "a \u0416+\ufffd%":
            return _unquote_plus
        return fast
    except (ImportError, TypeError):
        return _unquote_plus


UNQUOTE_PLUS = _c_unquote_plus()


def form_pairs(
    body: bytes, unquote_plus: Callable[[str], str] = UNQUOTE_PLUS
) -> tuple[tuple[str, str], ...]:
    """`parse_qsl(body, keep_blank_values=True)` of the UTF-8 text (bad bytes replaced), with
    the unquoting skipped for the pieces that need none (most of a vendor's fields)."""
    pairs = []
    for piece in body.decode("utf-8", "replace").split("&"):
        if not piece:
            continue
        name, _, value = piece.partition("=")
        if "%" in piece or "+" in piece:
            name = unquote_plus(name)
            value = unquote_plus(value)
        pairs.append((name, value))
    return tuple(pairs)


# A media type of RFC 6838's restricted names only: the one spelling that aiohttp's reading
# (the email package's header parser, ~4 µs a request) leaves as it is, but lowercased.
PLAIN_MEDIA = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")


def is_form(raw: str | None) -> bool:
    """Whether a Content-Type header says FORM, exactly as aiohttp's `request.content_type`
    reads it; the usual header is read here, anything else still by aiohttp."""
    media = (raw or "").partition(";")[0].strip().lower()
    if PLAIN_MEDIA.fullmatch(media):
        return media == FORM
    return (parse_content_type(raw)[0] if raw is not None else "") == FORM


async def _hook_request(request: web.Request, ctx: Ingest, hooks: Hooks) -> HookRequest:
    body = (
        await read_bounded(request, ctx.max_body, ctx.body_timeout)
        if request.can_read_body
        else b""
    )
    form: tuple[tuple[str, str], ...] = ()
    if is_form(request.headers.get("Content-Type")):
        form = form_pairs(body)
    base = (
        hooks.public_url.rstrip("/") if hooks.public_url else f"{request.scheme}://{request.host}"
    )
    return HookRequest(
        method=request.method,
        sub_path=request.match_info.get("sub", ""),
        url=base + request.path_qs,
        headers=request.headers,
        query=dict(request.query),
        form=form,
        body=body,
    )


async def _reject(ctx: Ingest, vendor: Vendor, c: Connector, reason: str, status: int):
    ctx.metrics.inc("connector_rejected_total", {"vendor": vendor.name, "status": str(status)})
    await ctx.store.connectors.note_rejected(c, reason)
    log.info("connector %s (%s): rejected: %s", c.id[:6], vendor.name, reason)
    code = "forbidden" if status == 403 else "bad_signature"
    return _error(status, code, reason)


# What the fold script's own judging of a call means for the vendor.
SETTLED = {Judged.RECORDED: Outcome.ACCEPTED, Judged.DUPLICATE: Outcome.DUPLICATE}


async def _judge(
    hooks: Hooks, vendor: Vendor, tenant: Tenant, parsed: Parsed
) -> list[Verdict | Receipt]:
    """Fold each step into its call's record; a call's end yields the vendor's verdict, or the
    receipt of the missed call the fold script recorded itself (one durable round trip)."""
    if not parsed.steps:
        return []
    found: list[Verdict | Receipt] = []
    # Concurrent requests of one tenant fold together: one script, one fsync, for all.
    folded = await hooks.folds.submit(tenant, parsed.steps)
    for step, one in zip(parsed.steps, folded, strict=True):
        if one.judged in SETTLED:
            found.append(Receipt(step.call_id, SETTLED[one.judged]))
        elif one.record is not None and vendor.decide is not None:
            verdict = vendor.decide(step.call_id, one.record)
            if verdict is not None:
                found.append(verdict)
    return found


async def _accept(ctx: Ingest, tenant: Tenant, found: list[Verdict | Receipt]) -> list[Receipt]:
    """Receipts in order: verdicts accepted by intake, the fold's own receipts as they are."""
    verdicts = [x for x in found if not isinstance(x, Receipt)]
    if not verdicts:
        if found:
            await _beat(ctx, tenant)
        return [x for x in found if isinstance(x, Receipt)]
    got = iter(await _submit(ctx, tenant, verdicts))
    return [x if isinstance(x, Receipt) else next(got) for x in found]


async def hook(request: web.Request) -> web.StreamResponse:
    ctx, hooks = request.app[INGEST], request.app[HOOKS]
    vendor = REGISTRY.get(request.match_info["vendor"])
    try:
        c, tenant = await hooks.connectors.get(request.match_info["cid"])
    except NotFound:
        c = None
    if vendor is None or c is None or c.vendor != vendor.name:
        ctx.metrics.inc("connector_rejected_total", {"vendor": "unknown", "status": "404"})
        return _error(404, "unknown_connector", "no such connector")
    if not allowed(request.remote, c.allow_ip):
        return await _reject(ctx, vendor, c, f"source {request.remote} not allowed", 403)
    hr = await _hook_request(request, ctx, hooks)
    try:
        vendor.verify(hr, c.options)
    except Rejected as exc:
        return await _reject(ctx, vendor, c, exc.reason, exc.status)
    try:
        parsed = vendor.parse(hr)
        found = [*parsed.verdicts, *await _judge(hooks, vendor, tenant, parsed)]
    except NotReplicated as exc:
        raise IngestError("unavailable", f"not yet on a replica ({exc}); retry") from None
    except (InvalidInput, ValueError) as exc:
        # A signed request we cannot read: the vendor changed its format. The admins see it
        # as the connector's last rejection; nothing is recorded.
        await ctx.store.connectors.note_rejected(c, f"unreadable event: {type(exc).__name__}")
        ctx.metrics.inc("connector_unreadable_total", {"vendor": vendor.name})
        return _error(422, "unreadable_event", "the event could not be read")
    try:
        receipts = await _accept(ctx, tenant, found)
    except NotReplicated as exc:
        # As JSON ingest: recorded on the primary only, so not yet accepted; the vendor's
        # retry is a duplicate that waits for a replica again.
        raise IngestError("unavailable", f"not yet on a replica ({exc}); retry") from None
    for receipt in receipts:
        ctx.metrics.inc(
            "connector_events_total", {"vendor": vendor.name, "status": receipt.outcome.value}
        )
    now = time.monotonic()
    if c.id not in hooks.noted or now - hooks.noted[c.id] >= NOTE_EVERY:
        hooks.noted[c.id] = now
        pairs = zip(found, receipts, strict=True)
        what = ", ".join(f"{_kind(x)} {r.outcome.value}" for x, r in pairs)
        await ctx.store.connectors.note_event(
            c, what or hr.sub_path or hr.field("event") or "check"
        )
    if parsed.contact is not None and vendor.contact_reply is not None:
        name = await ctx.store.caller_names.get(
            tenant.id, parsed.contact, region_of_zone(tenant.tz)
        )
        return web.Response(text=vendor.contact_reply(name), content_type=parsed.reply_type)
    if parsed.reply is not None:
        return web.Response(
            text=parsed.reply, content_type=parsed.reply_type, headers=dict(parsed.reply_headers)
        )
    return web.json_response({"status": "ok", "results": [
        {"call_id": r.call_id, "status": r.outcome.value} for r in receipts]})  # fmt: skip


def _kind(found: Verdict | Receipt) -> str:
    # The fold script records only missed calls.
    return "missed" if isinstance(found, Receipt) else found.type


def register(app: web.Application, public_url: str | None = None) -> None:
    """Add the connector routes to the ingest app (one line in build_app)."""
    store = app[INGEST].store
    folds: GroupCommit[Step, Folded] = GroupCommit(
        lambda tenant, steps: store.pbx_calls.fold_many(tenant.id, steps), name="ingest-fold"
    )
    app[HOOKS] = Hooks(public_url, ConnectorCache(store), folds)

    async def drain(_: web.Application) -> None:
        await folds.close()

    app.on_cleanup.append(drain)
    for path in ("/v1/hooks/{vendor}/{cid}", "/v1/hooks/{vendor}/{cid}/{sub:.+}"):
        app.router.add_route("GET", path, hook)
        app.router.add_route("POST", path, hook)
