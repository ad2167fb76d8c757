"""Messages that must disappear later (a freshly rotated API key): recorded in Redis first.

A JobQueue job deletes the message on time while the process lives. The record in Redis is
what survives a restart: every bot sweeps what is overdue when it starts, and then every
SWEEP_EVERY seconds for as long as it has records left (a bot with none, nearly all of them,
costs nothing while idle); every admin command or button sweeps too.
"""

from __future__ import annotations

import logging

from telegram.error import BadRequest, Forbidden, NetworkError
from telegram.ext import Application, JobQueue

from bot.context import Ctx
from store.purges import Purge

log = logging.getLogger(__name__)


async def later(ctx: Ctx, chat_id: int, message_id: int, delay: float) -> None:
    """Delete this bot's message in `delay` seconds, even across a restart."""
    purge = Purge(chat_id, message_id)
    await ctx.deps.store.purges.add(ctx.deps.me.tg_id, purge, ctx.deps.clock() + delay)
    if ctx.job_queue is not None:
        ctx.job_queue.run_once(_job, delay, data=purge, name=f"purge:{purge.member()}")
        _sweep_later(ctx.job_queue, SWEEP_EVERY)


async def _job(ctx: Ctx) -> None:
    assert ctx.job is not None and isinstance(ctx.job.data, Purge)
    await _delete(ctx, ctx.job.data)


SWEEP_EVERY = 30.0
SWEEP_JOB = "purge-sweep"


def schedule_sweeps(app: Application) -> None:
    """Sweep overdue deletions as the bot starts, then while records are left: a message
    whose timer died with a previous process is still deleted within SWEEP_EVERY seconds."""
    if app.job_queue is not None:
        _sweep_later(app.job_queue, 1.0)


def _sweep_later(job_queue: JobQueue, delay: float) -> None:
    if not job_queue.get_jobs_by_name(SWEEP_JOB):
        job_queue.run_once(_sweep_job, delay, name=SWEEP_JOB)


async def _sweep_job(ctx: Ctx) -> None:
    await sweep(ctx)
    if ctx.job_queue is not None and await ctx.deps.store.purges.pending(ctx.deps.me.tg_id):
        ctx.job_queue.run_once(_sweep_job, SWEEP_EVERY, name=SWEEP_JOB)


async def sweep(ctx: Ctx) -> int:
    """Delete every overdue message of this bot; returns how many records were settled."""
    due = await ctx.deps.store.purges.due(ctx.deps.me.tg_id, ctx.deps.clock())
    for purge in due:
        await _delete(ctx, purge)
    return len(due)


async def _delete(ctx: Ctx, purge: Purge) -> None:
    chat, message = purge.chat_id, purge.message_id
    try:
        await ctx.bot.delete_message(chat, message)
    except (BadRequest, Forbidden) as exc:
        # Already gone (deleted by hand, or by the other path), or out of reach: done either way.
        log.info("could not delete message %s in chat %s: %s", message, chat, exc)
    except NetworkError as exc:
        log.warning("deleting message %s in chat %s failed, will retry: %s", message, chat, exc)
        return
    await ctx.deps.store.purges.done(ctx.deps.me.tg_id, purge)
