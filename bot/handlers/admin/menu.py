"""Signing in with the API key (/admin <key>), the main menu, the tenant picker, /logout."""

from __future__ import annotations

import math

from telegram import Chat, Update

from bot.context import Ctx
from bot.handlers.admin import invites, journal, purge
from bot.handlers.admin.shared import (
    PAGE,
    AdminEnv,
    Screen,
    Session,
    authorize,
    clamp,
    my_tenants,
    pages,
    send_screen,
    serves,
    show,
    t,
    tr,
)
from bot.handlers.common import delete_quietly, user_lang
from bot.keyboards import admin as kb
from bot.keyboards import admin_followup as fkb
from bot.keyboards import admin_hours as hkb
from bot.keyboards import admin_pbx as pkb
from perezvon.texts import pick_lang
from store.crypto import API_KEY_PREFIX, looks_like_api_key
from store.models import Tenant


async def main_screen(ctx: Ctx, s: Session) -> Screen:
    store = ctx.deps.store
    custom = await store.bots.active(s.tid)
    via = f"@{custom.username}" if custom else f"@{ctx.deps.default.username}"
    body = [
        tr(ctx, s, "admin.menu.title", tenant=s.tenant.name),
        tr(
            ctx,
            s,
            "admin.menu.summary",
            groups=await store.groups.count(s.tid),
            users=await store.subs.count(s.tid),
            bot=via,
        ),
    ]
    rows = [
        [
            kb.button(tr(ctx, s, "admin.menu.groups"), kb.Groups(s.tid)),
            kb.button(tr(ctx, s, "admin.menu.users"), kb.Users(s.tid)),
        ],
        [
            kb.button(tr(ctx, s, "admin.menu.bots"), kb.Bots(s.tid)),
            kb.button(tr(ctx, s, "admin.menu.api_key"), kb.ApiKey(s.tid)),
        ],
        [
            kb.button(tr(ctx, s, "hours.menu.button"), hkb.Hours(s.tid)),
            kb.button(tr(ctx, s, "reports.menu.button"), hkb.Report(s.tid)),
        ],
    ]
    rows.append(invites.menu_row(ctx, s))  # «Пригласить», «Журнал»
    rows.append(
        [
            kb.button(tr(ctx, s, "pbx.menu"), pkb.Pbx(s.tid)),  # «Подключения АТС»
            kb.button(tr(ctx, s, "admin.followup.button"), fkb.FollowUp(s.tid)),  # «Перезвон»
        ]
    )
    dead = s.env.dead_letters
    if dead is not None:
        count = await dead.count(s.tid)
        rows.append([kb.button(tr(ctx, s, "admin.menu.dead", count=count), kb.Dead(s.tid))])
    last = []
    if len(await my_tenants(ctx, s.chat_id)) > 1:
        last.append(kb.button(tr(ctx, s, "admin.menu.tenants"), kb.Tenants(s.tid)))
    last.append(kb.button(tr(ctx, s, "admin.menu.logout"), kb.Logout(s.tid)))
    rows.append(last)
    return Screen("\n\n".join(body), kb.markup(rows))


def picker_screen(ctx: Ctx, lang: str, tenants: list[Tenant], page: int = 0) -> Screen:
    """Ten tenants a page (a chat may administer many: one button each would not fit)."""
    tenants = sorted(tenants, key=lambda tenant: (tenant.name.casefold(), tenant.id))
    page = clamp(page, len(tenants))
    shown = tenants[page * PAGE : (page + 1) * PAGE]
    rows = [[kb.button(tenant.name, kb.Menu(tenant.id))] for tenant in shown]
    if tenants:
        anchor = tenants[0].id  # the pager's presses are checked against a tenant of the chat
        label = t(ctx, lang, "admin.page", page=page + 1, pages=pages(len(tenants)))
        rows.append(kb.pager(page, pages(len(tenants)), lambda p: kb.TenantPage(anchor, p), label))
    return Screen(t(ctx, lang, "admin.pick_tenant"), kb.markup(rows))


async def open_menu(update: Update, ctx: Ctx, env: AdminEnv, chat_id: int) -> None:
    """The menu of the one tenant this chat administers, or the picker, or how to sign in."""
    lang = user_lang(update)
    tenants = await my_tenants(ctx, chat_id)
    if not tenants:
        await ctx.bot.send_message(chat_id, t(ctx, lang, "admin.login.how"))
        return
    if len(tenants) > 1:
        await send_screen(ctx, chat_id, picker_screen(ctx, lang, tenants))
        return
    session = await authorize(ctx, env, chat_id, tenants[0].id)
    if session is None:  # revoked between the two reads
        await ctx.bot.send_message(chat_id, t(ctx, lang, "admin.login.how"))
        return
    await send_screen(ctx, chat_id, await main_screen(ctx, session))


async def on_admin(update: Update, ctx: Ctx, env: AdminEnv) -> None:
    """/admin <key> signs in; /admin alone (or /menu) opens the menu."""
    chat = update.effective_chat
    if chat is None:
        return
    await purge.sweep(ctx)
    key = ctx.args[0] if ctx.args else None
    lang = user_lang(update)
    if chat.type != Chat.PRIVATE:
        if key is not None:
            await delete_quietly(update.effective_message)
        await ctx.bot.send_message(chat.id, t(ctx, lang, "admin.login.private_only"))
        return
    if key is None:
        await open_menu(update, ctx, env, chat.id)
        return
    deleted = await delete_quietly(update.effective_message)
    tenant, answer = await _sign_in(ctx, chat.id, key, lang)
    tail = [t(ctx, lang, "admin.login.key_deleted")] if deleted else []
    if tenant is None:
        await ctx.bot.send_message(chat.id, "\n\n".join([answer, *tail]))
        return
    session = await authorize(ctx, env, chat.id, tenant.id)
    assert session is not None
    await journal.note(update, ctx, session, "admin.login")
    greeting = tr(ctx, session, "admin.login.ok", tenant=tenant.name)
    if deleted:
        greeting += "\n\n" + tr(ctx, session, "admin.login.key_deleted")
    await ctx.bot.send_message(chat.id, greeting)
    await send_screen(ctx, chat.id, await main_screen(ctx, session))


async def _sign_in(ctx: Ctx, chat_id: int, key: str, lang: str) -> tuple[Tenant | None, str]:
    """Check the key under the same throttle as /activate; grant the session on success."""
    store = ctx.deps.store
    until = await store.throttle.blocked_until(chat_id)
    if until is None:
        tenant = await store.tenants.resolve_key(key) if looks_like_api_key(key) else None
        if tenant is not None and serves(ctx, tenant.id):
            await store.admins.grant(tenant.id, chat_id)
            return tenant, ""
        # On a custom bot another tenant's key is refused exactly like a wrong one: the bot's
        # owner reads what is typed to it and must not learn that the key works elsewhere.
        until = await store.throttle.failure(chat_id)
        if until is None:
            if not ctx.deps.me.is_default and looks_like_api_key(key):
                default = ctx.deps.default.username
                return None, t(ctx, lang, "admin.login.not_this_bot", bot=default)
            wrong = "admin.login.unknown" if looks_like_api_key(key) else "admin.login.malformed"
            return None, t(ctx, lang, wrong, prefix=API_KEY_PREFIX)
    minutes = max(1, math.ceil((until - ctx.deps.clock()) / 60))
    return None, t(ctx, lang, "admin.login.throttled", minutes=minutes)


async def on_menu(update: Update, ctx: Ctx, env: AdminEnv) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    await purge.sweep(ctx)
    if chat.type != Chat.PRIVATE:
        await ctx.bot.send_message(chat.id, t(ctx, user_lang(update), "admin.login.private_only"))
        return
    await open_menu(update, ctx, env, chat.id)


async def on_logout(update: Update, ctx: Ctx, env: AdminEnv) -> None:
    """/logout ends every admin session this chat has through this bot."""
    chat = update.effective_chat
    if chat is None:
        return
    tenants = await my_tenants(ctx, chat.id)
    for tenant in tenants:
        await ctx.deps.store.admins.revoke(tenant.id, chat.id)
    lang = pick_lang(tenants[0].lang) if len(tenants) == 1 else user_lang(update)
    key = "admin.logout.done" if tenants else "admin.logout.none"
    await ctx.bot.send_message(chat.id, t(ctx, lang, key))


# --- buttons ----------------------------------------------------------------------------------


async def on_main(update: Update, ctx: Ctx, s: Session, data: kb.Menu) -> None:
    await show(update, ctx, await main_screen(ctx, s))


async def on_tenants(update: Update, ctx: Ctx, s: Session, data: kb.Tenants) -> None:
    await show(update, ctx, picker_screen(ctx, s.lang, await my_tenants(ctx, s.chat_id)))


async def on_logout_button(update: Update, ctx: Ctx, s: Session, data: kb.Logout) -> str:
    await ctx.deps.store.admins.revoke(s.tid, s.chat_id)
    await show(update, ctx, Screen(tr(ctx, s, "admin.logout.tenant", tenant=s.tenant.name)))
    return tr(ctx, s, "admin.logout.done")


async def on_tenant_page(update: Update, ctx: Ctx, s: Session, data: kb.TenantPage) -> None:
    tenants = await my_tenants(ctx, s.chat_id)
    await show(update, ctx, picker_screen(ctx, s.lang, tenants, data.page))


ROUTES = {
    kb.Menu: on_main,
    kb.TenantPage: on_tenant_page,
    kb.Cancel: on_main,  # a «Cancel» outside any dialogue: back to the menu
    kb.Tenants: on_tenants,
    kb.Logout: on_logout_button,
}
