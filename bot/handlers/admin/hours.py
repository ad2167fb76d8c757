"""«Рабочие часы»: the tenant's hours, days off and off-hours mode; the hours are typed in a
dialogue (the admin_input conversation), the mode is one tap."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import Ctx
from bot.handlers.admin import dialog
from bot.handlers.admin.shared import (
    AdminEnv,
    Screen,
    Session,
    local_time,
    send_screen,
    show,
    tr,
)
from bot.keyboards import admin as kb
from bot.keyboards import admin_hours as hkb
from perezvon.hours import duration_text
from store.errors import InvalidInput
from store.hours import OffHours

EDIT = "hours_edit"
KIND = "hours"
ALWAYS = ("-", "—")
SILENCE_CHOICES = (0, 3600, 7200, 14400)  # the silent-PBX alert offered in one tap


async def hours_screen(ctx: Ctx, s: Session) -> Screen:
    setting = await ctx.deps.store.schedules.tenant(s.tid)
    text = tr(
        ctx,
        s,
        "hours.menu.summary",
        zone=s.tenant.tz,
        hours=setting.hours or tr(ctx, s, "hours.menu.always"),
        holidays=", ".join(setting.holidays) or tr(ctx, s, "hours.menu.none"),
        mode=tr(ctx, s, f"hours.menu.mode.{setting.off_hours.value}"),
        silence=duration_text(setting.silence_alert)
        if setting.silence_alert
        else tr(ctx, s, "hours.menu.silence_off"),
    )
    text += "\n\n" + await _pbx_line(ctx, s)
    modes = [
        kb.button(
            ("✓ " if mode is setting.off_hours else "") + tr(ctx, s, f"hours.menu.mode.{mode}"),
            hkb.HoursMode(s.tid, mode.value),
        )
        for mode in OffHours
    ]
    silence = [
        kb.button(
            ("✓ " if v == setting.silence_alert else "")
            + (duration_text(v) if v else tr(ctx, s, "hours.menu.silence_off")),
            hkb.HoursSilence(s.tid, v),
        )
        for v in SILENCE_CHOICES
    ]
    rows = [
        [kb.button(tr(ctx, s, "hours.menu.set_hours"), hkb.HoursEdit(s.tid))],
        *[[b] for b in modes],
        silence,
        [kb.button(tr(ctx, s, "admin.back.menu"), kb.Menu(s.tid))],
    ]
    return Screen(text, kb.markup(rows))


async def _pbx_line(ctx: Ctx, s: Session) -> str:
    """When the PBX was last heard, and whether the silent-PBX alarm is raised."""
    hb = ctx.deps.store.heartbeats
    last = await hb.last_event(s.tid)
    if last is None:
        return tr(ctx, s, "hours.menu.pbx_never")
    key = "hours.menu.pbx_silent" if s.tid in await hb.alarms() else "hours.menu.pbx_ok"
    return tr(ctx, s, key, since=local_time(ctx, s, last))


async def on_hours(update: Update, ctx: Ctx, s: Session, data: hkb.Hours) -> None:
    await show(update, ctx, await hours_screen(ctx, s))


async def on_mode(update: Update, ctx: Ctx, s: Session, data: hkb.HoursMode) -> str:
    try:
        mode = OffHours(data.mode)
    except ValueError:
        return tr(ctx, s, "admin.stale.button")
    await ctx.deps.store.schedules.set_tenant(s.tid, off_hours=mode.value)
    await show(update, ctx, await hours_screen(ctx, s))
    return tr(ctx, s, "hours.menu.saved")


async def on_silence(update: Update, ctx: Ctx, s: Session, data: hkb.HoursSilence) -> str:
    if data.seconds not in SILENCE_CHOICES:
        return tr(ctx, s, "admin.stale.button")
    await ctx.deps.store.schedules.set_tenant(s.tid, silence_alert=data.seconds)
    await show(update, ctx, await hours_screen(ctx, s))
    return tr(ctx, s, "hours.menu.saved")


async def start(update: Update, ctx: Ctx, s: Session, data: hkb.HoursEdit) -> str:
    await dialog.begin(update, ctx, s, KIND, "hours.menu.ask_hours")
    return EDIT


async def got_hours(update: Update, ctx: Ctx, env: AdminEnv) -> object:
    """First line: the hours ("-" around the clock); an optional second: the days off."""
    s = await dialog.current(update, ctx, env, KIND)
    if s is None:
        return ConversationHandler.END
    answer = await dialog.answer_text(ctx, s, update.effective_message)
    if answer is None:
        return EDIT
    first, _, rest = answer.partition("\n")
    hours = "" if first.strip() in ALWAYS else first.strip()
    holidays = rest.replace(",", " ").split() if rest.strip() else None
    try:
        await ctx.deps.store.schedules.set_tenant(s.tid, hours=hours, holidays=holidays)
    except InvalidInput as exc:
        await dialog.ask(ctx, s, "hours.menu.bad_hours", error=str(exc))
        return EDIT
    await dialog.finish(ctx, s.chat_id)
    await ctx.bot.send_message(s.chat_id, tr(ctx, s, "hours.menu.saved"))
    await send_screen(ctx, s.chat_id, await hours_screen(ctx, s))
    return ConversationHandler.END


ROUTES = {hkb.Hours: on_hours, hkb.HoursMode: on_mode, hkb.HoursSilence: on_silence}
