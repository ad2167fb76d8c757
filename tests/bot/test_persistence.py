"""RedisPersistence contract, run on fakeredis and a real Redis: round trips and isolation."""

from __future__ import annotations

import pytest

from bot.persistence import RedisPersistence
from store.bot_state import BotState


@pytest.fixture(params=["fakeredis", "real-redis", "cluster", "sentinel"])
def redis_backend(request: pytest.FixtureRequest) -> str:
    """PTB's state must hold on a Cluster and behind Sentinel too."""
    return request.param


async def test_conversation_states_round_trip_and_end(redis):
    p = RedisPersistence(BotState(redis), bot_tg_id=1)
    await p.update_conversation("add_bot", (10, 20), "ASK_TOKEN")
    await p.update_conversation("add_bot", (11, 11), 3)
    await p.update_conversation("other", (10, 20), "X")

    again = RedisPersistence(BotState(redis), bot_tg_id=1)
    assert await again.get_conversations("add_bot") == {(10, 20): "ASK_TOKEN", (11, 11): 3}

    await again.update_conversation("add_bot", (10, 20), None)
    assert await p.get_conversations("add_bot") == {(11, 11): 3}
    assert await p.get_conversations("other") == {(10, 20): "X"}
    assert await p.get_conversations("never") == {}


async def test_two_bots_never_see_each_others_state(redis):
    one, two = RedisPersistence(BotState(redis), 1), RedisPersistence(BotState(redis), 2)
    await one.update_conversation("menu", (5, 5), "A")
    await one.update_user_data(5, {"name": "Касса"})
    await one.update_chat_data(-100, {"page": 2})

    assert await two.get_conversations("menu") == {}
    assert await two.get_user_data() == {}
    assert await two.get_chat_data() == {}
    assert await one.get_user_data() == {5: {"name": "Касса"}}
    assert await one.get_chat_data() == {-100: {"page": 2}}


async def test_user_and_chat_data_update_and_drop(redis):
    p = RedisPersistence(BotState(redis), 7)
    await p.update_user_data(1, {"step": 1})
    await p.update_user_data(1, {"step": 2, "nested": {"a": [1, 2]}})
    await p.update_user_data(2, {})  # empty data is not kept
    await p.update_chat_data(3, {"x": True})
    assert await p.get_user_data() == {1: {"step": 2, "nested": {"a": [1, 2]}}}

    await p.drop_user_data(1)
    await p.drop_chat_data(3)
    assert await p.get_user_data() == {}
    assert await p.get_chat_data() == {}


async def test_bot_data_and_callback_data_are_not_stored(redis):
    p = RedisPersistence(BotState(redis), 7)
    assert not p.store_data.bot_data and not p.store_data.callback_data
    await p.update_bot_data({"deps": "x"})
    assert await p.get_bot_data() == {}
    assert await p.get_callback_data() is None
    await p.flush()
    assert await redis.keys("*") == []
