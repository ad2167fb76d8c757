"""«Отчёт»: the tenant's missed calls over 7 or 30 days (perezvon/report.py), as text."""

from __future__ import annotations

import html

from telegram import Update

from bot.context import Ctx
from bot.handlers.admin.shared import Screen, Session, all_groups, group_name, local_time, show, tr
from bot.keyboards import admin as kb
from perezvon.report import figures
from store.calls import RECENT_KEPT

PERIODS = (7, 30)


async def report_screen(ctx: Ctx, s: Session, days: int) -> Screen:
    store, now = ctx.deps.store, ctx.deps.clock()
    since = now - days * 86_400
    data = figures(await store.calls.recent(s.tid, RECENT_KEPT), s.tenant.tz, since, now)
    names = {g.id: group_name(ctx, s.lang, g) for g in await all_groups(store, s.tid)}
    lines = [
        tr(ctx, s, "reports.title", days=days, since=local_time(ctx, s, since),
           until=local_time(ctx, s, now)),
        tr(ctx, s, "reports.summary", missed=data["missed"], callers=data["callers"],
           repeat=data["repeat_calls"]),
    ]  # fmt: skip
    if data["by_group"]:
        lines += ["", tr(ctx, s, "reports.by_group")]
        lines += [
            tr(ctx, s, "reports.group", group=html.escape(names.get(gid, gid), quote=False),
               missed=g["missed"], callers=g["callers"])
            for gid, g in data["by_group"].items()
        ]  # fmt: skip
    if not data["complete"]:
        lines += ["", tr(ctx, s, "reports.incomplete")]
    lines += ["", tr(ctx, s, "reports.pending")]
    periods = [
        kb.button(
            ("✓ " if d == days else "") + tr(ctx, s, "reports.days", days=d), kb.Report(s.tid, d)
        )
        for d in PERIODS
    ]
    rows = [periods, [kb.button(tr(ctx, s, "admin.back.menu"), kb.Menu(s.tid))]]
    return Screen("\n".join(lines), kb.markup(rows))


async def on_report(update: Update, ctx: Ctx, s: Session, data: kb.Report) -> None:
    days = data.days if data.days in PERIODS else PERIODS[0]
    await show(update, ctx, await report_screen(ctx, s, days))


ROUTES = {kb.Report: on_report}
