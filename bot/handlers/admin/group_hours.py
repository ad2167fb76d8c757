"""«Рабочие часы группы»: whether a group follows the tenant's hours or has its own; its own
hours and days off are typed in a dialogue like the tenant's (same parser, same error text),
and one tap takes it back to the tenant's hours. The off-hours mode stays the tenant's."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ConversationHandler

from bot.context import Ctx
from bot.handlers.admin import dialog, journal
from bot.handlers.admin.group_card import back_row
from bot.handlers.admin.shared import (
    AdminEnv,
    Screen,
    Session,
    Stale,
    find_group,
    group_name,
    send_screen,
    show,
    tr,
)
from bot.keyboards import admin as kb
from bot.keyboards import admin_group as gkb
from store.errors import InvalidInput

EDIT = "group_hours_edit"
KIND = "group_hours"
TENANTS = ("-", "—")  # typed instead of hours: back to the tenant's


async def hours_screen(ctx: Ctx, s: Session, ref: str) -> Screen:
    store = ctx.deps.store
    group = await find_group(store, s.tid, ref)
    setting = await store.schedules.effective(s.tid, group.id)
    text = tr(
        ctx,
        s,
        "admin.group_hours.own" if setting.from_group else "admin.group_hours.tenant",
        group=group_name(ctx, s.lang, group),
        zone=s.tenant.tz,
        hours=setting.hours or tr(ctx, s, "hours.menu.always"),
        holidays=", ".join(setting.holidays) or tr(ctx, s, "hours.menu.none"),
        mode=tr(ctx, s, f"hours.menu.mode.{setting.off_hours.value}"),
    )
    rows = [[kb.button(tr(ctx, s, "admin.group_hours.set"), gkb.GroupHoursEdit(s.tid, ref))]]
    if setting.from_group:
        reset = gkb.GroupHoursReset(s.tid, ref)
        rows.append([kb.button(tr(ctx, s, "admin.group_hours.reset"), reset)])
    rows.append(back_row(ctx, s, ref))
    return Screen(text, kb.markup(rows))


async def on_hours(update: Update, ctx: Ctx, s: Session, data: gkb.GroupHours) -> None:
    await show(update, ctx, await hours_screen(ctx, s, data.group))


async def on_reset(update: Update, ctx: Ctx, s: Session, data: gkb.GroupHoursReset) -> str:
    group = await find_group(ctx.deps.store, s.tid, data.group)
    await ctx.deps.store.schedules.set_group(s.tid, group.id, hours="", holidays=[])
    await journal.note(update, ctx, s, "group.hours", f"{group_name(ctx, s.lang, group)}: -")
    await show(update, ctx, await hours_screen(ctx, s, data.group))
    return tr(ctx, s, "admin.group_hours.now_tenant")


async def start(update: Update, ctx: Ctx, s: Session, data: gkb.GroupHoursEdit) -> str:
    group = await find_group(ctx.deps.store, s.tid, data.group)
    name = group_name(ctx, s.lang, group)
    await dialog.begin(update, ctx, s, KIND, "admin.group_hours.ask", group=name)
    dialog.remember(ctx, group=data.group)
    return EDIT


async def got_hours(update: Update, ctx: Ctx, env: AdminEnv) -> object:
    """First line: the hours ("-" the tenant's); an optional second: the group's days off."""
    s = await dialog.current(update, ctx, env, KIND)
    if s is None:
        return ConversationHandler.END
    answer = await dialog.answer_text(ctx, s, update.effective_message)
    if answer is None:
        return EDIT
    ref = dialog.recall(ctx, "group")
    try:
        group = await find_group(ctx.deps.store, s.tid, ref)
    except Stale as stale:  # deleted while the admin was typing
        await dialog.finish(ctx, s.chat_id)
        await ctx.bot.send_message(s.chat_id, tr(ctx, s, stale.key))
        return ConversationHandler.END
    first, _, rest = answer.partition("\n")
    hours = "" if first.strip() in TENANTS else first.strip()
    holidays = rest.replace(",", " ").split() if rest.strip() and hours else []
    try:
        await ctx.deps.store.schedules.set_group(s.tid, group.id, hours=hours, holidays=holidays)
    except InvalidInput as exc:
        await dialog.ask(ctx, s, "hours.menu.bad_hours", error=str(exc))
        return EDIT
    await dialog.finish(ctx, s.chat_id)
    saved = await ctx.deps.store.schedules.effective(s.tid, group.id)
    detail = f"{group_name(ctx, s.lang, group)}: {saved.hours if saved.from_group else '-'}"
    await journal.note(update, ctx, s, "group.hours", detail)
    key = "hours.menu.saved" if hours else "admin.group_hours.now_tenant"
    await ctx.bot.send_message(s.chat_id, tr(ctx, s, key))
    await send_screen(ctx, s.chat_id, await hours_screen(ctx, s, ref))
    return ConversationHandler.END


ROUTES = {gkb.GroupHours: on_hours, gkb.GroupHoursReset: on_reset}
