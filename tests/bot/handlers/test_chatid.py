"""/id: a chat learns its own chat id (a group its group id), tap-to-copy, in the command list."""

from __future__ import annotations

from telegram import Bot


async def test_a_private_chat_gets_its_own_id_to_copy(world, runtimes):
    await runtimes()
    uid = await world.user("Вера")
    answer = await world.ask(world.default, uid, "/id")
    assert answer.startswith(f"Ваш chat id: {uid}\n") and "Добавить пользователя" in answer
    (last,) = (await world.tg.messages(uid, world.default.id))[-1:]
    assert {"type": "code", "offset": 13, "length": len(str(uid))} in last["entities"]


async def test_in_a_group_it_is_the_groups_id(world, runtimes):
    await runtimes()
    admin = await world.user("Анна")
    group = await world.tg.create_group("Продажи", [admin], admins=[admin], bots=[world.default.id])
    gid = group["id"]
    answer = await world.ask(world.default, admin, "/id", chat_id=gid)
    assert answer.startswith(f"Chat id этой группы: {gid}\n")


async def test_english_and_in_the_command_menu_and_help(world, runtimes):
    await runtimes()
    uid = await world.user("Ann", lang="en")
    assert (await world.ask(world.default, uid, "/id")).startswith(f"Your chat id: {uid}")
    assert "/id — " in await world.ask(world.default, uid, "/help")
    async with Bot(world.default.token, base_url=f"{world.base_url}/bot") as bot:
        commands = [c.command for c in await bot.get_my_commands()]
    assert "id" in commands and "resume" in commands
