"""Cards of a group bound to a forum supergroup go to the group's own topic there: created
with createForumTopic on first use, its thread id kept on the group (store/topics.py).

One worker creates a group's topic at a time (a lock); another that finds it locked retries
the card a moment later, by then with the thread id kept."""

from __future__ import annotations

from delivery.botpool import BotPool
from delivery.outcome import Outcome, Verdict, classify
from delivery.policy import Options
from delivery.queue import Job
from delivery.routing import Route
from perezvon.texts import Catalogue
from store import Store
from store.errors import NotFound
from store.models import DEFAULT_GROUP

LOCK_SECONDS = 30.0
TOPIC_NAME = 128  # Telegram's limit for a topic name


class ForumTopics:
    def __init__(self, store: Store, pool: BotPool, catalogue: Catalogue, options: Options):
        self._store = store
        self._pool = pool
        self._cat = catalogue
        self._opt = options

    async def ensure(self, job: Job, route: Route) -> Outcome | None:
        """Give the job its topic's thread id (None: send it now), or the outcome to settle
        it by (the topic could not be created: Telegram's answer, or "try again")."""
        topics = self._store.topics
        binding = await topics.binding(job.tid, job.topic)
        if binding is None or binding.chat_id != job.chat:
            job.topic = ""  # unbound since it was queued: a plain message to that chat
            return None
        if binding.thread:
            job.thread = binding.thread
            return None
        if not await topics.lock(job.tid, job.topic, LOCK_SECONDS):
            return Outcome(Verdict.TRANSIENT, "the forum topic is being created")
        try:
            name = await self._name(job)
            params = {"chat_id": job.chat, "name": name}
            try:
                topic = await self._pool.call(
                    route.bot, "createForumTopic", params, self._opt.send_timeout
                )
            except Exception as exc:  # classified like any send: rights, gone chat, 429...
                return classify(exc)
            thread = await topics.set_thread(
                job.tid, job.topic, job.chat, int(topic["message_thread_id"])
            )
        finally:
            await topics.unlock(job.tid, job.topic)
        if thread is None:
            job.topic = ""
            return None
        job.thread = thread
        return None

    async def lost(self, job: Job, outcome: Outcome) -> bool:
        """True when the send failed because the topic is gone (deleted in the forum): the
        kept thread is dropped, so the retried card creates a new topic."""
        if not job.thread or outcome.verdict is not Verdict.REJECTED:
            return False
        if "thread not found" not in outcome.detail.lower():
            return False
        await self._store.topics.forget_thread(job.tid, job.topic, job.chat, job.thread)
        job.thread = 0
        return True

    async def _name(self, job: Job) -> str:
        tenant = await self._store.tenants.get(job.tid)
        try:
            group = await self._store.groups.get(job.tid, job.topic)
            name = group.name
        except NotFound:
            name = ""
        if not name:
            default = job.topic == DEFAULT_GROUP
            name = self._cat.t(tenant.lang, "group.default_name") if default else job.topic
        return name[:TOPIC_NAME]
