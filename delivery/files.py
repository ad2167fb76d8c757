"""A FILE job's send: the photo or document whose bytes the Outbox kept beside the intake
entry (store/uploads.py, with a TTL), uploaded with sendPhoto / sendDocument as multipart.

The job itself holds only the key: a fan-out to many admins copies a few hundred bytes per
job, not the file. Its limits are every send's (the claim counts it like a text), and so are
its answers (outcome.py): a 429 pauses the token, a blocked chat is gone."""

from __future__ import annotations

from delivery.botpool import BotPool
from delivery.outcome import Outcome, Verdict, classify
from delivery.queue import Job
from delivery.routing import Route
from store import Store

METHODS = {"photo": "sendPhoto", "document": "sendDocument"}
EXPIRED = "its file is no longer kept (the job waited longer than the file's TTL)"


async def send_file(
    store: Store, pool: BotPool, job: Job, route: Route, read_timeout: float
) -> Outcome:
    method = METHODS.get(job.media)
    data = await store.uploads.load(job.tid, job.file) if method else None
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
