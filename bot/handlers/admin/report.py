"""«Отчёт»: what became of the tenant's missed calls over 7 or 30 days (perezvon/report.py),
and the same period as a chart (perezvon/chart.py) or a CSV, both sent through the Outbox like
every other message (delivery/files.py)."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Update

from bot.context import Ctx
from bot.handlers.admin.shared import Screen, Session, all_groups, group_name, local_time, show, tr
from bot.keyboards import admin as kb
from bot.keyboards import admin_hours as hkb
from delivery import weekly
from perezvon.report import OUTCOMES, csv_bytes, figures, series, tenant_cards
from perezvon.report_text import figure_lines as text_lines

PERIODS = (7, 30)


def figure_lines(
    ctx: Ctx, s: Session, data: dict[str, Any], names: dict[str, str], *, html_text: bool = False
) -> list[str]:
    """The figures of a report as the admin reads them (perezvon/report_text.py): plain text
    for the screen (menus are sent without parse_mode), HTML for a caption."""
    return text_lines(lambda key, **v: tr(ctx, s, key, **v), lambda ts: local_time(ctx, s, ts),
                      data, names, html_text=html_text)  # fmt: skip


async def group_names(ctx: Ctx, s: Session) -> dict[str, str]:
    return {g.id: group_name(ctx, s.lang, g) for g in await all_groups(ctx.deps.store, s.tid)}


async def report_screen(ctx: Ctx, s: Session, days: int) -> Screen:
    store, now = ctx.deps.store, ctx.deps.clock()
    since = now - days * 86_400
    data = figures(await tenant_cards(store, s.tid), s.tenant.tz, since, now)
    lines = [
        tr(ctx, s, "reports.title", days=days, since=local_time(ctx, s, since),
           until=local_time(ctx, s, now)),
        *figure_lines(ctx, s, data, await group_names(ctx, s)),
    ]  # fmt: skip
    periods = [
        kb.button(
            ("✓ " if d == days else "") + tr(ctx, s, "reports.days", days=d), hkb.Report(s.tid, d)
        )
        for d in PERIODS
    ]
    files = [
        kb.button(tr(ctx, s, "reports.chart.button"), hkb.ReportSend(s.tid, days, "chart")),
        kb.button(tr(ctx, s, "reports.csv.button"), hkb.ReportSend(s.tid, days, "csv")),
    ]
    due = await store.weekly.due_at(s.tid)
    if due is None:
        lines += ["", tr(ctx, s, "reports.weekly.off")]
        weekly = kb.button(tr(ctx, s, "reports.weekly.button.on"), hkb.ReportWeekly(s.tid, True))
    else:
        lines += ["", tr(ctx, s, "reports.weekly.on", due=local_time(ctx, s, due))]
        weekly = kb.button(tr(ctx, s, "reports.weekly.button.off"), hkb.ReportWeekly(s.tid, False))
    rows = [periods, files, [weekly], [kb.button(tr(ctx, s, "admin.back.menu"), kb.Menu(s.tid))]]
    return Screen("\n".join(lines), kb.markup(rows))


async def on_report(update: Update, ctx: Ctx, s: Session, data: hkb.Report) -> None:
    days = data.days if data.days in PERIODS else PERIODS[0]
    await show(update, ctx, await report_screen(ctx, s, days))


def _day(ctx: Ctx, s: Session, ts: float) -> str:
    return local_time(ctx, s, ts).split(" ")[0]


async def chart_png(ctx: Ctx, s: Session, cards: list, since: float, now: float) -> bytes:
    """The period's chart, drawn in a worker thread (a chart takes a few hundred ms)."""
    from perezvon.chart import render_png  # matplotlib loads on the first chart only

    data = series(cards, s.tenant.tz, since, now)
    title = tr(ctx, s, "reports.chart.title", since=_day(ctx, s, since), until=_day(ctx, s, now))
    names = {o: tr(ctx, s, f"reports.outcome.{o}") for o in OUTCOMES}
    ylabel = tr(ctx, s, "reports.chart.ylabel")
    return await asyncio.to_thread(render_png, data, title, names, ylabel)


async def on_send(update: Update, ctx: Ctx, s: Session, data: hkb.ReportSend) -> str:
    """«График» / «CSV»: queued to this chat through the Outbox; the press says it is coming."""
    chat = update.effective_chat
    assert chat is not None  # the router only routes presses in a chat
    days = data.days if data.days in PERIODS else PERIODS[0]
    now = ctx.deps.clock()
    since = now - days * 86_400
    cards = await tenant_cards(ctx.deps.store, s.tid)
    period = {"days": days, "since": _day(ctx, s, since), "until": _day(ctx, s, now)}
    if data.what == "csv":
        body = csv_bytes(cards, s.tenant.tz, since, now)
        rows = body.count(b"\n") - 1
        name = f"calls-{s.tid}-{period['until']}.csv".replace("/", "-")
        caption = tr(ctx, s, "reports.csv.caption", cards=rows, **period)
        await s.env.outbox.file(s.tid, chat.id, "document", body, name, caption)
    else:
        png = await chart_png(ctx, s, cards, since, now)
        figures_now = figures(cards, s.tenant.tz, since, now)
        caption = "\n".join(
            [tr(ctx, s, "reports.caption", days=days, since=local_time(ctx, s, since),
                until=local_time(ctx, s, now)),
             *figure_lines(ctx, s, figures_now, {}, html_text=True)[:3]]
        )  # fmt: skip
        await s.env.outbox.file(s.tid, chat.id, "photo", png, "report.png", caption)
    return tr(ctx, s, "reports.sending")


async def on_weekly(update: Update, ctx: Ctx, s: Session, data: hkb.ReportWeekly) -> str:
    """The weekly report on or off; the screen shows when the next one is due."""
    await weekly.switch(ctx.deps.store, s.tid, data.on, ctx.deps.clock())
    await show(update, ctx, await report_screen(ctx, s, PERIODS[0]))
    return tr(ctx, s, "reports.weekly.saved")


ROUTES = {hkb.Report: on_report, hkb.ReportSend: on_send, hkb.ReportWeekly: on_weekly}
