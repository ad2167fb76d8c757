"""First contact: the runtime serves the default and the active custom bot."""

from __future__ import annotations


async def test_default_and_custom_bots_answer(world, runtimes, tenants):
    runtime = await runtimes()
    assert runtime.default_bot.id == world.default.id
    assert runtime.serving == {world.default.id, world.acme.id}
    user = await world.user("Анна")
    assert "/activate" in await world.ask(world.default, user, "/start")
    assert "/status" in await world.ask(world.acme, user, "/help")
