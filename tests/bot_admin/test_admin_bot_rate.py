"""«⚡ Скорость рассылки»: a custom bot's pace from its card, paid presets only after a warning
about Telegram Stars, every change in the journal, stale and forged buttons answered politely."""

from __future__ import annotations

from bot.keyboards import admin as kb
from delivery.pacing import BotPace, Pace
from tests.bot_admin.conftest import buttons

STALE_BUTTON = "Эта кнопка устарела. Откройте меню: /menu"


async def _acme_bot(store, world, tenant):
    return await store.bots.add(tenant.id, "Acme", world.acme.token, "AcmeBot", world.acme.id)


async def _pace(store, world) -> Pace | None:
    return await BotPace.of(store).get(world.acme.id)


async def _open(me) -> None:
    await me.press("Боты")
    await me.press("Acme (@AcmeBot)")
    await me.press("⚡ Скорость рассылки")


async def test_free_and_paid_presets_from_the_bots_card(signed_in, world, store, acme):
    me, tenant = signed_in, acme[0]
    await _acme_bot(store, world, tenant)
    await _open(me)
    screen = await me.screen()
    assert "⚡ Скорость рассылки @AcmeBot" in screen
    assert "Сейчас: 30 сообщений в секунду, бесплатно." in screen
    assert "Telegram Stars" in screen
    assert await me.labels() == [
        "10/с", "20/с", "✅ 30/с", "⭐ 30/с", "⭐ 100/с", "⭐ 300/с", "⭐ 1000/с", "« К боту",
    ]  # fmt: skip

    assert await me.press("20/с") == "@AcmeBot: 20 сообщений в секунду, бесплатно."
    assert await _pace(store, world) == Pace(20.0, paid=False)
    assert "Сейчас: 20 сообщений в секунду, бесплатно." in await me.screen()
    assert "✅ 20/с" in await me.labels()

    # A paid preset asks first and changes nothing until it is confirmed.
    assert await me.press("⭐ 300/с") is None
    confirm = await me.screen()
    assert "Включить платную рассылку для @AcmeBot: 300 сообщений в секунду?" in confirm
    assert "Telegram Stars" in confirm and "с баланса бота" in confirm
    assert await _pace(store, world) == Pace(20.0, paid=False)
    await me.press("Нет, назад")
    assert "Сейчас: 20 сообщений в секунду" in await me.screen()
    await me.press("⭐ 300/с")
    notice = await me.press("Да, платная рассылка")
    assert notice == "@AcmeBot: 300 сообщений в секунду, платная рассылка (Telegram Stars)."
    assert await _pace(store, world) == Pace(300.0, paid=True)
    assert "Сейчас: 300 сообщений в секунду, платная рассылка ⭐." in await me.screen()

    # Back to a free rate at once; then back to the card.
    assert await me.press("10/с") == "@AcmeBot: 10 сообщений в секунду, бесплатно."
    assert await _pace(store, world) == Pace(10.0, paid=False)
    await me.press("К боту")
    assert "Бот: Acme" in await me.screen()

    # The journal: one entry per change, none for the question that was answered «Нет».
    entries = [(e.action, e.detail) for e in await store.audit.recent(tenant.id)]
    bot = f"@AcmeBot ({world.acme.id})"
    assert [e for e in entries if e[0] == "bot.pace"] == [
        ("bot.pace", f"{bot} 10/s"),
        ("bot.pace", f"{bot} 300/s paid"),
        ("bot.pace", f"{bot} 20/s"),
    ]
    await me.press("Боты")
    await me.press("Меню")
    await me.press("Журнал")
    assert f"скорость рассылки бота — {bot} 300/s paid" in await me.screen()


async def test_the_screen_shows_the_configured_default_rate(world, runtimes, store, acme, admin_of):
    from bot.handlers.admin.shared import AdminSettings

    await runtimes(admin_settings=AdminSettings(default_rate=12.0))
    await _acme_bot(store, world, acme[0])
    me = admin_of(world.default, await world.user("Админ"))
    await me.say(f"/admin {acme[1]}", answers=2)
    await _open(me)
    assert "Сейчас: 12 сообщений в секунду, бесплатно." in await me.screen()
    assert not [label for label in await me.labels() if label.startswith("✅")]


async def test_stale_and_forged_rate_buttons_get_a_notice_and_change_nothing(
    signed_in, world, store, acme, globex
):
    me, mine, other = signed_in, acme[0], globex[0]
    bot = await _acme_bot(store, world, mine)
    theirs = await store.bots.add(other.id, "G", world.globex.token, "GlobexBot", world.globex.id)
    forged = {
        kb.BotRateSet(mine.id, bot.id, 50, False): STALE_BUTTON,  # no such free preset
        kb.BotRateSet(mine.id, bot.id, 100, False): STALE_BUTTON,  # above 30 without paid
        kb.BotRateSet(mine.id, bot.id, 5000, True, True): STALE_BUTTON,  # no such paid one
        kb.BotRateSet(mine.id, "99", 10, False): "Этого бота уже нет в списке.",
        kb.BotRate(mine.id, "99"): "Этого бота уже нет в списке.",
        kb.BotRate(other.id, theirs.id): (
            "Вы не администратор этой компании. Войдите: /admin <ключ API>"
        ),
        kb.BotRateSet(other.id, theirs.id, 1000, True, True): (
            "Вы не администратор этой компании. Войдите: /admin <ключ API>"
        ),
    }
    garbage = ("abp:1:1:30:maybe:0", "abp:1:1:lots:1:1", "abr:1")
    message = await me.forge(*(p.pack() for p in forged), *garbage)
    for payload, expected in forged.items():
        assert await me.press_data(payload.pack(), message["message_id"]) == expected, payload
    for data in garbage:
        assert await me.press_data(data, message["message_id"]) == STALE_BUTTON, data
    assert await BotPace.of(store).get(world.acme.id) is None
    assert await BotPace.of(store).get(world.globex.id) is None
    assert [e for e in await store.audit.recent(mine.id) if e.action == "bot.pace"] == []
    assert (await me.messages())[-1]["text"] == "forged"


async def test_a_rate_button_of_a_deleted_bot_is_stale_and_its_pace_is_gone(
    signed_in, world, store, acme
):
    me, tenant = signed_in, acme[0]
    await _acme_bot(store, world, tenant)
    await _open(me)
    await me.press("⭐ 1000/с")
    await me.press("Да, платная рассылка")
    assert await _pace(store, world) == Pace(1000.0, paid=True)
    old = [data for _, data in buttons(await me.menu())]  # a screen left in the chat
    await me.press("К боту")
    await me.press("Удалить")
    await me.press("Да, удалить")
    assert await _pace(store, world) is None  # whoever adds @AcmeBot next starts free
    message = await me.forge(*old, kb.BotRateSet(tenant.id, "1", 300, True, True).pack())
    for data in [*old[:-1], kb.BotRateSet(tenant.id, "1", 300, True, True).pack()]:
        notice = await me.press_data(data, message["message_id"])
        assert notice == "Этого бота уже нет в списке.", data
    assert await _pace(store, world) is None


async def test_english_texts(world, runtimes, store, globex, admin_of):
    tenant, key = globex
    await runtimes()
    await store.bots.add(tenant.id, "Globex", world.globex.token, "GlobexBot", world.globex.id)
    me = admin_of(world.default, await world.user("Admin", lang="en"))
    await me.say(f"/admin {key}", answers=2)
    await me.press("Bots")
    await me.press("Globex (@GlobexBot)")
    await me.press("⚡ Broadcast speed")
    assert "Now: 30 messages per second, free." in await me.screen()
    await me.press("⭐ 100/s")
    assert "Telegram Stars from the bot's balance" in await me.screen()
    assert await me.press("Yes, paid broadcasts") == (
        "@GlobexBot: 100 messages per second, paid broadcasts (Telegram Stars)."
    )
    assert await BotPace.of(store).get(world.globex.id) == Pace(100.0, paid=True)
