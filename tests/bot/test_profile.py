"""A bot's profile is sent to Telegram once, and again only when it changes."""

from __future__ import annotations

from bot.context import Command
from bot.profile import _digest, _plan
from perezvon.texts import Catalogue


async def _profile_calls(world, bot_id: int) -> int:
    by_method = (await world.tg.stats(bot_id))["by_method"]
    return sum(by_method.get(m, 0) for m in ("setmycommands", "setmydescription"))


async def test_a_restart_does_not_send_an_unchanged_profile_again(world, runtimes, tenants, store):
    first = await runtimes("one")
    await first.stop()
    sent = await _profile_calls(world, world.acme.id)
    assert sent == 4  # commands and description, in Russian and in English

    second = await runtimes("two")
    await second.stop()
    assert await _profile_calls(world, world.acme.id) == sent

    await store.profiles.forget(world.acme.id)  # e.g. a week has passed
    await runtimes("three")
    assert await _profile_calls(world, world.acme.id) == 2 * sent


def test_the_digest_changes_with_the_commands_and_the_bots_name():
    class FakeBot:
        def __init__(self, first_name: str) -> None:
            self.first_name = first_name

    texts = Catalogue()
    one = [
        Command("start", "bot.cmd.start", "bot.help.start"),
        Command("help", "bot.cmd.help", "bot.help.help"),
    ]
    two = [*one, Command("id", "chat.cmd.id", "chat.help.id")]
    acme, globex = FakeBot("Acme"), FakeBot("Globex")
    base = _digest(_plan(acme, texts, one, "ru"))
    assert base == _digest(_plan(acme, texts, list(one), "ru"))
    assert base != _digest(_plan(acme, texts, two, "ru"))
    assert base != _digest(_plan(globex, texts, one, "ru"))
    assert base != _digest(_plan(acme, texts, one, "en"))
