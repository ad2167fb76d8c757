"""Cards into forum topics, through the engine and the emulator: each bound group gets its own
topic on first use, later cards reuse it, and a forum the bot may not manage dead-letters."""

from __future__ import annotations

import zlib

import pytest
from telegram import Bot

from delivery.intake import Intake
from store.events import CallEvent


@pytest.fixture(params=["fakeredis", "real-redis", "cluster"])
def redis_backend(request: pytest.FixtureRequest) -> str:
    return request.param


def _caller(call_id: str) -> str:
    # One caller per call: a repeat caller's call updates the open card instead of a new one.
    return f"+7495{zlib.crc32(call_id.encode()) % 10**7:07d}"


async def _call(world, call_id: str, **extra) -> None:
    event = CallEvent(call_id=call_id, caller=_caller(call_id), **extra)
    assert (await Intake(world.store).submit(world.tenant, event)).outcome == "accepted"


async def _forum(world, *, admin: bool = True) -> int:
    owner = (await world.tg.create_user("Owner"))["id"]
    chat = await world.tg.create_group("Support", admins=[owner], supergroup=True)
    await world.tg.add_bot_to_chat(chat["id"], world.default["id"], admin=admin)
    await world.tg.make_forum(chat["id"])
    return chat["id"]


async def test_each_bound_group_gets_its_own_topic_once(world, make_engine):
    store, tid = world.store, world.tenant.id
    forum = await _forum(world)
    await store.groups.ensure(tid, "sales", "Продажи", notify=True)
    await store.topics.bind(tid, "sales", forum)
    await store.topics.bind(tid, "default", forum)
    follower = await world.subscriber("F")
    engine = await make_engine()
    await _call(world, "c1", group="sales")
    await _call(world, "c2", group="sales")
    await _call(world, "c3")
    cards = await world.tg.wait_for_messages(forum, 3, timeout=20)  # 20 a minute
    await world.idle(engine)
    sales = (await store.topics.binding(tid, "sales")).thread
    default = (await store.topics.binding(tid, "default")).thread
    assert sales and default and sales != default
    assert [m["message_thread_id"] for m in cards] == [sales, sales, default]
    callers = [_caller(c) for c in ("c1", "c2", "c3")]
    assert all(c in m["text"] for c, m in zip(callers, cards, strict=True))
    created = [c for c in await world.tg.api_log(method="createForumTopic") if c["status"] == 200]
    assert sorted(c["params"]["name"] for c in created) == ["Основная группа", "Продажи"]
    # The subscribers still get theirs, in the private chat, without a thread.
    assert len(await world.tg.messages(follower)) == 3


async def test_a_topic_survives_a_restart_and_an_unbound_group_stops(world, make_engine):
    store, tid = world.store, world.tenant.id
    forum = await _forum(world)
    await store.topics.bind(tid, "default", forum)
    # A stopped engine's last blocking read may still take the next entry: a short take-over
    # time hands it to the restarted one.
    fast_take_over = {"stale_intake_ms": 500}
    first = await make_engine(opts=fast_take_over)
    await _call(world, "c1")
    await world.tg.wait_for_messages(forum, 1, timeout=20)
    await world.idle(first)
    await first.stop(grace=1.0)
    second = await make_engine(opts=fast_take_over)  # the same worker, restarted
    await _call(world, "c2")
    cards = await world.tg.wait_for_messages(forum, 2, timeout=20)
    await world.idle(second)
    assert cards[0]["message_thread_id"] == cards[1]["message_thread_id"]
    assert len(await world.tg.api_log(method="createForumTopic")) == 1
    await store.topics.bind(tid, "default", None)
    await _call(world, "c3")
    await world.idle(second)
    assert len(await world.tg.messages(forum)) == 2


async def test_without_the_right_to_manage_topics_the_card_is_dead_lettered(world, make_engine):
    store, tid = world.store, world.tenant.id
    forum = await _forum(world, admin=False)
    await store.topics.bind(tid, "default", forum)
    engine = await make_engine()
    await _call(world, "c1")
    await world.idle(engine)
    assert await world.tg.messages(forum) == []
    assert (await engine.queue.depth()).dead == 1
    assert (await store.topics.binding(tid, "default")).thread is None


async def test_a_deleted_topic_is_made_again(world, make_engine):
    store, tid = world.store, world.tenant.id
    forum = await _forum(world)
    await store.topics.bind(tid, "default", forum)
    engine = await make_engine()
    await _call(world, "c1")
    [first] = await world.tg.wait_for_messages(forum, 1, timeout=20)
    await world.idle(engine)
    old = first["message_thread_id"]
    async with Bot(world.default["token"], base_url=f"{world.base_url}/bot") as bot:
        assert await bot.delete_forum_topic(forum, old)
    await _call(world, "c2")
    cards = await world.tg.wait_for_messages(forum, 2, timeout=20)
    await world.idle(engine)
    new = (await store.topics.binding(tid, "default")).thread
    assert new and new != old and cards[1]["message_thread_id"] == new


async def test_the_morning_digest_of_a_bound_group_goes_to_its_topic(world, make_engine):
    store, tid = world.store, world.tenant.id
    forum = await _forum(world)
    await store.topics.bind(tid, "default", forum)
    await store.schedules.set_tenant(tid, hours="Mon-Fri 12:00-18:00", off_hours="digest")
    engine = await make_engine()
    engine.digests.stopping = True
    await _call(world, "c1")
    await world.idle(engine)
    assert await world.tg.messages(forum) == []
    engine.digests.clock = lambda: 1_800_000_000.0 + 3600  # 12:00 in Moscow
    assert await engine.digests.tick() == 1
    [digest] = await world.tg.wait_for_messages(forum, 1, timeout=20)
    assert "нерабочее время: 1" in digest["text"]
    assert digest["message_thread_id"] == (await store.topics.binding(tid, "default")).thread


async def test_a_forum_the_bot_was_removed_from_is_unbound_and_the_admins_told(world, make_engine):
    store, tid = world.store, world.tenant.id
    forum = await _forum(world)
    await store.groups.ensure(tid, "sales", "Продажи", notify=True)
    await store.topics.bind(tid, "sales", forum, "Support")
    await store.topics.bind(tid, "default", forum, "Support")
    admin = await world.user("Admin")
    await store.admins.grant(tid, admin)
    follower = await world.subscriber("F")
    engine = await make_engine()
    await world.tg.kick_bot(forum, world.default["id"])  # no update reaches the bot
    await _call(world, "c1", group="sales")
    [notice] = await world.tg.wait_for_messages(admin, 1, timeout=20)
    await world.idle(engine)
    assert "«Support»" in notice["text"]
    assert "«Продажи»" in notice["text"] and "Основная" not in notice["text"]
    # Only the group whose card failed is unbound; the card still reached the subscriber and
    # nothing is dead-lettered (the forum is gone, not the message).
    assert await store.topics.binding(tid, "sales") is None
    assert (await store.topics.binding(tid, "default")).chat_id == forum
    assert len(await world.tg.messages(follower)) == 1
    assert (await engine.queue.depth()).dead == 0
    await _call(world, "c2", group="sales")
    await world.tg.wait_for_messages(follower, 2, timeout=20)
    await world.idle(engine)
    assert len(await world.tg.messages(admin)) == 1  # told once
    tries = [c for c in await world.tg.api_log() if c["params"].get("chat_id") == forum]
    assert [c["method"].lower() for c in tries] == ["createforumtopic"]  # tried once, never again
