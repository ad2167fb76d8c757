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
    maybe = await dead.count_maybe_sent(s.tid)
    lines = [tr(ctx, s, "admin.dead.title", count=count)]
    if maybe:
        lines.append(tr(ctx, s, "admin.dead.maybe_count", count=maybe))
    if not letters:
        lines.append(tr(ctx, s, "admin.dead.empty"))
    rows = []
    for n, letter in enumerate(letters, start=page * PAGE + 1):
        when = local_time(ctx, s, letter.dead_at)
        if letter.maybe_sent:
            # Shown apart from real failures; a resend asks first (it may arrive twice).
            item = tr(
                ctx, s, "admin.dead.item_maybe", n=n, when=when, chat=letter.chat_id,
                text=_snippet(letter.text),
            )  # fmt: skip
            label, data = (
                tr(ctx, s, "admin.dead.retry_maybe", n=n),
                kb.DeadConfirm(s.tid, letter.jid, page),
            )
        else:
            item = tr(
                ctx, s, "admin.dead.item", n=n, when=when, chat=letter.chat_id,
                error=_snippet(letter.error), text=_snippet(letter.text),
            )  # fmt: skip
            label, data = (
                tr(ctx, s, "admin.dead.retry_one", n=n),
                kb.DeadRetry(s.tid, letter.jid, page),
            )
        lines.append(item)
        rows.append([kb.button(label, data)])
    label = tr(ctx, s, "admin.page", page=page + 1, pages=pages(count))
    rows.append(kb.pager(page, pages(count), lambda p: kb.Dead(s.tid, p), label))
    if count > maybe:  # "all" leaves out the ones that may have been delivered
        label = tr(ctx, s, "admin.dead.retry_all", count=count - maybe)
        rows.append([kb.button(label, kb.DeadRetry(s.tid, kb.ALL, 0))])
    rows.append([kb.button(tr(ctx, s, "admin.back.menu"), kb.Menu(s.tid))])
    return Screen("\n\n".join(lines), kb.markup(rows))


async def on_dead(update: Update, ctx: Ctx, s: Session, data: kb.Dead) -> None:
    await show(update, ctx, await dead_screen(ctx, s, data.page))


async def on_retry(update: Update, ctx: Ctx, s: Session, data: kb.DeadRetry) -> str:
    dead = s.env.dead_letters
    if dead is None:
        raise Stale()
    revived = await dead.retry(
        s.tid, None if data.job == kb.ALL else data.job, confirmed=data.confirmed
    )
    if not revived:
        raise Stale("admin.stale.dead")
    await show(update, ctx, await dead_screen(ctx, s, data.page))
    return tr(ctx, s, "admin.dead.retried", count=revived)


async def on_confirm(update: Update, ctx: Ctx, s: Session, data: kb.DeadConfirm) -> None:
    dead = s.env.dead_letters
    if dead is None:
        raise Stale()
    letter = await dead.get(s.tid, data.job)
    if letter is None:
        raise Stale("admin.stale.dead")
    rows = [
        [
            kb.button(
                tr(ctx, s, "admin.dead.confirm_yes"),
                kb.DeadRetry(s.tid, data.job, data.page, confirmed=True),
            )
        ],
        [kb.button(tr(ctx, s, "admin.dead.confirm_no"), kb.Dead(s.tid, data.page))],
    ]
    text = tr(ctx, s, "admin.dead.confirm", text=_snippet(letter.text))
    await show(update, ctx, Screen(text, kb.markup(rows)))


ROUTES = {
    kb.Dead: on_dead,
    kb.DeadRetry: on_retry,
    kb.DeadConfirm: on_confirm,
}
