"""delivery/botpool.py: sends inside the arrival windows, and what a Redis blip may not do."""

from __future__ import annotations

import asyncio

from redis.exceptions import ConnectionError as RedisConnectionError

from delivery import botpool, keys
from delivery.botpool import BotPool
from delivery.pacing import Arrivals
from delivery.policy import Limits
from delivery.routing import BotRef

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360"
    "0000000200015de2b1b30000000049454e44ae426082"
)


class _LeaveFails(Arrivals):
    """The window is entered normally; Redis is gone when the send is over."""

    async def leave(self, bot, send, chat=None, answered=None, *, paid=False):
        raise RedisConnectionError("Connection reset by peer")


class _Counting(Arrivals):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.entered: list[tuple[int, int | None]] = []
        self.paid: list[bool] = []

    async def enter(self, bot, chat=None, *, paid=False):
        self.entered.append((bot, chat))
        self.paid.append(paid)
        return await super().enter(bot, chat, paid=paid)


async def _pool(world, arrivals: Arrivals) -> tuple[BotPool, BotRef]:
    pool = BotPool(world.base_url, 10.0, arrivals=arrivals)
    await pool.start()
    bot = BotRef(world.default["id"], world.default["token"])
    return pool, bot


async def test_a_send_that_arrived_stays_sent_when_redis_blips_on_leaving(world, store):
    uid = await world.subscriber("X")
    pool, bot = await _pool(world, _LeaveFails(store.redis, 30))
    try:
        message = await pool.call(bot, "sendMessage", {"chat_id": uid, "text": "hello"})
    finally:
        await pool.stop()
    assert message["text"] == "hello"
    assert [m["text"] for m in await world.tg.messages(uid)] == ["hello"]


async def test_an_upload_takes_the_same_windows_as_a_text(world, store):
    uid = await world.subscriber("X")
    arrivals = _Counting(store.redis, 30)
    pool, bot = await _pool(world, arrivals)
    try:
        await pool.upload(bot, "sendPhoto", {"chat_id": uid}, ("photo", "chart.png", PNG))
    finally:
        await pool.stop()
    assert arrivals.entered == [(world.default["id"], uid)]  # the bot's and the chat's window
    [message] = await world.tg.messages(uid)
    assert message["photo"]


async def test_a_paid_broadcast_takes_the_paid_window_and_its_chats(world, store):
    uid, other = await world.subscriber("X"), await world.subscriber("Y")
    arrivals = _Counting(store.redis, 30)
    pool, bot = await _pool(world, arrivals)
    try:
        await pool.call(
            bot, "sendMessage", {"chat_id": uid, "text": "paid", "allow_paid_broadcast": True}
        )
        await pool.call(bot, "sendMessage", {"chat_id": other, "text": "reply"})
    finally:
        await pool.stop()
    assert arrivals.entered == [(bot.tg_id, uid), (bot.tg_id, other)]
    assert arrivals.paid == [True, False]
    # each counted in its own window: the paid one in the bot's paid window only
    assert await store.redis.zcard(keys.paid_arrivals(bot.tg_id)) == 1
    assert await store.redis.zcard(keys.arrivals(bot.tg_id)) == 1
    assert [m["text"] for m in await world.tg.messages(uid)] == ["paid"]


async def test_a_send_admitted_ahead_uses_its_admission_and_an_unused_one_leaves(world, store):
    uid, other = await world.subscriber("X"), await world.subscriber("Y")
    arrivals = _Counting(store.redis, 30, chats=Limits())
    pool, bot = await _pool(world, arrivals)
    r = store.redis
    try:
        admitted = await pool.admit(bot.tg_id, uid, False)
        assert await r.zcard(keys.arrivals(bot.tg_id, uid)) == 1  # counted before the call
        await pool.call(bot, "sendMessage", {"chat_id": uid, "text": "hello"})
        assert arrivals.entered == [(bot.tg_id, uid)]  # the call asked no second time
        await pool.release(admitted)  # used: nothing to take back
        assert await r.zcard(keys.arrivals(bot.tg_id)) == 1
        unused = await pool.admit(bot.tg_id, other, False)
        assert await r.zcard(keys.arrivals(bot.tg_id)) == 2
        await pool.release(unused)  # never sent: out of the windows at once
        assert await r.zcard(keys.arrivals(bot.tg_id)) == 1
        assert await r.zcard(keys.arrivals(bot.tg_id, other)) == 0
        # Admitted in the free window, sent as a paid broadcast: it counts in the paid one
        # (the admission goes, so the chat's one place is free for it).
        await pool.admit(bot.tg_id, other, False)
        await pool.call(
            bot, "sendMessage", {"chat_id": other, "text": "paid", "allow_paid_broadcast": True}
        )
        assert await r.zcard(keys.arrivals(bot.tg_id)) == 1
        assert await r.zcard(keys.paid_arrivals(bot.tg_id)) == 1
        assert await r.zcard(keys.arrivals(bot.tg_id, other)) == 1
    finally:
        await pool.stop()
    assert [m["text"] for m in await world.tg.messages(other)] == ["paid"]


async def test_an_admission_serves_only_its_own_task_not_another_send_to_the_chat(world, store):
    # A job admitted for a chat waits for its send slot; meanwhile a card's edit to the same chat
    # (another task) must take its own turn in the chat's window, not the job's admission.
    uid = await world.subscriber("X")
    arrivals = _Counting(store.redis, 30, chats=Limits())
    pool, bot = await _pool(world, arrivals)
    admitted, go = asyncio.Event(), asyncio.Event()

    async def job() -> None:  # as the engine's task of one claimed job
        admission = await pool.admit(bot.tg_id, uid, False)
        admitted.set()
        await go.wait()  # waiting for a send slot
        await pool.call(bot, "sendMessage", {"chat_id": uid, "text": "own"})
        assert admission is not None
        await pool.release(admission)

    try:
        sending = asyncio.create_task(job())
        await admitted.wait()
        other = asyncio.create_task(
            pool.call(bot, "sendMessage", {"chat_id": uid, "text": "other"})
        )
        await asyncio.sleep(0.3)
        assert not other.done()  # waiting for the chat's window, held by the admission
        go.set()
        await asyncio.wait_for(asyncio.gather(sending, other), 10)
        assert arrivals.entered == [(bot.tg_id, uid), (bot.tg_id, uid)]
    finally:
        await pool.stop()
    assert [m["text"] for m in await world.tg.messages(uid)] == ["own", "other"]


async def test_a_stale_admission_is_given_up_and_the_call_asks_again(world, store, monkeypatch):
    uid = await world.subscriber("X")
    arrivals = _Counting(store.redis, 30, chats=Limits())
    pool, bot = await _pool(world, arrivals)
    try:
        await pool.admit(bot.tg_id, uid, False)
        monkeypatch.setattr(botpool, "ADMISSION_FRESH", 0.0)  # it waited too long for a slot
        await pool.call(bot, "sendMessage", {"chat_id": uid, "text": "late"})
        assert arrivals.entered == [(bot.tg_id, uid), (bot.tg_id, uid)]
        assert await store.redis.zcard(keys.arrivals(bot.tg_id, uid)) == 1  # the stale one left
    finally:
        await pool.stop()
