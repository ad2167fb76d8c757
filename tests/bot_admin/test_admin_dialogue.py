"""Typed inputs: cancelled by /cancel or the button, timed out politely (live and across a
restart), ended by any other menu button, and never swallowing a secret."""

from __future__ import annotations

import pytest

from bot.handlers.admin.shared import AdminSettings

TIMEOUT = "Время ввода истекло, ничего не сохранено."


async def test_cancel_button_and_command(signed_in, store, acme):
    me = signed_in
    await me.press("Пользователи")
    await me.press("Добавить пользователя")
    assert await me.press("Отмена") == "Отменено."
    assert (await me.screen()).startswith("Меню администратора")  # the prompt became the menu
    await me.press("Пользователи")
    await me.press("Добавить пользователя")
    await me.say("Анна")
    cancelled = await me.say("/cancel", answers=2)
    assert cancelled.startswith("Отменено.") and "Меню администратора" in cancelled
    assert "Я понимаю команды" in await me.say("12345")  # no dialogue any more
    assert await store.subs.count(acme[0].id) == 0
    assert await me.say("/cancel") == "Нечего отменять."
    # Only the newest prompt keeps a Cancel button.
    assert [m for m in await me.messages() if "Отмена" in str(m.get("reply_markup"))] == []


@pytest.mark.parametrize("settings", [AdminSettings(input_timeout=0.5)])
async def test_a_silent_dialogue_times_out_politely(signed_in, world, settings, store, acme):
    me = signed_in
    await me.press("Боты")
    await me.press("Добавить бота")
    await world.tg.wait_for_messages(me.uid, len(await me.messages()) + 1, bot_id=me.bot.id)
    assert (await me.messages())[-1]["text"].startswith(TIMEOUT)
    assert "Я понимаю команды" in await me.say("Мой бот")
    assert await store.bots.list(acme[0].id) == []


async def test_a_dialogue_restored_after_its_deadline_ends(world, runtimes, acme, clock, admin_of):
    first = await runtimes("one")
    me = admin_of(world.default, await world.user("Админ"))
    await me.say(f"/admin {acme[1]}", answers=2)
    await me.press("Пользователи")
    await me.press("Добавить пользователя")
    await first.stop()
    clock.advance(AdminSettings().input_timeout + 1)
    await runtimes("two")
    assert (await me.say("Анна")).startswith(TIMEOUT)


async def test_another_menu_button_ends_the_dialogue_and_does_its_job(signed_in):
    me = signed_in
    old = await me.menu()
    await me.say("/menu")
    await me.press("Пользователи")
    await me.press("Добавить пользователя")
    await me.say("Анна")  # now asked for the chatid
    await me.press("Группы", old)  # a button of an older menu message
    edited = next(m for m in await me.messages() if m["message_id"] == old["message_id"])
    assert edited["text"].startswith("Группы")
    assert "Я понимаю команды" in await me.say("12345")


async def test_switching_from_one_flow_to_the_other(signed_in):
    me = signed_in
    await me.say("/menu")
    await me.press("Пользователи")
    await me.press("Добавить пользователя")
    await me.say("/menu")
    await me.press("Боты")
    await me.press("Добавить бота")
    assert "Отправьте «Token»" in await me.say("Бот")


async def test_secrets_typed_as_a_name_are_deleted(signed_in, world, acme):
    me = signed_in
    await me.press("Пользователи")
    await me.press("Добавить пользователя")
    answer = await me.say(f"мой ключ {acme[1]}")
    assert "Сообщение удалено: это секрет. Введите ответ ещё раз." in answer
    records = await world.tg.message_records(me.uid, world.default.id, include_users=True)
    assert not [r for r in records["messages"] if acme[1] in r["message"].get("text", "")]
    assert "Введите «chatid»" in await me.say("Анна")
