"""The batch route check of claimed jobs answers exactly what one `choose` per job would."""

from __future__ import annotations

import secrets

import pytest

from delivery.routing import BotRef, Router


@pytest.fixture(params=["fakeredis", "real-redis", "cluster"])
def redis_backend(request: pytest.FixtureRequest) -> str:
    return request.param


def _token(bot_id: int) -> str:
    return f"{bot_id}:{secrets.token_urlsafe(27)[:35]}"


async def test_choose_each_matches_choose_for_every_case(store):
    default = BotRef(5000001, _token(5000001))
    router = Router(store, default, cache_seconds=0.0)
    with_bot, _ = await store.tenants.create("Custom", "Europe/Moscow", "ru")
    plain, _ = await store.tenants.create("Plain", "Europe/Moscow", "ru")
    added = await store.bots.add(with_bot.id, "b", _token(5000002), "custom_bot", 5000002)
    await store.bots.activate(with_bot.id, added.id)
    await store.started.mark(5000002, 11)  # started the custom bot
    await store.started.mark(5000001, 12)  # started the default bot only
    await store.started.mark(5000001, 13)  # started both
    await store.started.mark(5000002, 13)
    wanted = [
        (tid, chat, tried)
        for tid in (with_bot.id, plain.id)
        for chat in (11, 12, 13, 14)
        for tried in ((), (5000002,), (5000001,), (5000001, 5000002))
    ]
    one_by_one = [await router.choose(tid, chat, tried) for tid, chat, tried in wanted]
    assert await router.choose_each(wanted) == one_by_one
    picked = {r.bot.tg_id for r in one_by_one if r is not None}
    assert picked == {5000001, 5000002} and None in one_by_one
