"""Fan-out failures: an accepted call is never silently dropped, and nothing spins."""

from __future__ import annotations

import asyncio
import json
import secrets
import time

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from delivery import keys
from delivery.engine import DeliveryEngine
from delivery.intake import Intake
from delivery.outbox import Outbox
from delivery.policy import Limits, Options
from perezvon.metrics import Metrics
from perezvon.texts import Catalogue
from store import intake
from store import keys as store_keys
from store.events import CallEvent
from tests.delivery.conftest import eventually

CHAT = 4242


@pytest.fixture(params=["fakeredis", "real-redis", "cluster"])
def redis_backend(request: pytest.FixtureRequest) -> str:
    return request.param


def _engine(store, **opts) -> DeliveryEngine:
    token = f"{secrets.randbelow(10**8) + 10**8}:{secrets.token_urlsafe(26)}"
    return DeliveryEngine(
        store,
        Metrics(store.redis),
        Catalogue(),
        api_base="http://127.0.0.1:9",
        default_token=token,
        consumer="w1",
        options=Options(**opts),
    )


async def _accepted_call(store) -> tuple[DeliveryEngine, str, str, dict[str, str]]:
    tenant, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    await store.subs.activate(tenant.id, CHAT, "A")
    engine = _engine(store, intake_attempts=3)
    receipt = await Intake(store).submit(tenant, CallEvent(call_id="c1", caller="+74951234567"))
    assert receipt.outcome == "accepted"
    stream, entry_id, fields = await _read_one(store, engine, tenant.id)
    return engine, stream, entry_id, fields


async def _read_one(store, engine, tid: str) -> tuple[str, str, dict[str, str]]:
    stream = keys.intake(tid)
    assert await engine.fanout.ensure_stream(tid)
    [[_, [(entry_id, fields)]]] = await store.redis.xreadgroup(keys.GROUP, "w1", {stream: ">"})
    return stream, entry_id, fields


async def _pending(store, stream: str) -> int:
    return (await store.redis.xpending(stream, keys.GROUP))["pending"]


async def test_a_bug_while_fanning_out_leaves_the_call_pending_for_a_retry(store, monkeypatch):
    engine, stream, entry_id, fields = await _accepted_call(store)

    async def broken(*_args, **_kw):
        raise RuntimeError("a bug, or a secret that does not decrypt")

    monkeypatch.setattr(store.calls, "get", broken)
    assert await engine.fanout.handle(stream, entry_id, fields) == 0
    assert await _pending(store, stream) == 1
    assert (await engine.queue.depth()).queued == 0
    monkeypatch.undo()
    assert await engine.fanout.handle(stream, entry_id, fields) == 1
    assert await _pending(store, stream) == 0
    assert await store.redis.llen(keys.DEAD_INTAKE) == 0


async def test_an_entry_failing_every_try_goes_to_the_dead_intake_record(store, monkeypatch):
    engine, stream, entry_id, fields = await _accepted_call(store)

    async def broken(*_args, **_kw):
        raise RuntimeError("still broken")

    monkeypatch.setattr(store.calls, "get", broken)
    for _ in range(2):
        await engine.fanout.handle(stream, entry_id, fields)
        assert await _pending(store, stream) == 1
    await engine.fanout.handle(stream, entry_id, fields)
    assert await _pending(store, stream) == 0
    [raw] = await store.redis.lrange(keys.DEAD_INTAKE, 0, -1)
    record = json.loads(raw)
    assert record["id"] == entry_id and record["fields"]["call_id"] == "c1"
    assert record["tries"] == 3 and "still broken" in record["error"]
    assert (await engine.gauges())["delivery_dead_intake"][1] == 1


async def test_a_malformed_entry_is_dead_lettered_at_once_not_dropped(store):
    tenant, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    engine = _engine(store)
    fields = {"kind": "service", "tenant": tenant.id, "chat": "not a number", "text": "hi"}
    await store.redis.xadd(keys.intake(tenant.id), fields)
    stream, entry_id, got = await _read_one(store, engine, tenant.id)
    assert await engine.fanout.handle(stream, entry_id, got) == 0
    assert await _pending(store, stream) == 0
    [raw] = await store.redis.lrange(keys.DEAD_INTAKE, 0, -1)
    assert json.loads(raw)["error"].startswith("malformed")


async def test_a_job_whose_routing_raises_backs_off_instead_of_spinning(world, make_engine):
    uid = await world.subscriber("X")
    engine = await make_engine(limits=Limits.loose(), opts={"failure_backoff": 0.1})
    real = engine.sender.routes
    calls: list[float] = []

    async def broken(jobs):
        calls.append(time.monotonic())
        raise RuntimeError("routing bug")

    engine.sender.routes = broken
    await Outbox(world.store).service(world.tenant.id, uid, "hello")
    await world.eventually(lambda: _true(len(calls) >= 3))
    # 0.1 s, then 0.2 s held before the claims went back: no hot loop.
    assert calls[2] - calls[0] >= 0.25
    engine.sender.routes = real
    [msg] = await world.tg.wait_for_messages(uid, 1)
    assert msg["text"] == "hello"


async def _true(value: bool) -> bool:
    return value


async def _queued(engine, n: int, within: float = 10.0) -> None:
    async def enough() -> bool:
        return (await engine.queue.depth()).queued >= n

    await eventually(enough, within=within)


async def test_a_dead_workers_entry_and_a_lost_mark_are_found_again(store):
    """A worker died holding one entry; another entry's mark was lost in a crash: a new
    worker's start-up sweep and take-over fan both out, and the index ends empty."""
    tenant, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    await store.subs.activate(tenant.id, CHAT, "A")
    engine = _engine(store, stale_intake_ms=300, intake_block_ms=50)
    await Intake(store).submit(tenant, CallEvent(call_id="c1", caller="+74951234567"))
    assert await engine.fanout.ensure_stream(tenant.id)
    await store.redis.xreadgroup(keys.GROUP, "ghost", {keys.intake(tenant.id): ">"})
    async with store.redis.pipeline(transaction=True) as pipe:
        intake.append(intake.ServiceEntry(tenant.id, CHAT, "hello"), pipe)  # never marked
        await pipe.execute()
    for ready in await store.intake.ready():
        await store.intake.settle(ready)
    await engine.fanout.ensure_group()  # what start() does: the sweep
    task = asyncio.create_task(engine.fanout.run())
    try:
        await _queued(engine, 2)
    finally:
        engine.fanout.stopping = True
        engine.fanout.wake()
        await asyncio.wait_for(task, 5)
    assert await store.redis.xlen(keys.intake(tenant.id)) == 0
    assert (await store.redis.xpending(keys.intake(tenant.id), keys.GROUP))["pending"] == 0


async def test_an_idle_worker_wakes_for_a_new_entry_and_settles_the_index(store):
    tenant, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    await store.subs.activate(tenant.id, CHAT, "A")
    engine = _engine(store, intake_block_ms=5_000)
    task = asyncio.create_task(engine.fanout.run())
    try:
        await asyncio.sleep(0.2)  # idle, waiting for a wake-up
        await Outbox(store).service(tenant.id, CHAT, "hello")
        engine.fanout.wake()  # what the engine's listener does on the wake channel
        await _queued(engine, 1, within=2.0)  # well before the 5 s poll

        async def settled() -> bool:
            return not await store.intake.ready()

        await eventually(settled, within=2.0)
    finally:
        engine.fanout.stopping = True
        engine.fanout.wake()
        await asyncio.wait_for(task, 5)


async def test_a_farewell_entry_becomes_one_job_per_chat(store):
    tenant, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    bot = await store.bots.add(tenant.id, "Acme", "5151:tok", "AcmeBot", 5151)
    engine = _engine(store)
    await Outbox(store).farewell(bot, [101, 102, 103], "bye")
    stream, entry_id, got = await _read_one(store, engine, tenant.id)
    assert got["kind"] == "farewell" and got["bot"] == "5151"
    assert "tok" not in json.dumps(got)  # the token stays sealed in the store, not in the entry
    assert await engine.fanout.handle(stream, entry_id, got) == 3
    assert (await engine.queue.depth()).queued == 3


@pytest.mark.parametrize(
    "broken",
    [{"bot": "AcmeBot"}, {"chats": "101,x"}, {"chats": ""}, {"text": ""}],
    ids=["bot", "chat", "no chats", "no text"],
)
async def test_a_malformed_farewell_is_dead_lettered(store, broken):
    tenant, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    engine = _engine(store)
    fields = {"kind": "farewell", "tenant": tenant.id, "bot": "5151", "chats": "101", "text": "b"}
    await store.redis.xadd(keys.intake(tenant.id), {**fields, **broken})
    stream, entry_id, got = await _read_one(store, engine, tenant.id)
    assert await engine.fanout.handle(stream, entry_id, got) == 0
    [raw] = await store.redis.lrange(keys.DEAD_INTAKE, 0, -1)
    assert json.loads(raw)["error"].startswith("malformed")


async def test_a_running_engine_is_woken_by_the_intake_channel_not_its_poll(world, make_engine):
    """Another process appends (the Outbox publishes the wake-up): the idle worker fans the
    entry out at once, long before its `intake_block_ms` poll would have looked."""
    uid = await world.subscriber("X")
    await make_engine(limits=Limits.loose(), opts={"intake_block_ms": 30_000})
    await asyncio.sleep(0.3)  # idle: waiting on the wake-up
    started = time.monotonic()
    await Outbox(world.store).service(world.tenant.id, uid, "woken")
    [msg] = await world.tg.wait_for_messages(uid, 1, timeout=10)
    assert msg["text"] == "woken"
    assert time.monotonic() - started < 5.0


async def test_an_append_racing_the_settle_is_read_after_the_removal(store):
    """The worker's read found nothing, then an append and its mark came before the removal:
    the read after the removal finds the entry, so the tenant is not lost from the index."""
    tenant, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    await store.subs.activate(tenant.id, CHAT, "A")
    engine = _engine(store)
    await Outbox(store).service(tenant.id, CHAT, "late")  # appended and marked
    assert await engine.fanout.ensure_stream(tenant.id)
    [ready] = await store.intake.ready()
    assert await engine.fanout._settle(keys.intake(tenant.id), ready)
    assert await store.intake.ready() == []  # removed: the entry was handled instead
    assert (await engine.queue.depth()).queued == 1


async def test_an_older_ingest_writing_the_old_stream_after_start_is_moved_by_a_sweep(store):
    """A rolling upgrade: this worker started (and drained the old single stream), then an
    ingest of the older version appends there again: the next sweep moves it, nothing strands."""
    tenant, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    await store.subs.activate(tenant.id, CHAT, "A")
    engine = _engine(store, stale_intake_ms=200, intake_block_ms=50)
    await engine.fanout.ensure_group()
    fields = {"kind": "service", "tenant": tenant.id, "chat": str(CHAT), "text": "late"}
    await store.redis.xadd(store_keys.LEGACY_INTAKE, fields)
    task = asyncio.create_task(engine.fanout.run())
    try:
        await _queued(engine, 1)
    finally:
        engine.fanout.stopping = True
        engine.fanout.wake()
        await asyncio.wait_for(task, 5)
    assert not await store.redis.exists(store_keys.LEGACY_INTAKE)


async def test_a_worker_dying_between_chunks_leaves_one_job_per_subscriber(store):
    """A big call goes into the queue in chunks; the worker dies after the second: the next
    life (or a taker) reads the entry again and queues only the rest."""
    tenant, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    chats = [CHAT + n for n in (5, 3, 9, 1, 7, 2, 8, 4, 6, 10)]
    for chat in chats:
        await store.subs.activate(tenant.id, chat, "S")
    dying = _engine(store)
    dying.queue.chunk = 3
    chunk, calls = dying.queue._chunk, []

    async def killed_after_two_chunks(*args):
        calls.append(args)
        if len(calls) > 2:
            raise RedisConnectionError("the worker is gone")
        return await chunk(*args)

    dying.queue._chunk = killed_after_two_chunks
    await Intake(store).submit(tenant, CallEvent(call_id="big", caller="+74951234567"))
    stream, entry_id, fields = await _read_one(store, dying, tenant.id)
    with pytest.raises(RedisConnectionError):
        await dying.fanout.handle(stream, entry_id, fields)
    assert (await dying.queue.depth()).queued == 6
    assert await _pending(store, stream) == 1
    again = _engine(store)
    again.queue.chunk = 3
    assert await again.fanout.handle(stream, entry_id, fields) == 4
    jobs = [await store.redis.hget(k, "c") async for k in store.redis.scan_iter(f"{keys.P}:job:*")]
    assert sorted(map(int, jobs)) == sorted(chats)
    assert await _pending(store, stream) == 0
    assert await again.fanout.handle(stream, entry_id, fields) == 0


async def test_one_turn_fans_out_several_tenants_side_by_side_and_settles_them(store):
    """The cause of 0.4-0.6 s at 100 calls/s (docs/delivery.md, "End to end"): one entry
    at a time, a worker's fan-out waited for Redis ~21 times per call, so its wall time, not
    its CPU, capped its rate; and each drained tenant cost one more turn before its settle.
    Now one turn reads one new entry of each of several tenants, fans them out side by side,
    settles the drained ones in the same turn and wakes the other workers once."""
    tenants = []
    for n in range(3):
        tenant, _ = await store.tenants.create(f"T{n}", "Europe/Moscow", "ru")
        await store.subs.activate(tenant.id, CHAT + n, "A")
        tenants.append(tenant)
    for n, tenant in enumerate(tenants):
        event = CallEvent(call_id=f"c{n}", caller=f"+7495123456{n}")
        assert (await Intake(store).submit(tenant, event)).outcome == "accepted"
    engine = _engine(store)
    fan = engine.fanout
    for tenant in tenants:
        assert await fan.ensure_stream(tenant.id)
    # This worker has no entries of a previous life to read first: new ones from the start.
    fan._own_read.update(keys.intake(t.id) for t in tenants)
    inflight = most = 0
    handle = fan.handle

    async def counted(*args, **kw):
        nonlocal inflight, most
        inflight += 1
        most = max(most, inflight)
        try:
            return await handle(*args, **kw)
        finally:
            inflight -= 1

    wakes = []
    publish = fan._r.publish

    async def published(channel, message):
        wakes.append(channel)
        return await publish(channel, message)

    fan.handle = counted  # type: ignore[method-assign]
    fan._r.publish = published  # type: ignore[method-assign]
    try:
        left = await fan._turn(await store.intake.ready(), refresh=True)
    finally:
        del fan.handle
        del fan._r.publish
    assert most == 3  # side by side, not one after another
    assert (await engine.queue.depth()).queued == 3
    assert left == [] and await store.intake.ready() == []  # settled in the same turn
    assert wakes == [keys.WAKE]
