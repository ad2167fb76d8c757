"""«Ключ для API»: the key's prefix, and rotation after a confirmation. The new key is shown
once, in a message deleted after `key_visible` seconds; every other admin session ends."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot.context import Ctx
from bot.handlers.admin import announce, purge
from bot.handlers.admin.shared import Screen, Session, show, tr
from bot.keyboards import admin as kb


def key_screen(ctx: Ctx, s: Session) -> Screen:
    text = tr(ctx, s, "admin.key.title", prefix=s.tenant.key_prefix)
    rows = [
        [kb.button(tr(ctx, s, "admin.key.rotate"), kb.ApiKeyRotate(s.tid, False))],
        [kb.button(tr(ctx, s, "admin.back.menu"), kb.Menu(s.tid))],
    ]
    return Screen(text, kb.markup(rows))


async def on_key(update: Update, ctx: Ctx, s: Session, data: kb.ApiKey) -> None:
    await show(update, ctx, key_screen(ctx, s))


async def on_rotate(update: Update, ctx: Ctx, s: Session, data: kb.ApiKeyRotate) -> str | None:
    if not data.confirmed:
        rows = [
            [kb.button(tr(ctx, s, "admin.key.rotate_yes"), kb.ApiKeyRotate(s.tid, True))],
            [kb.button(tr(ctx, s, "admin.no"), kb.ApiKey(s.tid))],
        ]
        await show(update, ctx, Screen(tr(ctx, s, "admin.key.confirm"), kb.markup(rows)))
        return None
    store = ctx.deps.store
    tenant, api_key, ended = await store.rotate_key(s.tid)
    # Whoever rotated it holds the new key: their session goes on.
    await store.admins.grant(s.tid, s.chat_id)
    s = Session(s.env, tenant, s.lang, s.chat_id)
    await announce.sessions_ended(ctx, s, ended)
    minutes = max(1, round(s.env.settings.key_visible / 60))
    sent = await ctx.bot.send_message(
        s.chat_id,
        tr(ctx, s, "admin.key.new", key=api_key, minutes=minutes),
        parse_mode=ParseMode.HTML,
    )
    await purge.later(ctx, s.chat_id, sent.message_id, s.env.settings.key_visible)
    done = Screen(
        tr(ctx, s, "admin.key.rotated", prefix=tenant.key_prefix, minutes=minutes),
        kb.markup([[kb.button(tr(ctx, s, "admin.back.menu"), kb.Menu(s.tid))]]),
    )
    await show(update, ctx, done)
    return tr(ctx, s, "admin.key.rotated_short")


ROUTES = {
    kb.ApiKey: on_key,
    kb.ApiKeyRotate: on_rotate,
}
