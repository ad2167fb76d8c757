"""Edits of a follow-up card: an EDIT job brings one chat's copies (sent by one bot) up to the
card's current version with editMessageText through the bot that sent them, under the same
claim-time limits as every send. A deleted message or a blocked chat ends that copy; a 429
pauses the token and the job goes back; transient failures back off, then give up quietly.

Also where a sent card's message id is remembered (`remember_copy`, called by the sender).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from delivery import cards
from delivery.botpool import BotPool
from delivery.outcome import EDIT_FINAL, Verdict, classify
from delivery.policy import Retry
from delivery.queue import Job, JobQueue, Kind
from delivery.redact import redact
from delivery.routing import BotRef, Route, Router
from perezvon.metrics import Metrics
from perezvon.texts import Catalogue
from store import Store
from store.cards import Copy
from store.errors import NotFound

log = logging.getLogger(__name__)

NO_PREVIEW = {"is_disabled": True}


async def remember_copy(store: Store, queue: JobQueue, job: Job, route: Route, sent: Any) -> None:
    """A card's message was sent: record where it is, so that every change can edit it.
    Never raises: the message is out, and a failure here must not make the sender resend."""
    try:
        await _remember(store, queue, job, route, sent)
    except Exception as exc:
        log.warning("could not record card copy of job %s: %s", job.jid, redact(repr(exc)))


async def _remember(store: Store, queue: JobQueue, job: Job, route: Route, sent: Any) -> None:
    if job.kind not in (Kind.CALL, Kind.ADMIN) or not job.call or not isinstance(sent, dict):
        return
    message_id = sent.get("message_id")
    if not isinstance(message_id, int):
        return
    # A call's card is rendered at version 1, an escalation at the version it carries: if the
    # card moved on before this copy was recorded, its own edit catches it up (an escalation
    # left alone keeps its «никто не взял» header until the card changes).
    shown = job.shown or (1 if job.kind is Kind.CALL else 0)
    bid = route.bot.bid or ""
    bot = route.bot.tg_id
    fu = store.followups
    version = await fu.add_copy(job.tid, job.call, job.chat, bot, bid, message_id, shown)
    if version is not None and version > shown:
        # This copy's own edit, not a card-wide entry: that one would queue an edit for every
        # other copy not yet edited too, again for each copy recorded (an escalation to N
        # chats: N edits per chat), and each surplus edit, though it finds nothing to change,
        # still waits for its chat's slot (3 s in a group).
        edit = Job("", bot, job.tid, job.chat, Kind.EDIT, "card", call=job.call)
        await queue.enqueue([edit])


class CardEdits:
    """Settles EDIT jobs (the sender hands them here before any routing)."""

    def __init__(
        self,
        store: Store,
        queue: JobQueue,
        router: Router,
        pool: BotPool,
        catalogue: Catalogue,
        metrics: Metrics,
        retry: Retry,
        kick: Callable[[], None],
        send_timeout: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._queue = queue
        self._router = router
        self._pool = pool
        self._cat = catalogue
        self._metrics = metrics
        self._retry = retry
        self._kick = kick
        self._timeout = send_timeout
        self._clock = clock

    async def process(self, job: Job) -> Verdict:
        fu = self._store.followups
        card = await fu.get(job.tid, job.call)
        try:
            tenant = await self._store.tenants.get(job.tid)
        except NotFound:
            card = None
        if card is None:
            await self._queue.ack_grouped(job.jid)
            return Verdict.SENT
        stale = [
            c
            for c in await fu.copies(job.tid, card.id)
            if c.chat == job.chat and c.bot == job.bot and c.shown < card.version
        ]
        text = await cards.render(self._store, self._cat, tenant, card) if stale else ""
        verdict = Verdict.SENT
        for copy in stale:
            verdict = await self._edit(
                job, copy, card.version, text, cards.markup(self._cat, tenant, card, copy.chat)
            )
            if verdict in (Verdict.RETRY_AFTER, Verdict.TRANSIENT):
                return verdict  # the job went back: the copies left are edited then
        await self._queue.ack_grouped(job.jid)
        return verdict

    async def _bot(self, tid: str, copy: Copy) -> BotRef | None:
        if copy.bot == self._router.default.tg_id:
            return self._router.default
        if not copy.bid:
            return None
        try:
            bot = await self._store.bots.get(tid, copy.bid)
        except NotFound:
            return None  # deleted: nobody can edit what it sent
        if not bot.token:
            return None
        return BotRef(bot.tg_id, bot.token, bot.username, tid, bot.id, bot.name)

    async def _edit(
        self, job: Job, copy: Copy, version: int, text: str, markup: dict | None
    ) -> Verdict:
        fu = self._store.followups
        bot = await self._bot(job.tid, copy)
        if bot is None:
            await fu.forget_copy(job.tid, job.call, copy)
            return Verdict.GONE
        params = {
            "chat_id": copy.chat,
            "message_id": copy.message_id,
            "text": text,
            "parse_mode": "HTML",
            "link_preview_options": NO_PREVIEW,
            "reply_markup": markup,  # none: the buttons go (a resolved card)
        }
        try:
            await self._pool.call(bot, "editMessageText", params, self._timeout)
            out = classify(None)
        except Exception as exc:  # every failure is classified in outcome.py
            out = classify(exc)
        v = out.verdict
        self._metrics.inc("card_edits_total", {"verdict": v.value})
        if v is Verdict.SENT:
            await fu.shown(job.tid, job.call, copy, version)
        elif v in EDIT_FINAL:
            await self._queue.answered(bot.tg_id)  # Telegram is up: close the breaker
            await fu.forget_copy(job.tid, job.call, copy)
        elif v is Verdict.RETRY_AFTER:
            self._metrics.inc("telegram_429_total", {"bot": str(bot.tg_id)})
            await self._queue.throttle(bot.tg_id, max(out.retry_after, 1.0))
            await self._queue.requeue(job, front=True)
            self._kick()
        elif v in (Verdict.TRANSIENT, Verdict.MAYBE_SENT):
            # The transport failed (an edit is safe to repeat): the token's breaker opens and
            # the edit keeps its place and its attempts, however long Telegram is away.
            await self._queue.trip(bot.tg_id)
            await self._queue.requeue(job, front=True)
            self._kick()
            return Verdict.TRANSIENT
        else:  # refused for a reason about this edit
            job.attempts += 1
            if job.attempts >= self._retry.attempts:
                log.warning(
                    "card edit %s gave up after %d tries: %s", job.jid, job.attempts, out.detail
                )
                await fu.forget_copy(job.tid, job.call, copy)
                return Verdict.REJECTED
            await self._queue.requeue(job, front=True, delay=self._retry.delay(job.attempts))
            self._kick()
            return Verdict.TRANSIENT
        return v
