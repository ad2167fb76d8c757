"""Every subscriber command and its error paths, end to end through PTB and the emulator."""

from __future__ import annotations

import re

import pytest

from store.models import SubStatus

ACTIVATED = "Отправка уведомлений активирована."


async def test_start_and_help_in_the_users_language(world, runtimes):
    await runtimes()
    ru, en = await world.user("Анна", "ru"), await world.user("Ann", "en")
    greeting = await world.ask(world.default, ru, "/start")
    assert greeting.startswith("Здравствуйте!") and "/activate <ключ API>" in greeting
    assert "«Ключ для API»" in greeting
    assert (await world.ask(world.default, en, "/start hi")).startswith("Hello!")

    help_ = await world.ask(world.default, ru, "/help")
    lines = [line for line in help_.splitlines() if line.startswith("/")]
    assert [line.split()[0] for line in lines] == [
        "/start", "/help", "/activate", "/mute", "/active", "/status", "/stop", "/resume", "/id",
        "/quiet", "/ext"
    ]  # fmt: skip
    assert "/activate <ключ API> —" in help_ and "Perezvon" in help_.splitlines()[0]


async def test_activate_through_the_default_bot(world, runtimes, tenants, store):
    await runtimes()
    user = await world.tg.create_user("Анна", username="anna", last_name="Ли", language_code="ru")
    uid = user["id"]
    answer = await world.ask(world.default, uid, f"/activate {tenants['acme_key']}")
    assert answer.startswith(ACTIVATED) and "Компания: Acme" in answer
    # Acme's own bot delivers, but this user never started it: say so.
    assert "@AcmeBot" in answer and "«Старт»" in answer
    assert "Сообщение с ключом удалено" in answer
    assert not await world.alive(uid, world.default, world.last_message_id)

    sub = await store.subs.get(tenants["acme"].id, uid)
    assert (sub.status, sub.name, sub.username) == (SubStatus.ACTIVE, "Анна Ли", "anna")
    assert await store.started.has(world.default.id, uid)


async def test_activate_through_the_tenants_own_bot_and_by_deep_link(world, runtimes, tenants):
    await runtimes()
    one, two = await world.user("Пётр"), await world.user("Ольга")
    answer = await world.ask(world.acme, one, f"/activate {tenants['acme_key']}")
    assert answer.startswith(ACTIVATED) and "«Старт»" not in answer
    deep = await world.ask(world.default, two, f"/start {tenants['acme_key']}")
    assert deep.startswith(ACTIVATED)
    assert not await world.alive(two, world.default, world.last_message_id)


@pytest.mark.parametrize("command", ["activate", "mute", "active"])
async def test_missing_key_explains_the_form(world, runtimes, command):
    await runtimes()
    uid = await world.user("Анна")
    answer = await world.ask(world.default, uid, f"/{command}")
    assert f"/{command} <ключ API>" in answer and "«Ключ для API»" in answer
    assert "администратор" in answer
    assert await world.alive(uid, world.default, world.last_message_id)  # nothing secret in it


async def test_malformed_and_unknown_keys_get_precise_help(world, runtimes, store):
    await runtimes()
    uid = await world.user("Анна")
    malformed = await world.ask(world.default, uid, "/activate 12345")
    assert "Это не ключ API" in malformed and "pzv_" in malformed
    assert "/activate <ключ API>" in malformed
    assert not await world.alive(uid, world.default, world.last_message_id)
    unknown = await world.ask(world.default, uid, "/mute pzv_" + "A" * 32)
    assert "Ключ не подошёл" in unknown and "/mute <ключ API>" in unknown
    assert await store.subs.tenants_of_chat(uid) == []


async def test_wrong_keys_throttle_the_chat_and_survive_a_restart(world, runtimes, tenants, clock):
    runtime = await runtimes()
    uid = await world.user("Анна")
    for i in range(5):
        assert "Ключ не подошёл" in await world.ask(world.default, uid, f"/activate pzv_{i:032d}")
        clock.advance(1)  # store.throttle counts attempts by timestamp: one per instant
    sixth = await world.ask(world.default, uid, "/activate pzv_" + "9" * 32)
    assert "Слишком много неверных ключей" in sixth and "через 10 мин" in sixth
    # Even the right key waits now, and a restart does not forget.
    await runtime.stop()
    await runtimes("two")
    locked = await world.ask(world.default, uid, f"/activate {tenants['acme_key']}")
    assert "Слишком много неверных ключей" in locked
    assert not await world.alive(uid, world.default, world.last_message_id)
    clock.advance(600)
    assert (await world.ask(world.default, uid, f"/activate {tenants['acme_key']}")).startswith(
        ACTIVATED
    )


async def test_mute_and_active(world, runtimes, tenants, store):
    await runtimes()
    uid = await world.user("Анна")
    key = tenants["acme_key"]
    not_yet = await world.ask(world.acme, uid, f"/mute {key}")
    assert "не подписан" in not_yet and "/activate <ключ API>" in not_yet
    await world.ask(world.acme, uid, f"/activate {key}")
    muted = await world.ask(world.acme, uid, f"/mute {key}")
    assert muted.startswith("Уведомления приостановлены") and "/active <ключ API>" in muted
    assert (await store.subs.get(tenants["acme"].id, uid)).status is SubStatus.MUTED
    resumed = await world.ask(world.acme, uid, f"/active {key}")
    assert resumed.startswith("Уведомления подключены") and "Компания: Acme" in resumed
    assert (await store.subs.get(tenants["acme"].id, uid)).status is SubStatus.ACTIVE


@pytest.mark.parametrize("command", ["activate", "active", "mute"])
async def test_disabled_by_admin_cannot_be_undone_by_the_user(
    world, runtimes, tenants, store, command
):
    await runtimes()
    uid = await world.user("Анна")
    tid = tenants["acme"].id
    await store.subs.admin_add(tid, uid, "Анна")
    await store.subs.admin_set(tid, uid, False)
    answer = await world.ask(world.acme, uid, f"/{command} {tenants['acme_key']}")
    assert answer.startswith("Отключено администратором")
    assert "только администратор вашей компании" in answer
    assert (await store.subs.get(tid, uid)).status is SubStatus.DISABLED


async def test_tenant_language_wins_over_the_users(world, runtimes, tenants):
    await runtimes()
    uid = await world.user("Анна", "ru")
    answer = await world.ask(world.default, uid, f"/activate {tenants['globex_key']}")
    assert answer.startswith("Notifications are activated.") and "Company: Globex" in answer


async def test_status_lists_every_subscription(world, runtimes, tenants, store, clock):
    await runtimes()
    uid = await world.user("Анна", "ru")
    alone = await world.ask(world.default, uid, "/status")
    assert "не подписан" in alone and f"chat id этого чата ({uid})" in alone
    await world.ask(world.default, uid, f"/activate {tenants['acme_key']}")
    await world.ask(world.default, uid, f"/activate {tenants['globex_key']}")
    await store.groups.ensure(tenants["globex"].id, "sales", "Продажи", notify=True)
    await store.subs.set_groups(tenants["globex"].id, uid, frozenset({"sales", "default"}))
    clock.advance(3600)
    await world.ask(world.default, uid, f"/mute {tenants['globex_key']}")

    status = await world.ask(world.default, uid, "/status")
    acme, globex, chat_id = status.split("\n\n")[1:4]
    assert chat_id == f"Chat id этого чата: {uid}"
    # 1_800_000_000 is 2027-01-15 08:00 UTC: 11:00 in Moscow, 14:00 in Yekaterinburg.
    assert acme.splitlines() == [
        "Acme",
        "Статус: Уведомления подключены",
        "С 15.01.2027 11:00",
        "Группы: все группы",
        "Присылает: @PerezvonBot (откройте @AcmeBot и нажмите «Старт», чтобы получать там)",
    ]
    assert globex.splitlines() == [
        "Globex",
        "Статус: Уведомления приостановлены",
        "С 15.01.2027 14:00",
        "Группы: Основная группа, Продажи",
        "Присылает: @PerezvonBot",
        "Возобновить: /resume",  # paused by the chat itself: no key needed
    ]
    # Once the user starts Acme's bot, that bot delivers.
    await world.ask(world.acme, uid, "/start")
    assert "Присылает: @AcmeBot" in await world.ask(world.acme, uid, "/status")


async def test_a_pasted_key_is_deleted_and_activates(world, runtimes, tenants, store):
    await runtimes()
    uid = await world.user("Анна")
    answer = await world.ask(world.acme, uid, f"вот ключ {tenants['acme_key']}")
    assert answer.startswith(ACTIVATED)
    assert not await world.alive(uid, world.acme, world.last_message_id)
    assert await store.subs.tenants_of_chat(uid) == [tenants["acme"].id]


async def test_a_pasted_bot_token_is_deleted(world, runtimes):
    await runtimes()
    uid = await world.user("Анна")
    answer = await world.ask(world.default, uid, world.globex.token)
    assert "токен бота" in answer
    assert not await world.alive(uid, world.default, world.last_message_id)
    assert world.globex.token not in "".join(await world.bot_texts(uid, world.default))


async def test_unknown_command_and_plain_text_point_to_help(world, runtimes):
    await runtimes()
    uid = await world.user("Ann", "en")
    assert "/help" in await world.ask(world.default, uid, "/frobnicate")
    assert "/help" in await world.ask(world.default, uid, "hello there")


async def test_commands_and_descriptions_are_registered_per_language(world, runtimes, tenants):
    from telegram import Bot

    await runtimes()
    for tg in (world.default, world.acme):
        bot = Bot(tg.token, base_url=f"{world.base_url}/bot")
        async with bot:
            ru = [c.command for c in await bot.get_my_commands()]
            en = await bot.get_my_commands(language_code="en")
            description = (await bot.get_my_description()).description
            en_short = (await bot.get_my_short_description(language_code="en")).short_description
        assert ru == [
            "start", "help", "activate", "mute", "active", "status", "stop", "resume", "id",
            "quiet", "ext"
        ]  # fmt: skip
        assert en[2].description == "Turn notifications on: /activate <API key>"
        name = "Perezvon" if tg is world.default else "Acme"
        assert description == (
            f"{name} позволяет получать уведомления о пропущенных вызовах от вашей виртуальной АТС."
        )
        assert en_short == "Missed-call notifications from your virtual PBX."


async def test_a_failing_handler_answers_politely(world, runtimes, tenants):
    await runtimes()
    uid = await world.user("Анна")
    # The first answer fails with a 500; the error handler's apology goes through.
    await world.tg.inject_fault("error_500", bot_id=world.acme.id, methods=["sendMessage"], count=1)
    answer = await world.ask(world.acme, uid, "/help")
    assert answer == "Что-то пошло не так. Попробуйте ещё раз чуть позже."
    assert re.search(r"/status", await world.ask(world.acme, uid, "/help"))
