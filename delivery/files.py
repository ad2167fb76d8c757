"""A FILE job's send: the photo or document whose bytes the Outbox kept beside the intake
entry (store.keys.upload, with a TTL), uploaded with sendPhoto / sendDocument as multipart.

The job itself holds only the key: a fan-out to many admins copies a few hundred bytes per
job, not the file. Its limits are every send's (the claim counts it like a text), and so are
its answers (outcome.py): a 429 pauses the token, a blocked chat is gone."""

from __future__ import annotations

import base64
import binascii
import hashlib

from redis.asyncio import Redis

from delivery.botpool import BotPool
from delivery.outcome import Outcome, Verdict, classify
from delivery.queue import Job
from delivery.routing import Route
from store import Store
from store.keys import upload

METHODS = {"photo": "sendPhoto", "document": "sendDocument"}
# A file is kept this long for its jobs (the longest a job may wait, delivery/policy.py).
FILE_TTL = 86_400 + 3600
EXPIRED = "its file is no longer kept (the job waited longer than the file's TTL)"


def file_key(tid: str, data: bytes) -> str:
    """Where the tenant's file is kept: by its content, so a repeat writes the same key."""
    return upload(tid, hashlib.sha256(data).hexdigest()[:32])


def encoded(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")  # the store's client decodes replies as text


async def keep(redis: Redis, tid: str, data: bytes) -> str:
    """Keep a file for the FILE jobs about to be queued; returns its key."""
    key = file_key(tid, data)
    await redis.set(key, encoded(data), ex=FILE_TTL)
    return key


async def load(store: Store, job: Job) -> bytes | None:
    """The job's bytes, or None when they expired (or were never a file of this tenant)."""
    if not job.file.startswith(upload(job.tid, "")):
        return None
    raw = await store.redis.get(job.file)
    if raw is None:
        return None
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        return None


async def send_file(
    store: Store, pool: BotPool, job: Job, route: Route, read_timeout: float
) -> Outcome:
    method = METHODS.get(job.media)
    data = await load(store, job) if method else None
    if method is None or data is None:
        return Outcome(Verdict.REJECTED, EXPIRED if method else f"unknown media {job.media!r}")
    params = {
        "chat_id": job.chat,
        "caption": job.text or None,
        "parse_mode": "HTML" if job.text else None,
        "reply_markup": job.markup or None,
        "disable_notification": True if job.silent else None,
        "allow_paid_broadcast": True if job.paid else None,
    }
    try:
        # An upload takes longer than a text: the read timeout grows with the size (1 MB/s).
        await pool.upload(
            route.bot, method, params, (job.media, job.filename or job.media, data),
            read_timeout + len(data) / 1_000_000,
        )  # fmt: skip
    except Exception as exc:  # every failure is classified in outcome.py
        return classify(exc)
    return classify(None)
