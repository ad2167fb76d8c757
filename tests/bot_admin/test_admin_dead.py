"""«Недоставленные»: the tenant's dead letters are counted, listed and sent again."""

from __future__ import annotations

from delivery.deadletters import DeadLetters
from delivery.outbox import Outbox


async def test_dead_letters_are_listed_and_retried(
    signed_in, world, store, acme, engine, eventually
):
    me, tenant = signed_in, acme[0]
    uid = await world.user("Анна")
    await world.tg.inject_fault("error_500", bot_id=world.default.id, chat_id=uid)
    await Outbox(store).service(tenant.id, uid, "Проверка связи")
    dead = DeadLetters(store.redis)

    async def buried() -> bool:
        return await dead.count(tenant.id) == 1

    await eventually(buried)
    await me.say("/menu")
    await me.press("Недоставленные (1)")
    screen = await me.screen()
    assert screen.startswith("Недоставленные сообщения: 1")
    assert f"chatid {uid}" in screen and "Проверка связи" in screen
    await world.tg.clear_faults()
    assert await me.press("Отправить снова все") == "Отправляем снова: 1."
    await world.receives(uid, world.default, "Проверка связи")
    assert "Все сообщения доставлены." in await me.screen()
    assert await dead.count(tenant.id) == 0


async def test_a_maybe_delivered_letter_is_shown_apart_and_resent_only_after_confirming(
    signed_in, world, store, acme, engine, eventually
):
    me, tenant = signed_in, acme[0]
    uid = await world.user("Борис")
    # Telegram stores the message but answers after the send timeout (2 s): maybe delivered.
    await world.tg.inject_fault(
        "timeout_after_store", bot_id=world.default.id, chat_id=uid, seconds=3, count=1
    )
    await Outbox(store).service(tenant.id, uid, "Счёт выставлен")
    dead = DeadLetters(store.redis)

    async def buried() -> bool:
        return await dead.count(tenant.id) == 1

    await eventually(buried)
    await me.say("/menu")
    await me.press("Недоставленные (1)")
    screen = await me.screen()
    assert "Возможно, доставлено" in screen and "требует подтверждения" in screen
    labels = await me.labels()
    assert not any("Отправить снова все" in label for label in labels)  # "all" leaves it out
    await me.press("↻ 1 (возможно, доставлено)")
    assert "Получатель может увидеть его дважды" in await me.screen()
    await me.press("Нет, назад")
    assert await dead.count(tenant.id) == 1  # nothing was resent
    await me.press("↻ 1 (возможно, доставлено)")
    assert await me.press("Да, отправить снова") == "Отправляем снова: 1."
    await eventually(lambda: _count(world, uid, 2))
    assert await dead.count(tenant.id) == 0


async def _count(world, uid: int, n: int) -> bool:
    return len(await world.tg.messages(uid)) >= n
