"""One claimed job: check its route, send it, and settle it by Telegram's answer."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from telegram.error import InvalidToken

from delivery import keys
from delivery.botpool import BotPool
from delivery.edits import CardEdits, remember_copy
from delivery.files import send_file
from delivery.forum_lost import forget_forum
from delivery.notices import tell_admins_once
from delivery.outbox import Outbox
from delivery.outcome import Outcome, Verdict, classify
from delivery.policy import Options, Retry
from delivery.queue import Job, JobQueue, Kind
from delivery.render import with_hint
from delivery.routing import BotRef, Route, Router
from delivery.topics import ForumTopics
from perezvon.metrics import Metrics
from perezvon.texts import Catalogue
from store import Store
from store.errors import NotFound

log = logging.getLogger(__name__)

NO_PREVIEW = {"is_disabled": True}


class Sender:
    """The pipeline for one job: route -> send -> record, with every answer handled."""

    def __init__(
        self,
        store: Store,
        queue: JobQueue,
        router: Router,
        pool: BotPool,
        catalogue: Catalogue,
        metrics: Metrics,
        options: Options,
        retry: Retry,
        kick: Callable[[], None],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._r = store.redis
        self._queue = queue
        self._router = router
        self._pool = pool
        self._cat = catalogue
        self._metrics = metrics
        self._opt = options
        self._retry = retry
        self._kick = kick
        self._clock = clock
        # Until when (monotonic) a bot's 429 holds its sends, as this process saw it.
        self._paused: dict[int, float] = {}
        self._outbox = Outbox(store, clock)
        self._topics = ForumTopics(store, pool, catalogue, options)
        self._edits = CardEdits(
            store, queue, router, pool, catalogue, metrics, retry, kick, options.send_timeout, clock
        )

    def pause_seen(self, bot: int, seconds: float) -> None:
        """A 429 of `bot` (here, or another worker's through `keys.PAUSED`) holds its sends."""
        until = time.monotonic() + seconds
        if until > self._paused.get(bot, 0.0):
            self._paused[bot] = until

    def paused(self, bot: int) -> bool:
        """A send of `bot` met a 429 (seen here or heard from another worker) and its
        `retry_after` has not passed.

        The claim script refuses a paused token, but a job claimed before the 429 came back
        (up to `claim_ahead` early, waiting for its slot) would still go out after it: at 30/s
        the next message 33 ms after the 429. Such a job is handed back instead; other workers
        hear of the 429 through `keys.PAUSED` (a message lost there leaves the script's pause)."""
        until = self._paused.get(bot)
        if until is None:
            return False
        if time.monotonic() < until:
            return True
        del self._paused[bot]
        return False

    async def routes(self, jobs: list[Job]) -> list[Route | None]:
        """The bot for each claimed job, checked again now (bots change after fan-out)."""
        routes = await self._router.choose_each([(j.tid, j.chat, j.tried) for j in jobs])
        for i, job in enumerate(jobs):
            if job.kind is Kind.FAREWELL:
                routes[i] = await self._router.forced(job.tid, job.bot, job.tried)
        return routes

    async def process(self, job: Job, route: Route | None) -> Verdict | None:
        """Send one claimed job by its route (from `routes`) and settle it."""
        if job.kind is Kind.EDIT:  # a follow-up card's edit goes through the bot that sent it
            return await self._edits.process(job)
        if job.at and self._clock() - job.at > self._opt.max_wait:
            await self._bury(job, "expired: waited longer than the longest wait", "expired")
            await self._queue.unhold(job.bot)
            return None
        if route is None:
            await self._gone(job)
            return Verdict.GONE
        if route.bot.tg_id != job.bot:
            # The tenant's bots changed since it was queued: move it to the right lane.
            job.bot = route.bot.tg_id
            await self._requeue(job)
            return None
        text, hint_key = await self._text(job, route)
        # A card for a forum topic: the topic is created on first use (delivery/topics.py).
        outcome = await self._topics.ensure(job, route) if job.topic and not job.thread else None
        outcome = outcome or await self._send(job, route, text)
        if job.topic and await self._topics.lost(job, outcome):
            # Its topic was deleted: a new one on the next try (counted, so it cannot spin).
            await self._transient(job, "its forum topic was deleted")
            return None
        await self._settle(job, route, outcome, hint_key)
        return outcome.verdict

    async def _text(self, job: Job, route: Route) -> tuple[str, str | None]:
        invite = route.invite
        if job.kind is not Kind.CALL or invite is None or invite.bid is None:
            return job.text, None
        key = keys.hint(job.tid, job.chat, invite.bid)
        if await self._r.exists(key):
            return job.text, None
        tenant = await self._store.tenants.get(job.tid)
        return with_hint(self._cat, tenant.lang, job.text, invite.username), key

    async def _send(self, job: Job, route: Route, text: str) -> Outcome:
        if job.kind is Kind.FILE:  # a photo or a document (delivery/files.py)
            return await send_file(self._store, self._pool, job, route, self._opt.send_timeout)
        params = {
            "chat_id": job.chat,
            "text": text,
            "parse_mode": "HTML",
            "link_preview_options": NO_PREVIEW,
            "reply_markup": job.markup or None,
            # Paid broadcasts (up to 1000/s, charged in Stars) for a bot marked for them.
            "allow_paid_broadcast": True if job.paid else None,
        }
        if job.silent:
            params["disable_notification"] = True
        if job.thread:
            params["message_thread_id"] = job.thread
        try:
            sent = await self._pool.call(route.bot, "sendMessage", params, self._opt.send_timeout)
        except Exception as exc:  # every failure is classified in outcome.py
            return classify(exc)
        # a follow-up card's message id
        await remember_copy(self._store, self._queue, job, route, sent)
        return classify(None)

    async def _settle(self, job: Job, route: Route, out: Outcome, hint_key: str | None) -> None:
        v = out.verdict
        if v not in (Verdict.SENT, Verdict.TRANSIENT, Verdict.MAYBE_SENT, Verdict.RETRY_AFTER):
            await self._queue.answered(route.bot.tg_id)  # Telegram is up: close the breaker
        if job.kind is Kind.FAREWELL and v in (Verdict.NO_ACCESS, Verdict.BAD_TOKEN):
            # Only the leaving bot may say it: a chat it cannot reach (or a token already
            # revoked) ends the farewell there, with no other bot and no broken-bot notice.
            await self._gone(job)
            return
        if v is Verdict.SENT:
            await self._queue.ack_grouped(job.jid)
            if hint_key:
                await self._r.set(hint_key, "1")
            self._metrics.inc("messages_sent_total", {"kind": job.kind.value})
            if job.kind is Kind.CALL and job.at:
                self._metrics.observe(max(0.0, self._clock() - job.at))
        elif v is Verdict.RETRY_AFTER:
            pause = max(out.retry_after, 1.0)
            # Known here before the script call below: a job this worker claimed ahead must not
            # go out in the meantime (see `paused`).
            self.pause_seen(route.bot.tg_id, pause)
            self._metrics.inc("telegram_429_total", {"bot": str(route.bot.tg_id)})
            await self._queue.throttle(route.bot.tg_id, pause)
            await self._r.publish(keys.PAUSED, f"{route.bot.tg_id}:{pause:.3f}")
            await self._requeue(job)
        elif v is Verdict.GONE:
            await self._store.started.forget(route.bot.tg_id, job.chat)
            await self._gone(job)
        elif v is Verdict.NO_ACCESS:
            await self._store.started.forget(route.bot.tg_id, job.chat)
            job.tried.append(route.bot.tg_id)
            nxt = await self._router.choose(job.tid, job.chat, job.tried)
            if nxt is None:
                await self._gone(job)
            else:
                job.bot = nxt.bot.tg_id
                await self._requeue(job)
        elif v is Verdict.MIGRATED:
            await self._migrate(job, route, out.new_chat_id)
        elif v is Verdict.BAD_TOKEN and route.bot.custom:
            if await self._token_rejected(route.bot):
                await self._broken(job, route)
            else:
                await self._transient(job, "a 401/404 that getMe did not confirm")
        elif v is Verdict.MAYBE_SENT:
            # Telegram may have it; resending blindly could duplicate, so an admin decides (the
            # dead-letters screen shows these apart). The token waits like any transport failure.
            await self._queue.trip(route.bot.tg_id)
            job.maybe_sent = True
            await self._bury(job, "timeout: the message may have been delivered", "maybe_sent")
        elif v is Verdict.TRANSIENT:
            # The transport failed, not the message: the token pauses (its breaker), the job
            # keeps its place at the head of its lane and its attempts.
            await self._queue.trip(route.bot.tg_id)
            job.error = (out.detail or v.value)[:500]
            self._metrics.inc("messages_retried_total")
            await self._requeue(job)
        elif v is Verdict.REJECTED:
            self._metrics.inc("messages_failed_total", {"reason": "rejected"})
            await self._bury(job, out.detail, "rejected")
        else:  # the default bot's own token refused (an operator must act)
            log.error("Telegram rejected the default bot's token; check BOT_TOKEN")
            await self._transient(job, out.detail or v.value)

    async def _token_rejected(self, bot: BotRef) -> bool:
        """PTB raises InvalidToken for a 404 as for a 401, so a proxy's 404 or a mistyped API
        URL looks like a revoked token: it is one only if getMe refuses this token while the
        default bot's getMe works."""
        try:
            await self._pool.call(bot, "getMe", {})
            return False
        except InvalidToken:
            pass
        except Exception:
            return False
        try:
            await self._pool.call(self._router.default, "getMe", {})
        except Exception:
            return False
        return True

    async def _requeue(self, job: Job, delay: float = 0.0) -> None:
        await self._queue.requeue(job, front=True, delay=delay)
        self._kick()

    async def _bury(self, job: Job, error: str, reason: str) -> None:
        job.error, job.dead_at = error[:500], self._clock()
        if await self._queue.bury(job, self._opt.dead_cap):
            self._metrics.inc("messages_dead_lettered_total", {"reason": reason})

    async def _transient(self, job: Job, detail: str) -> None:
        job.attempts += 1
        job.error = detail[:500]
        if job.attempts >= self._retry.attempts:
            await self._bury(job, detail, "transient")
            return
        self._metrics.inc("messages_retried_total")
        await self._requeue(job, self._retry.delay(job.attempts))

    async def _gone(self, job: Job) -> None:
        if job.topic:  # a forum copy: no bot of the tenant may write there any more
            await forget_forum(
                self._store,
                self._cat,
                self._outbox,
                self._router.default.tg_id,
                job.chat,
                only=(job.tid, job.topic),
            )
        elif job.kind is Kind.CALL:
            await self._store.subs.mark_unreachable(job.tid, job.chat)
        self._metrics.inc("messages_failed_total", {"reason": "unreachable"})
        await self._queue.ack_grouped(job.jid)

    async def _migrate(self, job: Job, route: Route, new_chat: int | None) -> None:
        if new_chat is None:
            await self._transient(job, "migrated without a new chat id")
            return
        old = job.chat
        for tid in await self._store.subs.tenants_of_chat(old):
            await self._store.subs.move_chat(tid, old, new_chat)
        for bot in {route.bot.tg_id, self._router.default.tg_id}:
            if await self._store.started.has(bot, old):
                await self._store.started.mark(bot, new_chat)
        job.chat = new_chat
        await self._requeue(job)

    async def _broken(self, job: Job, route: Route) -> None:
        """Tell the admins, then switch the bot off: a crash in between leaves the bot on, so
        the retried send comes here again (the once-flag keeps the notice single)."""
        bot = route.bot
        assert bot.tid is not None and bot.bid is not None
        try:
            custom = await self._store.bots.get(bot.tid, bot.bid)
        except NotFound:
            custom = None  # deleted meanwhile: nobody to tell, nothing to switch off
        if custom is not None:
            await tell_admins_once(self._store, self._cat, self._outbox, custom)
            await self._store.bots.mark_broken(bot.tid, bot.bid)
        self._router.invalidate(bot.tid)
        self._metrics.inc("messages_retried_total")
        await self._requeue(job)  # the router now picks the default bot
