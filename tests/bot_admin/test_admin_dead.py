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
