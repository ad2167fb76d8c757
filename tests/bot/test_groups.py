"""Group chats: only the group's admins subscribe it, under the group's name."""

from __future__ import annotations

from store.models import SubStatus
from tests.intake_view import intake_fields

ACTIVATED = "Отправка уведомлений активирована."


async def test_a_group_admin_subscribes_the_group(world, runtimes, tenants, store):
    await runtimes()
    boss, clerk = await world.user("Босс"), await world.user("Клерк")
    group = await world.tg.create_group(
        "Отдел продаж", members=[clerk], admins=[boss], bots=[world.acme.id]
    )
    gid = group["id"]
    refused = await world.ask(world.acme, clerk, f"/activate {tenants['acme_key']}", gid)
    assert refused.startswith("В группе это может сделать только её администратор.")
    assert await store.subs.tenants_of_chat(gid) == []

    done = await world.ask(world.acme, boss, f"/activate@AcmeBot {tenants['acme_key']}", gid)
    assert done.startswith(ACTIVATED) and "«Старт»" not in done
    sub = await store.subs.get(tenants["acme"].id, gid)
    assert (sub.name, sub.status) == ("Отдел продаж", SubStatus.ACTIVE)
    muted = await world.ask(world.acme, boss, f"/mute {tenants['acme_key']}", gid)
    assert muted.startswith("Уведомления приостановлены")
    assert "Статус: Уведомления приостановлены" in await world.ask(
        world.acme, clerk, "/status", gid
    )


async def _leak_notices(store, tid: str) -> list[str]:
    entries = await intake_fields(store.redis, tid)
    return [
        f["text"]
        for f in entries
        if f.get("kind") == "admins" and f["tenant"] == tid and "Ключ API компании" in f["text"]
    ]


async def test_key_deletion_in_a_group_needs_the_right_and_says_the_key_is_visible(
    world, runtimes, tenants, store
):
    await runtimes()
    boss = await world.user("Босс")
    plain = await world.tg.create_group("Без прав", admins=[boss], bots=[world.acme.id])
    answer = await world.ask(world.acme, boss, f"/activate {tenants['acme_key']}", plain["id"])
    assert answer.startswith(ACTIVATED) and "удалено" not in answer
    assert await world.alive(plain["id"], world.acme, world.last_message_id)
    # Said plainly: everyone here can read the key; and the company's admins are told, once.
    assert "Ключ API видят все участники группы" in answer and "/id" in answer
    assert await _leak_notices(store, tenants["acme"].id) == [
        "⚠️ Ключ API компании «Acme» отправили в группу «Без прав», и бот не смог удалить "
        "сообщение: ключ видят все участники группы. Замените ключ: /admin → «Ключ для API» → "
        "«Заменить ключ»."
    ]
    await world.ask(world.acme, boss, f"/mute {tenants['acme_key']}", plain["id"])
    assert len(await _leak_notices(store, tenants["acme"].id)) == 1

    admin_bot = await world.tg.create_group("С правами", admins=[boss])
    await world.tg.add_bot_to_chat(admin_bot["id"], world.acme.id, admin=True)
    answer = await world.ask(world.acme, boss, f"/activate {tenants['acme_key']}", admin_bot["id"])
    assert "Сообщение с ключом удалено" in answer
    assert not await world.alive(admin_bot["id"], world.acme, world.last_message_id)


async def test_commands_for_other_bots_are_left_alone(world, runtimes, tenants):
    await runtimes()
    boss = await world.user("Босс")
    group = await world.tg.create_group(
        "Общий", admins=[boss], bots=[world.acme.id, world.default.id]
    )
    gid = group["id"]
    await world.tg.send_text("AcmeBot", boss, "/weather@SomeOtherBot", gid)
    await world.tg.send_text("AcmeBot", boss, "/frobnicate", gid)
    # The next addressed command is the first one answered.
    answer = await world.ask(world.acme, boss, "/frobnicate@AcmeBot", gid)
    assert answer == "Такой команды нет. Список команд: /help"
    assert len(await world.bot_texts(gid, world.acme)) == 1


async def test_when_telegram_will_not_say_who_is_admin_the_group_is_not_changed(
    world, runtimes, tenants, store
):
    runtime = await runtimes()
    boss = await world.user("Босс")
    group = await world.tg.create_group("Продажи", admins=[boss], bots=[world.acme.id])
    # Telegram fails to say who the group's admins are.
    await world.tg.inject_fault("error_500", methods=["getChatMember"])
    answer = await world.ask(world.acme, boss, f"/activate {tenants['acme_key']}", group["id"])
    assert answer.startswith("Не удалось проверить, что вы администратор группы.")
    assert await store.subs.tenants_of_chat(group["id"]) == []
    await runtime.reconcile()
    assert world.acme.id in runtime.serving  # a failed check is not a revoked token
