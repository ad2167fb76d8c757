"""«Отчёт»: what became of the tenant's missed calls over 7 or 30 days (perezvon/report.py)."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from telegram import Update

from bot.context import Ctx
from bot.handlers.admin.shared import Screen, Session, all_groups, group_name, local_time, show, tr
from bot.keyboards import admin as kb
from perezvon.report import figures, tenant_cards

PERIODS = (7, 30)
SHOWN = 10  # callers nobody called back listed on the screen


def _duration(ctx: Ctx, s: Session, seconds: float | None) -> str:
    if seconds is None:
        return tr(ctx, s, "reports.duration.none")
    minutes = round(seconds / 60)
    if minutes >= 60:
        return tr(ctx, s, "reports.duration.hours", hours=minutes // 60, minutes=minutes % 60)
    return tr(ctx, s, "reports.duration.minutes", minutes=minutes)


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def figure_lines(ctx: Ctx, s: Session, data: dict[str, Any], names: dict[str, str]) -> list[str]:
    """The figures of a report as the admin reads them (the screen and the weekly digest)."""
    r, rate = data["resolved"], data["callback_rate"]
    lines = [
        tr(ctx, s, "reports.summary", missed=data["missed"], callers=data["callers"],
           repeat=data["repeat_calls"]),
        tr(ctx, s, "reports.outcomes", open=data["open"], **r),
        tr(ctx, s, "reports.speed",
           rate=tr(ctx, s, "reports.rate.none") if rate is None else f"{rate:.0%}",
           median=_duration(ctx, s, data["median_time_to_callback_s"]),
           p90=_duration(ctx, s, data["p90_time_to_callback_s"]),
           escalations=data["escalations"]),
    ]  # fmt: skip
    if data["by_group"]:
        lines += ["", tr(ctx, s, "reports.by_group")]
        lines += [
            tr(ctx, s, "reports.group", group=_esc(names.get(gid, gid)), missed=g["missed"],
               callers=g["callers"], open=g["open"],
               back=g["resolved"]["called_back"] + g["resolved"]["manual"])
            for gid, g in data["by_group"].items()
        ]  # fmt: skip
    if data["by_employee"]:
        lines += ["", tr(ctx, s, "reports.by_employee")]
        lines += [
            tr(ctx, s, "reports.employee", name=_esc(who), claimed=e["claimed"],
               back=e["called_back"] + e["manual"],
               median=_duration(ctx, s, e["median_time_to_callback_s"]))
            for who, e in data["by_employee"].items()
        ]  # fmt: skip
    if missing := data["not_called_back"]:
        lines += ["", tr(ctx, s, "reports.not_called_back", total=data["not_called_back_total"])]
        lines += [
            tr(ctx, s, "reports.not_called_back.row",
               caller=_esc(n["caller"] or tr(ctx, s, "reports.hidden")), calls=n["calls"],
               since=local_time(ctx, s, _epoch(n["first_seen"])))
            for n in missing[:SHOWN]
        ]  # fmt: skip
        if data["not_called_back_total"] > SHOWN:
            lines.append(
                tr(
                    ctx,
                    s,
                    "reports.not_called_back.more",
                    more=data["not_called_back_total"] - SHOWN,
                )
            )
    if not data["complete"]:
        lines += ["", tr(ctx, s, "reports.incomplete")]
    return lines


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


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
