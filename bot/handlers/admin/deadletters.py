"""«Недоставленные»: the tenant's dead letters, newest first, and sending them again."""

from __future__ import annotations

from telegram import Update

from bot.context import Ctx
from bot.handlers.admin.shared import (
    PAGE,
    Screen,
    Session,
    Stale,
    clamp,
    local_time,
    pages,
    show,
    tr,
)
from bot.keyboards import admin as kb

SNIPPET = 60


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET else flat[: SNIPPET - 1] + "…"


async def dead_screen(ctx: Ctx, s: Session, page: int) -> Screen:
    dead = s.env.dead_letters
    if dead is None:
        raise Stale()
    count = await dead.count(s.tid)
    page = clamp(page, count)
    letters = await dead.list(s.tid, page * PAGE, PAGE)
    lines = [tr(ctx, s, "admin.dead.title", count=count)]
    if not letters:
        lines.append(tr(ctx, s, "admin.dead.empty"))
    rows = []
    for n, letter in enumerate(letters, start=page * PAGE + 1):
        lines.append(
            tr(
                ctx,
                s,
                "admin.dead.item",
                n=n,
                when=local_time(ctx, s, letter.dead_at),
                chat=letter.chat_id,
                error=_snippet(letter.error),
                text=_snippet(letter.text),
            )
        )
        rows.append(
            [
                kb.button(
                    tr(ctx, s, "admin.dead.retry_one", n=n), kb.DeadRetry(s.tid, letter.jid, page)
                )
            ]
        )
    label = tr(ctx, s, "admin.page", page=page + 1, pages=pages(count))
    rows.append(kb.pager(page, pages(count), lambda p: kb.Dead(s.tid, p), label))
    if count:
        rows.append(
            [
                kb.button(
                    tr(ctx, s, "admin.dead.retry_all", count=count), kb.DeadRetry(s.tid, kb.ALL, 0)
                )
            ]
        )
    rows.append([kb.button(tr(ctx, s, "admin.back.menu"), kb.Menu(s.tid))])
    return Screen("\n\n".join(lines), kb.markup(rows))


async def on_dead(update: Update, ctx: Ctx, s: Session, data: kb.Dead) -> None:
    await show(update, ctx, await dead_screen(ctx, s, data.page))


async def on_retry(update: Update, ctx: Ctx, s: Session, data: kb.DeadRetry) -> str:
    dead = s.env.dead_letters
    if dead is None:
        raise Stale()
    revived = await dead.retry(s.tid, None if data.job == kb.ALL else data.job)
    if not revived:
        raise Stale("admin.stale.dead")
    await show(update, ctx, await dead_screen(ctx, s, data.page))
    return tr(ctx, s, "admin.dead.retried", count=revived)


ROUTES = {
    kb.Dead: on_dead,
    kb.DeadRetry: on_retry,
}
