"""«⚡ Скорость рассылки» of a custom bot: its rate and paid flag, free presets up to Telegram's
30/s, and paid ones up to 1000/s that ask first (charged in Telegram Stars)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, Update

from bot.context import Ctx
from bot.handlers.admin.bots import bot_of
from bot.handlers.admin.shared import Screen, Session, Stale, show, tr
from bot.keyboards import admin as kb
from delivery.pacing import BotPace, Pace
from store.models import CustomBot

FREE = (10, 20, 30)
PAID = (30, 100, 300, 1000)


def _rate(value: float) -> str:
    return f"{value:g}"


async def _pace(ctx: Ctx, s: Session, bot: CustomBot) -> Pace:
    own = await BotPace.of(ctx.deps.store).get(bot.tg_id)
    return own or Pace(s.env.settings.default_rate)


def _preset(
    ctx: Ctx, s: Session, bot: CustomBot, now: Pace, rate: int, paid: bool
) -> InlineKeyboardButton:
    label = tr(ctx, s, "admin.pace.paid" if paid else "admin.pace.free", rate=rate)
    if now == Pace(float(rate), paid):
        label = "✅ " + label
    return kb.button(label, kb.BotRateSet(s.tid, bot.id, rate, paid))


async def rate_screen(ctx: Ctx, s: Session, bid: str) -> Screen:
    bot = await bot_of(ctx, s, bid)
    now = await _pace(ctx, s, bot)
    mode = tr(ctx, s, "admin.pace.mode_paid" if now.paid else "admin.pace.mode_free")
    text = tr(
        ctx, s, "admin.pace.title", username=bot.username, rate=_rate(now.per_second), mode=mode
    )
    rows = [
        [_preset(ctx, s, bot, now, rate, False) for rate in FREE],
        [_preset(ctx, s, bot, now, rate, True) for rate in PAID],
        [kb.button(tr(ctx, s, "admin.pace.back"), kb.BotCard(s.tid, bot.id))],
    ]
    return Screen(text, kb.markup(rows))


def _confirm(ctx: Ctx, s: Session, bot: CustomBot, rate: int) -> Screen:
    rows = [
        [
            kb.button(
                tr(ctx, s, "admin.pace.confirm_yes"),
                kb.BotRateSet(s.tid, bot.id, rate, True, True),
            )
        ],
        [kb.button(tr(ctx, s, "admin.no"), kb.BotRate(s.tid, bot.id))],
    ]
    text = tr(ctx, s, "admin.pace.confirm", username=bot.username, rate=rate)
    return Screen(text, kb.markup(rows))


# --- buttons ----------------------------------------------------------------------------------


async def on_rate(update: Update, ctx: Ctx, s: Session, data: kb.BotRate) -> None:
    await show(update, ctx, await rate_screen(ctx, s, data.bot))


async def on_set(update: Update, ctx: Ctx, s: Session, data: kb.BotRateSet) -> str | None:
    if data.rate not in (PAID if data.paid else FREE):
        raise Stale("admin.stale.button")  # no button of ours carries this rate: forged
    bot = await bot_of(ctx, s, data.bot)
    if data.paid and not data.confirmed:
        await show(update, ctx, _confirm(ctx, s, bot, data.rate))
        return None
    await BotPace.of(ctx.deps.store).set(bot.tg_id, Pace.checked(float(data.rate), data.paid))
    await show(update, ctx, await rate_screen(ctx, s, bot.id))
    key = "admin.pace.set_paid" if data.paid else "admin.pace.set_free"
    return tr(ctx, s, key, username=bot.username, rate=data.rate)


ROUTES = {
    kb.BotRate: on_rate,
    kb.BotRateSet: on_set,
}
