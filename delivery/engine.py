"""The delivery engine of one worker process: fan-out, a dispatcher claiming jobs under the
limits, concurrent sends, a lease that hands a dead worker's claims back, and a wake channel."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter

from redis.exceptions import RedisError
from telegram.error import InvalidToken

from delivery import keys, redact
from delivery.botpool import BotPool
from delivery.digest import Digests
from delivery.fanout import FanOut, GroupNewMarkup
from delivery.pacing import PAID_MAX_PER_SECOND, Arrivals
from delivery.policy import Breaker, Limits, Options, Retry
from delivery.queue import Job, JobQueue, Kind
from delivery.routing import BotRef, Route, Router, bot_id_of_token
from delivery.sender import Sender
from delivery.silence import SilenceWatch
from delivery.upgrade import move_untagged_keys
from delivery.weekly import WeeklySchedule
from perezvon.metrics import Metrics
from perezvon.texts import Catalogue
from store import Store
from store.intake import WAKE as INTAKE_WAKE
from store.keys import BOTS_CHANGED

log = logging.getLogger(__name__)


# How long stop() waits for Redis to take back our claims; a lease expiry does it otherwise.
STOP_REDIS_SECONDS = 5.0
# How often stop() cancels a task again that swallowed the previous cancel.
RECANCEL_SECONDS = 0.5


async def _finish(tasks: list[asyncio.Task], patience: float) -> None:
    """Wait `patience` s for the tasks, then cancel them again and again until all are done."""
    pending = {task for task in tasks if not task.done()}
    if pending and patience > 0:
        _, pending = await asyncio.wait(pending, timeout=patience)
    rounds = 0
    while pending:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=RECANCEL_SECONDS)
        rounds += 1
        if pending and rounds % 10 == 0:
            log.warning("still stopping: %s", ", ".join(t.get_name() for t in pending))
    for task in tasks:
        if not task.cancelled() and task.exception() is not None:
            log.error("%s ended with %s", task.get_name(), redact.redact(repr(task.exception())))


class DefaultTokenRejected(RuntimeError):
    """Telegram (or whatever answers at the API URL) refused getMe for the default bot."""


class DeliveryEngine:
    """`await engine.start()` ... `await engine.stop()`; consumer names must be unique per
    live worker (a restarted worker reusing its name takes its own claims back at once)."""

    def __init__(
        self,
        store: Store,
        metrics: Metrics,
        catalogue: Catalogue,
        *,
        api_base: str,
        default_token: str,
        consumer: str,
        group_new_markup: GroupNewMarkup | None = None,
        limits: Limits | None = None,
        retry: Retry | None = None,
        options: Options | None = None,
        breaker: Breaker | None = None,
    ) -> None:
        self._store = store
        self._r = store.redis
        self._opt = options or Options()
        self.consumer = consumer
        default = BotRef(bot_id_of_token(default_token), default_token)
        self.queue = JobQueue(
            self._r,
            consumer,
            limits or Limits(),
            breaker=breaker or Breaker(probe=self._opt.send_timeout + 5.0),
            ahead=self._opt.claim_ahead,
        )
        self.router = Router(store, default, self._opt.route_cache_seconds)
        self._api_base = api_base
        lim = limits or Limits()
        arrivals = None  # limits lifted (Limits.loose): nothing to count
        if lim.bot_per_second <= PAID_MAX_PER_SECOND:
            # The longest a send may stay in flight: the pool's wait, the connect and the read
            # (BotPool's timeouts), and a margin; past it an entry no one left stops counting.
            timeout = self._opt.send_timeout
            in_flight = 2 * timeout + min(timeout, 5.0) + 5
            arrivals = Arrivals(self._r, int(lim.bot_per_second), chats=lim, in_flight=in_flight)
        self._pool = BotPool(
            api_base, self._opt.send_timeout, connections=self._opt.senders * 2, arrivals=arrivals
        )
        self._wake = asyncio.Event()
        self.fanout = FanOut(
            store,
            self.queue,
            self.router,
            catalogue,
            metrics,
            self._opt,
            group_new_markup,
            self._kick,
        )
        self.sender = Sender(
            store,
            self.queue,
            self.router,
            self._pool,
            catalogue,
            metrics,
            self._opt,
            retry or Retry(),
            self._kick,
        )
        self.digests = Digests(store, self.queue, self.router, catalogue, metrics, self._kick)
        self.silence = SilenceWatch(store, catalogue)
        self.weekly = WeeklySchedule(store)
        # Two bounds per worker, `senders` each. A claimed job holds a claim slot until it is
        # settled or its send begins, and a send slot from then until it is settled: at most
        # `senders` messages are ever sent-but-not-settled (what a kill -9 may repeat), and the
        # jobs waiting up to `claim_ahead` for their slot and then for room in their arrival
        # windows (never sent: a kill -9 hands them back) do not hold the sends' slots.
        self._free = self._opt.senders
        self._freed = asyncio.Event()
        self._sending = asyncio.Semaphore(self._opt.senders)
        # Claimed jobs some task of ours is working on; anything else in our `inflight` after a
        # failed claim call was claimed by a script whose answer never reached us.
        self._held: set[str] = set()
        self._orphans = False
        self._sends: set[asyncio.Task[None]] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self._stop_event = asyncio.Event()
        # Consecutive claimed batches or jobs that failed with a bug or Redis trouble: each
        # waits longer before its jobs go back, so a job that always fails cannot spin.
        self._failures = 0
        # What this process did, by verdict (the cluster-wide sums are in Metrics).
        self.counts: Counter[str] = Counter()

    def _kick(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        redact.install()
        await self._pool.start()
        await self._check_default_token()
        await self.fanout.ensure_group()
        await move_untagged_keys(self._r)  # an older version's queue, before any claim
        moved = await self.queue.reclaim()
        if moved:
            log.warning("took back %d messages this worker had in flight before a restart", moved)
        await self.queue.lease(self._opt.lease_seconds)
        self._stopping = False
        self._stop_event.clear()
        self._failures = 0
        self.fanout.stopping = False
        self.digests.stopping = False
        self.silence.stopping = False
        self.weekly.stopping = False
        self._free = self._opt.senders
        self._sending = asyncio.Semaphore(self._opt.senders)
        self._held.clear()
        self._orphans = False
        self._tasks = [
            asyncio.create_task(self.fanout.run(), name="delivery-fanout"),
            asyncio.create_task(self._dispatch(), name="delivery-dispatch"),
            asyncio.create_task(self._heartbeat(), name="delivery-lease"),
            asyncio.create_task(self._listen(), name="delivery-wake"),
            asyncio.create_task(self.digests.run(), name="delivery-digests"),
            asyncio.create_task(self.silence.run(), name="delivery-silence"),
            asyncio.create_task(self.weekly.run(), name="delivery-weekly"),
        ]

    async def _check_default_token(self) -> None:
        """Give up at once on a default token the API refuses: every send would fail, and a
        custom bot's 401/404 could not be told from a wrong API URL. A network error is not a
        refusal: Telegram may come back."""
        try:
            await self._pool.call(self.router.default, "getMe", {})
        except InvalidToken as exc:
            await self._pool.stop()
            raise DefaultTokenRejected(
                f"getMe for the default bot was refused ({redact.redact(str(exc))}): check "
                f"the bot token and the Telegram API URL {redact.redact(self._api_base)}"
            ) from None
        except Exception as exc:
            log.warning("getMe for the default bot failed: %s", redact.redact(repr(exc)))

    async def stop(self, grace: float | None = None) -> None:
        """Stop claiming, let sends in flight finish (up to `grace` s), hand back the rest.

        Bounded even when redis-py swallows a cancel that lands inside a command: every loop
        also checks a stop flag, and each task is cancelled again until it is done."""
        if not self._tasks:
            return
        self._stopping = True
        self.fanout.stopping = True
        self.digests.stopping = True
        self.silence.stopping = True
        self.weekly.stopping = True
        self._stop_event.set()
        self._kick()
        self._freed.set()
        fanout, dispatch, *others = self._tasks
        for task in (fanout, *others):
            task.cancel()
        # The dispatcher stops by the flag (a claim it is making is then handed back below).
        await _finish([dispatch], patience=self._opt.send_timeout)
        if self._sends:
            await asyncio.wait(
                self._sends, timeout=self._opt.send_timeout if grace is None else grace
            )
        await _finish([*self._sends, fanout, *others], patience=0.0)
        with contextlib.suppress(RedisError, OSError, TimeoutError):
            async with asyncio.timeout(STOP_REDIS_SECONDS):
                await self.queue.reclaim()
                await self.queue.leave()
        await self._pool.stop()
        self._tasks = []

    async def _dispatch(self) -> None:
        """Claim as many jobs as there are free slots in one script call, send them; when
        nothing more is ready, sleep until the queue says (at least `claim_tick`, so the next
        call finds several bots' tokens ready at once) or until new work wakes us."""
        while not self._stopping:
            most = self._free
            if most <= 0:
                self._freed.clear()
                await self._freed.wait()
                continue
            try:
                if self._orphans:
                    moved = await self.queue.release_all_but(self._held)
                    self._orphans = False
                    if moved:
                        log.warning("handed back %d claims whose answer was lost", moved)
                jobs, wait = await self.queue.claim_many(most)
            except (RedisError, OSError) as exc:
                # The script may have run and its answer been lost (Redis went away after it):
                # its jobs sit in our `inflight`, so hand them back once Redis answers again.
                self._orphans = True
                log.warning("claim failed (%s); retrying", redact.redact(str(exc)))
                await asyncio.sleep(0.5)
                continue
            if jobs:
                at = time.time()
                for job in jobs:
                    job.due += at  # the slot on our wall clock (the claim counted it from Redis's)
                self._held.update(job.jid for job in jobs)
                self._free -= len(jobs)
                task = asyncio.create_task(self._send_batch(jobs))
                self._sends.add(task)
                task.add_done_callback(self._sends.discard)
                if len(jobs) == most or wait == 0:
                    continue
            elif wait == 0:
                continue
            if self._stopping:
                break
            timeout = self._opt.idle_poll if wait is None else min(wait, self._opt.idle_poll)
            timeout = max(timeout, self._opt.claim_tick)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)
            self._wake.clear()

    async def _send_batch(self, jobs: list[Job]) -> None:
        try:
            routes = await self.sender.routes(jobs)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.error("routing %d claimed messages failed: %s", len(jobs), redact.redact(repr(exc)))
            await self._back_off()
            for job in jobs:
                await self._release(job.jid)
                self._held.discard(job.jid)
                self._slot_done()
            return
        sends = [self._send_one(job, route) for job, route in zip(jobs, routes, strict=True)]
        await asyncio.gather(*sends)

    async def _back_off(self) -> None:
        """Hold the failed claims a while (longer after each failure in a row) before they go
        back, so the dispatcher does not claim and fail the same jobs in a hot loop."""
        self._failures += 1
        delay = min(self._opt.failure_backoff * 2 ** (self._failures - 1), 30.0)
        if not self._stopping:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stop_event.wait(), delay)

    def _slot_done(self) -> None:
        self._free += 1
        self._freed.set()

    async def _send_one(self, job: Job, route: Route | None) -> None:
        claimed = True  # holding its claim slot
        admission = None
        try:
            delay = job.due - time.time()
            if delay > 0:
                await asyncio.sleep(delay)  # its send slot, reserved by the claim
            if route is not None and route.bot.tg_id == job.bot and job.kind is not Kind.EDIT:
                # Room in its arrival windows while it holds only its claim slot: a wait there
                # (for a send of a second ago to leave) holds none of the send slots.
                admission = await self._pool.admit(job.bot, job.chat, job.paid)
            if await self._held_back(job):
                return
            async with self._sending:
                claimed = False
                self._slot_done()
                if await self._held_back(job):  # the 429 came back while it waited for the slot
                    return
                verdict = await self.sender.process(job, route)
                self.counts[verdict.value if verdict else "rerouted"] += 1
                self._failures = 0
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            # Redis trouble or a bug: hand the claim back (it may repeat: it was in flight).
            log.error("sending %s failed: %s", job.jid, redact.redact(repr(exc)))
            await self._back_off()
            await self._release(job.jid)
        finally:
            self._held.discard(job.jid)
            if claimed:
                self._slot_done()
            if admission is not None:  # last: a cancel may land in it
                await self._pool.release(admission)  # not sent after all: out of the windows

    async def _held_back(self, job: Job) -> bool:
        """Claimed before a 429 of its token came back (here or in another worker): back to its
        place in its lane (attempts untouched), claimed again once the pause is over."""
        if not self.sender.paused(job.bot):
            return False
        self.counts["held_by_429"] += 1
        await self._release(job.jid)
        return True

    async def _release(self, jid: str) -> None:
        delay = 0.1
        while not self._stopping:
            try:
                await self.queue.release(jid)
                self._kick()
                return
            except (RedisError, OSError):
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
        # Stopping: stop() reclaims whatever is still ours.

    async def _heartbeat(self) -> None:
        while not self._stopping:
            await asyncio.sleep(self._opt.lease_seconds / 3)
            try:
                if await self.queue.lease(self._opt.lease_seconds):
                    self._kick()
            except (RedisError, OSError) as exc:
                log.warning("lease renewal failed: %s", redact.redact(str(exc)))

    async def _listen(self) -> None:
        while not self._stopping:
            pubsub = self._r.pubsub()
            try:
                await pubsub.subscribe(keys.WAKE, BOTS_CHANGED, INTAKE_WAKE, keys.PAUSED)
                async for message in pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    if message.get("channel") == keys.PAUSED:
                        self._pause_heard(message.get("data"))
                        continue
                    if message.get("channel") == INTAKE_WAKE:
                        self.fanout.wake()
                        continue
                    if message.get("channel") == BOTS_CHANGED:
                        self.router.invalidate()
                    self._kick()
            except (RedisError, OSError):
                await asyncio.sleep(0.5)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    def _pause_heard(self, data: object) -> None:
        """Another worker's 429 ("<bot>:<seconds>"): hold back our jobs of that bot too."""
        try:
            bot, seconds = str(data).split(":", 1)
            self.sender.pause_seen(int(bot), float(seconds))
        except ValueError:
            log.warning("ignored a malformed pause notice: %r", str(data)[:80])

    async def gauges(self) -> dict[str, tuple[str, float]]:
        """Live figures for /metrics: jobs queued, waiting, in flight, dead; intake backlog."""
        depth = await self.queue.depth()
        backlog = await self._store.intake.backlog()
        dead_intake = await self._r.llen(keys.DEAD_INTAKE)
        return {
            "delivery_queue_depth": ("Messages ready to send", depth.queued),
            "delivery_waiting": ("Messages waiting for a limit or a retry", depth.waiting),
            "delivery_in_flight": ("Messages being sent right now", depth.in_flight),
            "delivery_dead_letters": ("Messages in the dead-letter lists", depth.dead),
            "delivery_intake_backlog": ("Intake entries not yet fanned out", backlog),
            "delivery_dead_intake": ("Intake entries that could not be fanned out", dead_intake),
            **await self.silence.gauges(),
        }
