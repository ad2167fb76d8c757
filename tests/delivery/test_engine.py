"""The engine against the emulator: who gets what, through which bot, and every answer."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from delivery import keys
from delivery.deadletters import DeadLetters
from delivery.intake import Intake
from delivery.outbox import Outbox
from delivery.pacing import Arrivals, BotPace, Pace
from delivery.policy import Limits
from delivery.queue import Claim, Job, JobQueue, Kind
from delivery.transport import REQUEST_LOGGER
from store.events import CallEvent
from store.models import BotStatus, SubStatus
from tg_emulator import RateLimits


@pytest.fixture(params=["fakeredis", "real-redis", "cluster"])
def redis_backend(request: pytest.FixtureRequest) -> str:
    """The engine holds on one Redis and on a Cluster (its queue in one slot, docs/redis.md)."""
    return request.param


async def _call(world, call_id: str = "c1", caller: str = "+74951234567", **extra) -> None:
    event = CallEvent(call_id=call_id, caller=caller, **extra)
    receipt = await Intake(world.store).submit(world.tenant, event)
    assert receipt.outcome == "accepted"


async def _count_at_least(get, n: int) -> bool:
    return len(await get()) >= n


async def _sent_count(world, chat: int, bot_id: int | None = None) -> int:
    return len(await world.tg.messages(chat, bot_id))


async def test_each_eligible_subscriber_gets_one_message(world, make_engine):
    store, tid = world.store, world.tenant.id
    active = await world.subscriber("A")
    muted = await world.subscriber("M")
    await store.subs.mute(tid, muted)
    disabled = await world.subscriber("D")
    await store.subs.admin_set(tid, disabled, enabled=False)
    other_group = await world.subscriber("S")
    await store.subs.set_groups(tid, other_group, frozenset({"sales"}))
    engine = await make_engine()
    await _call(world, wait_seconds=75, voicemail=True, caller_name="Пётр <Иванов>")
    [msg] = await world.tg.wait_for_messages(active, 1)
    await world.idle(engine)
    assert "Пропущенный вызов" in msg["text"] and "+74951234567" in msg["text"]
    assert "Компания: Acme" in msg["text"]  # the tenant's name: a chat may follow several
    assert "Пётр <Иванов>" in msg["text"] and "1 мин 15 с" in msg["text"]
    assert "голосовое" in msg["text"]
    for chat in (muted, disabled, other_group):
        assert await _sent_count(world, chat) == 0
    assert await _sent_count(world, active) == 1


async def test_custom_bot_when_started_else_default_with_a_one_time_hint(world, make_engine):
    custom = await world.custom_bot()
    both = await world.subscriber("B", starts=(world.default, custom))
    only_default = await world.subscriber("D")
    engine = await make_engine()
    await _call(world, "c1")
    [via_custom] = await world.tg.wait_for_messages(both, 1, bot_id=custom["id"])
    [first] = await world.tg.wait_for_messages(only_default, 1, bot_id=world.default["id"])
    assert "t.me" not in via_custom["text"]
    assert "https://t.me/acme_calls_bot?start=hi" in first["text"]
    await _call(world, "c2", caller="+74951234568")  # the same caller's would edit its card
    msgs = await world.tg.wait_for_messages(only_default, 2, bot_id=world.default["id"])
    await world.idle(engine)
    assert "t.me" not in msgs[1]["text"]
    assert await _sent_count(world, both, world.default["id"]) == 0


async def test_blocked_bot_marks_the_subscription_unreachable(world, make_engine):
    uid = await world.subscriber("X")
    await world.tg.block_bot(uid, world.default["id"])
    await make_engine()
    await _call(world)

    async def unreachable():
        return (await world.store.subs.get(world.tenant.id, uid)).status is SubStatus.UNREACHABLE

    await world.eventually(unreachable)
    assert await _sent_count(world, uid) == 0


async def test_cant_initiate_falls_back_to_a_bot_the_chat_started(world, make_engine):
    custom = await world.custom_bot()
    uid = await world.subscriber("X")  # started only the default bot in Telegram...
    await world.store.started.mark(custom["id"], uid)  # ...but our record says otherwise
    engine = await make_engine()
    await _call(world)
    [msg] = await world.tg.wait_for_messages(uid, 1, bot_id=world.default["id"])
    await world.idle(engine)
    assert "acme_calls_bot?start=hi" in msg["text"]
    assert not await world.store.started.has(custom["id"], uid)
    assert (await world.store.subs.get(world.tenant.id, uid)).status is SubStatus.ACTIVE


async def test_group_upgraded_to_supergroup_follows_and_gets_the_message(world, make_engine):
    member = await world.user("G")
    group = await world.tg.create_group("Sales", members=[member], bots=[world.default["id"]])
    old = group["id"]
    await world.store.subs.admin_add(world.tenant.id, old, "Sales chat")
    await world.store.started.mark(world.default["id"], old)
    new = await world.tg.upgrade_group(old)
    engine = await make_engine()
    await _call(world)
    [msg] = await world.tg.wait_for_messages(new, 1)
    await world.idle(engine)
    assert "Пропущенный вызов" in msg["text"]
    assert (await world.store.subs.get(world.tenant.id, new)).status is SubStatus.ACTIVE
    assert await world.store.subs.find(world.tenant.id, old) is None


async def test_revoked_custom_token_breaks_the_bot_and_the_default_bot_takes_over(
    world, make_engine
):
    custom = await world.custom_bot()
    uid = await world.subscriber("X", starts=(world.default, custom))
    admin = await world.user("Admin")
    await world.store.admins.grant(world.tenant.id, admin)
    await world.tg.revoke_token(custom["id"])
    engine = await make_engine()
    await _call(world)
    [msg] = await world.tg.wait_for_messages(uid, 1, bot_id=world.default["id"])
    [notice] = await world.tg.wait_for_messages(admin, 1, bot_id=world.default["id"])
    await world.idle(engine)
    assert "Пропущенный вызов" in msg["text"]
    assert "acme_calls_bot" in notice["text"] and "отклонил токен" in notice["text"]
    bot = await world.store.bots.get(world.tenant.id, custom["bid"])
    assert bot.status is BotStatus.BROKEN


async def test_server_errors_pause_the_token_not_the_message(world, make_engine):
    uid = await world.subscriber("X")
    await world.tg.inject_fault(
        "error_500", bot_id=world.default["id"], methods=["sendMessage"], count=2
    )
    engine = await make_engine(limits=Limits(private_burst=3))
    await _call(world)
    await world.tg.wait_for_messages(uid, 1)
    await world.idle(engine)
    sends = await world.tg.api_log(world.default["id"], "sendMessage")
    assert [e["status"] for e in sends] == [500, 500, 200]
    # the breaker opened for 0.05 s, its failed probe re-opened it for 0.1 s
    gaps = [b["time"] - a["time"] for a, b in itertools.pairwise(sends)]
    assert gaps[0] >= 0.04 and gaps[1] >= 0.09
    assert not await world.store.redis.exists(keys.breaker(world.default["id"]))


async def test_an_outage_delays_messages_in_order_and_dead_letters_only_expired_ones(
    world, make_engine, caplog
):
    caplog.set_level(logging.ERROR, logger=REQUEST_LOGGER)
    users = [await world.subscriber(f"U{i}") for i in range(3)]
    await world.tg.inject_fault("html_502", bot_id=world.default["id"])
    engine = await make_engine(limits=Limits.loose())
    for n in range(5):
        event = CallEvent(call_id=f"c{n}", caller=f"+7495123456{n}")
        assert (await Intake(world.store).submit(world.tenant, event)).outcome == "accepted"
    sends = lambda: world.tg.api_log(world.default["id"], "sendMessage")  # noqa: E731
    await world.eventually(lambda: _count_at_least(sends, 3))  # probes
    # Each probe met an HTML page PTB cannot parse: at most one line (with its traceback) a minute.
    assert len([r for r in caplog.records if r.name == REQUEST_LOGGER]) <= 1
    dead = DeadLetters(world.store.redis)
    assert await dead.count(world.tenant.id) == 0  # time passing alone buries nothing
    await world.tg.clear_faults()
    for uid in users:
        await world.tg.wait_for_messages(uid, 5)
    await world.idle(engine)
    for uid in users:
        texts = [m["text"] for m in await world.tg.messages(uid)]
        assert len(texts) == 5
        assert [next(n for n in range(5) if f"+7495123456{n}" in t) for t in texts] == [
            0,
            1,
            2,
            3,
            4,
        ]
    assert await dead.count(world.tenant.id) == 0


async def test_a_message_waiting_longer_than_max_wait_is_a_dead_letter_expired(world, make_engine):
    uid = await world.subscriber("X")
    await world.tg.inject_fault("html_502", bot_id=world.default["id"])
    await make_engine(limits=Limits(private_burst=3), opts={"max_wait": 1.5})
    await Outbox(world.store).service(world.tenant.id, uid, "hello")  # accepted now
    dead = DeadLetters(world.store.redis)
    await world.eventually(lambda: dead.count(world.tenant.id))
    [letter] = await dead.list(world.tenant.id)
    assert letter.chat_id == uid and letter.attempts == 0 and "expired" in letter.error
    assert not letter.maybe_sent
    await world.tg.clear_faults()
    assert await dead.retry(world.tenant.id) == 1  # an admin's retry starts its wait anew
    await world.tg.wait_for_messages(uid, 1)


async def test_timeout_counts_as_maybe_delivered_and_is_not_resent(world, make_engine):
    uid = await world.subscriber("X")
    await world.tg.inject_fault("timeout_after_store", bot_id=world.default["id"], seconds=3)
    await make_engine(opts={"send_timeout": 0.3})
    await _call(world)
    dead = DeadLetters(world.store.redis)
    await world.eventually(lambda: dead.count(world.tenant.id))
    [letter] = await dead.list(world.tenant.id)
    assert "may have been delivered" in letter.error and letter.maybe_sent
    assert await _sent_count(world, uid) == 1
    assert await dead.retry(world.tenant.id) == 0  # not without the admin's confirmation
    assert await dead.retry(world.tenant.id, letter.jid) == 0
    stats = await world.tg.stats(world.default["id"])
    assert stats["by_method"]["sendmessage"] == 1


async def test_429_pauses_the_token_and_the_message_follows(world, make_engine):
    uid = await world.subscriber("X")
    await world.tg.inject_fault("flood", bot_id=world.default["id"], count=1, retry_after=1)
    engine = await make_engine()
    await _call(world)
    await world.tg.wait_for_messages(uid, 1, timeout=5)
    await world.idle(engine)
    statuses = [e["status"] for e in await world.tg.api_log(world.default["id"], "sendMessage")]
    assert statuses == [429, 200]
    text = await engine.fanout._metrics.render()
    assert f'perezvon_telegram_429_total{{bot="{world.default["id"]}"}} 1' in text


async def test_after_a_429_nothing_already_claimed_goes_before_retry_after(world, make_engine):
    # At 30/s the next message's slot is 33 ms after the first: it is claimed (up to
    # `claim_ahead` early) before the first one's 429 comes back, and must not go out then.
    uids = [await world.subscriber(f"S{i}") for i in range(6)]
    await world.tg.inject_fault("flood", bot_id=world.default["id"], count=1, retry_after=2)
    engine = await make_engine()
    await _call(world)
    for uid in uids:
        await world.tg.wait_for_messages(uid, 1, timeout=15)
    await world.idle(engine)
    log = await world.tg.api_log(world.default["id"], "sendMessage")
    [flood] = [e for e in log if e["status"] == 429]
    after = [e["time"] - flood["time"] for e in log if e["time"] > flood["time"]]
    assert len(after) == len(uids)  # every message, each once
    assert min(after) >= 2.0 - 0.05  # the first one after the 429 waited out its retry_after


async def test_every_worker_holds_back_a_token_that_met_a_429(world, make_engine, store):
    await world.subscriber("X")
    bot = world.default["id"]
    await world.tg.inject_fault("flood", bot_id=bot, count=1, retry_after=3)
    engines = [await make_engine("w1"), await make_engine("w2")]
    await store.redis.publish(keys.PAUSED, "not a notice")  # ignored; the listener goes on
    await _call(world)

    async def both_paused() -> bool:
        return all(e.sender.paused(bot) for e in engines)

    # One worker met the 429; the other heard of it and holds back what it claimed ahead.
    await world.eventually(both_paused)
    assert not any(e.sender.paused(bot + 1) for e in engines)


async def test_new_group_is_announced_to_admins_with_the_injected_button(world, make_engine):
    admin = await world.user("Admin")
    await world.store.admins.grant(world.tenant.id, admin)

    def markup(tid: str, gid: str, *, lang: str = "ru", notify=False) -> InlineKeyboardMarkup:
        button = InlineKeyboardButton(f"On ({lang})", callback_data=f"g:{tid}:{gid}")
        return InlineKeyboardMarkup([[button]])

    engine = await make_engine(group_new_markup=markup)
    event = CallEvent(call_id="n1", caller="1", group="sales", group_name="Sales <dept>")
    await Intake(world.store).submit(world.tenant, event)
    [msg] = await world.tg.wait_for_messages(admin, 1)
    await world.idle(engine)
    assert "Sales <dept>" in msg["text"]
    button = msg["reply_markup"]["inline_keyboard"][0][0]
    assert button["callback_data"] == f"g:{world.tenant.id}:sales"
    assert button["text"] == "On (ru)"


async def test_new_group_button_is_in_the_tenants_language(world, make_engine):
    tenant, _ = await world.store.tenants.create("Acme US", "America/New_York", "en")
    admin = await world.user("Admin")
    await world.store.admins.grant(tenant.id, admin)

    def markup(tid: str, gid: str, *, lang: str = "ru", notify=False) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton(lang, callback_data=f"g:{gid}")]])

    engine = await make_engine(group_new_markup=markup)
    event = CallEvent(call_id="n1", caller="1", group="sales", group_name="Sales")
    await Intake(world.store).submit(tenant, event)
    [msg] = await world.tg.wait_for_messages(admin, 1)
    await world.idle(engine)
    assert msg["reply_markup"]["inline_keyboard"][0][0]["text"] == "en"


async def test_outbox_service_message_is_delivered_with_its_keyboard(world, make_engine):
    uid = await world.subscriber("X")
    engine = await make_engine()
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("OK", callback_data="ok")]])
    await Outbox(world.store).service(world.tenant.id, uid, "<b>Готово</b>", keyboard)
    [msg] = await world.tg.wait_for_messages(uid, 1)
    await world.idle(engine)
    assert msg["text"] == "Готово" and msg["entities"][0]["type"] == "bold"
    assert msg["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "ok"


async def test_outbox_followers_reach_every_active_follower_of_the_group_only(
    world, make_engine, store
):
    await store.groups.ensure(world.tenant.id, "sales", notify=True)
    everyone, sales_only, support_only, muted = [
        await world.subscriber(name) for name in ("all", "sales", "support", "muted")
    ]
    await store.subs.set_groups(world.tenant.id, sales_only, frozenset({"sales"}))
    await store.subs.set_groups(world.tenant.id, support_only, frozenset({"support"}))
    await store.subs.mute(world.tenant.id, muted)
    engine = await make_engine()
    await Outbox(store).followers(world.tenant.id, "sales", "Группа «Продажи» включена")
    for uid in (everyone, sales_only):
        [msg] = await world.tg.wait_for_messages(uid, 1)
        assert msg["text"] == "Группа «Продажи» включена"
    await world.idle(engine)
    assert await world.tg.messages(support_only) == [] and await world.tg.messages(muted) == []


@pytest.mark.parametrize("emu_limits", [RateLimits.loose()])
async def test_one_tenants_burst_does_not_hold_back_another(world, make_engine, store):
    other, _ = await store.tenants.create("Other", "Europe/Moscow", "en")
    a = await world.subscriber("A")
    b = await world.user("B")
    await store.subs.activate(other.id, b, "B")
    limits = Limits(bot_per_second=50, bot_burst=1, private_per_second=1e6, private_burst=10**6)
    engine = await make_engine(limits=limits)
    burst = [
        Job("", world.default["id"], world.tenant.id, a, Kind.SERVICE, f"a{i}") for i in range(200)
    ]
    await engine.queue.enqueue(burst)
    await world.tg.wait_for_messages(a, 3)
    await Outbox(store).service(other.id, b, "b")
    await world.tg.wait_for_messages(b, 1, timeout=2)
    events, _ = await world.tg.events()
    sent = [e["message"]["chat"]["id"] for e in events if e["kind"] == "sent"]
    # B's one message overtakes all but a handful of A's 200 (50/s on a shared bot).
    assert sent.index(b) < 20
    await engine.stop(grace=0.5)


async def test_a_claim_whose_answer_was_lost_is_handed_back(world, make_engine):
    uid = await world.subscriber("A")
    engine = await make_engine()
    real = engine.queue.claim_many
    lost: list[Job] = []

    async def claim_then_lose_the_answer(most: int, *args, **kwargs):
        jobs, wait = await real(most, *args, **kwargs)
        if jobs and not lost:
            lost.extend(jobs)  # claimed in Redis, but the worker never hears of it
            raise RedisConnectionError("Connection closed by server.")
        return jobs, wait

    engine.queue.claim_many = claim_then_lose_the_answer
    await _call(world)
    [msg] = await world.tg.wait_for_messages(uid, 1)
    assert lost and "Пропущенный вызов" in msg["text"]
    await world.idle(engine)
    assert await _sent_count(world, uid) == 1


# The lenient emulator model, as written: 10 messages to one chat need 9 s at 1/s on the strict
# one, longer than the test's 10 s wait after recovery.
@pytest.mark.parametrize("emu_limits", [RateLimits.lenient()])
async def test_an_outage_of_mixed_failures_loses_repeats_and_reorders_nothing(world, make_engine):
    users = [await world.subscriber(f"U{i}") for i in range(10)]
    bot = world.default["id"]
    await world.tg.inject_fault("html_502", bot_id=bot)
    engine = await make_engine(limits=Limits.loose())
    for n in range(10):
        event = CallEvent(call_id=f"m{n}", caller=f"+749512345{n:02d}")
        assert (await Intake(world.store).submit(world.tenant, event)).outcome == "accepted"
    sends = lambda: world.tg.api_log(bot, "sendMessage")  # noqa: E731
    await world.eventually(lambda: _count_at_least(sends, 3))
    await world.tg.clear_faults()
    await world.tg.inject_fault("drop", bot_id=bot, count=3)  # then dropped connections
    await world.tg.inject_fault("error_500", bot_id=bot, count=3)  # then 500s
    for uid in users:
        await world.tg.wait_for_messages(uid, 10, timeout=10)
    await world.idle(engine)
    for uid in users:
        texts = [m["text"] for m in await world.tg.messages(uid)]
        assert [next(n for n in range(10) if f"+749512345{n:02d}" in t) for t in texts] == list(
            range(10)
        )  # each once, in the order accepted
    assert await DeadLetters(world.store.redis).count(world.tenant.id) == 0


@pytest.mark.parametrize("emu_limits", [RateLimits.loose()])
async def test_a_backlog_paced_per_chat_leaves_in_order_after_the_breaker_closes(
    world, make_engine
):
    # More of one chat's messages wait than one claim moved back from the chat's `later` set
    # (64): a private chat at 10/s behind a fast bot, piled up while the breaker is open.
    users = [await world.subscriber(f"U{i}") for i in range(2)]
    bot = world.default["id"]
    await world.tg.inject_fault("html_502", bot_id=bot)
    engine = await make_engine(limits=Limits(bot_per_second=1000.0, private_per_second=10.0))
    total = 100
    for n in range(total):
        event = CallEvent(call_id=f"b{n}", caller=f"+74951{n:06d}")
        assert (await Intake(world.store).submit(world.tenant, event)).outcome == "accepted"
    sends = lambda: world.tg.api_log(bot, "sendMessage")  # noqa: E731
    await world.eventually(lambda: _count_at_least(sends, 3))  # open, probe, open again
    assert not await world.tg.messages(users[0])
    await world.tg.clear_faults()  # the next probe gets an answer and closes the breaker
    for uid in users:
        await world.tg.wait_for_messages(uid, total, timeout=30)
    await world.idle(engine)
    for uid in users:
        texts = [m["text"] for m in await world.tg.messages(uid)]
        order = [next(n for n in range(total) if f"+74951{n:06d}"[-6:] in t) for t in texts]
        assert order == list(range(total)), str(order)  # each once, in the order accepted
    assert not await world.store.redis.exists(keys.breaker(bot))


async def test_an_idle_engine_is_woken_by_the_queue_channel_not_its_poll(world, make_engine):
    """A dead letter retried from elsewhere (an admin's bot process) publishes the queue's
    wake-up: the idle dispatcher sends at once, long before its `idle_poll` would look."""
    uid = await world.subscriber("X")
    other = JobQueue(world.store.redis, "admin-side", Limits.loose())
    await other.enqueue([Job("", world.default["id"], world.tenant.id, uid, Kind.SERVICE, "again")])
    claim = await other.claim()
    assert isinstance(claim, Claim)
    assert await other.bury(await other.load(claim.jid), 10)
    await make_engine(limits=Limits.loose(), opts={"idle_poll": 30.0})
    await asyncio.sleep(0.3)  # idle: nothing queued
    started = time.monotonic()
    assert await DeadLetters(world.store.redis).retry(world.tenant.id) == 1
    [msg] = await world.tg.wait_for_messages(uid, 1, timeout=10)
    assert msg["text"] == "again"
    assert time.monotonic() - started < 5.0


async def test_a_running_engine_sends_a_paid_bot_at_its_own_rate_not_30_per_second(
    world, make_engine, store
):
    n = 150  # 5.2 s at the default 30/s (paced at 97 %)
    custom = await world.custom_bot()
    await world.tg.set_bot_limits(custom["id"], paid_per_second=1000)  # as Telegram: Stars
    for i in range(n):
        await world.subscriber(f"S{i}", starts=(custom,))
    engine = await make_engine(limits=Limits())  # the default limits: 30/s for every bot
    # Set while the engine runs, as `perezvon bot pace` or the admin menu does.
    await BotPace.of(store).set(custom["id"], Pace(1000.0, paid=True))
    started = time.monotonic()
    await _call(world)

    async def all_sent() -> bool:
        return (await world.tg.stats(custom["id"]))["messages_sent"] >= n

    await world.eventually(all_sent, within=20.0)
    elapsed = time.monotonic() - started
    await world.idle(engine)
    stats = await world.tg.stats(custom["id"])
    assert stats["paid_broadcasts"] == n and stats["too_many_requests"] == 0
    assert n / elapsed > 60, f"{n} sends took {elapsed:.2f} s"


async def test_a_send_waiting_for_its_arrival_window_holds_no_send_slot(world, make_engine, store):
    # One send slot. A custom bot's window is full (another process's 30 sends in flight):
    # its job waits for room holding only its claim slot; the send slot stays free.
    custom = await world.custom_bot()
    held = await world.subscriber("H", starts=(world.default, custom))
    elsewhere = Arrivals(store.redis, 30)
    for i in range(30):
        assert await elsewhere.try_enter(custom["id"], f"x{i}") == 0
    engine = await make_engine(opts={"senders": 1})

    async def claimed() -> bool:
        return (await engine.gauges())["delivery_in_flight"][1] == 1

    await _call(world)
    await world.eventually(claimed)
    await asyncio.sleep(0.3)  # it asks for its window again and again meanwhile
    assert await _sent_count(world, held) == 0
    assert not engine._sending.locked()  # the wait holds no send slot
    await store.redis.delete(keys.arrivals(custom["id"]))  # the other process's sends left
    await world.tg.wait_for_messages(held, 1, bot_id=custom["id"], timeout=5)
    await world.idle(engine)
