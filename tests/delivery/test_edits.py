"""Follow-up cards through the engine: every change edits every copy, under the limits."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import aiohttp
import pytest

from delivery import keys as dkeys
from delivery.edits import remember_copy
from delivery.fanout import FanOut
from delivery.intake import Intake
from delivery.policy import Limits, Options
from delivery.queue import Job, JobQueue, Kind
from delivery.routing import BotRef, Route, Router
from perezvon.metrics import Metrics
from perezvon.texts import Catalogue
from store import keys
from store.cards import Resolution, State, Step, due_member
from store.events import CallEvent, OutboundEvent


@pytest.fixture(params=["fakeredis", "real-redis", "cluster"])
def redis_backend(request: pytest.FixtureRequest) -> str:
    return request.param


CALLER = "+74951234567"


async def _call(world, call_id: str = "c1", caller: str = CALLER) -> None:
    receipt = await Intake(world.store).submit(
        world.tenant, CallEvent(call_id=call_id, caller=caller)
    )
    assert receipt.outcome == "accepted"


def _buttons(msg: dict) -> list[str]:
    rows = (msg.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b["text"] for row in rows for b in row]


async def _card(world, call_id: str = "c1"):
    async def found():
        return await world.store.followups.card_of_call(world.tenant.id, call_id)

    return await world.eventually(found)


async def _texts_when(world, chats, check, bot_id=None):
    async def probe():
        msgs = [(await world.tg.messages(c, bot_id))[-1] for c in chats]
        return msgs if all(check(m) for m in msgs) else None

    return await world.eventually(probe)


async def test_claim_then_call_back_edits_both_copies(world, make_engine):
    olga, petr = await world.subscriber("Ольга"), await world.subscriber("Пётр")
    engine = await make_engine()
    await _call(world)
    for chat in (olga, petr):
        [msg] = await world.tg.wait_for_messages(chat, 1)
        assert _buttons(msg) == ["Перезвоню", "Перезвонил(а)"]
    card = await _card(world)
    await world.eventually(lambda: _copies(world, card.id, 2))

    assert (await world.store.followups.claim(world.tenant.id, card.id, olga, "Ольга")).ok
    o, p = await _texts_when(world, (olga, petr), lambda m: "Берёт: Ольга" in m["text"])
    assert _buttons(o) == ["Перезвонил(а)", "Отказаться"] and _buttons(p) == ["Перезвонил(а)"]

    outbound = OutboundEvent(
        type="outbound", call_id="o1", callee="84951234567", extension="102", answered=True,
        talk_seconds=130,
    )  # fmt: skip
    [receipt] = await Intake(world.store).submit_followups(world.tenant, [outbound])
    assert receipt.outcome == "accepted"
    done = await _texts_when(world, (olga, petr), lambda m: "Перезвонили: Ольга" in m["text"])
    assert all(_buttons(m) == [] and "разговор 2 мин 10 с" in m["text"] for m in done)
    resolved = await world.store.followups.get(world.tenant.id, card.id)
    assert (resolved.state, resolved.resolution, resolved.extension) == (
        State.RESOLVED, Resolution.CALLED_BACK, "102"
    )  # fmt: skip
    await world.idle(engine)
    # One send and two edits per chat, nothing else.
    log = await world.tg.api_log(world.default["id"], "editMessageText")
    assert sorted(e["params"]["chat_id"] for e in log) == sorted([olga, petr] * 2)
    again = await Intake(world.store).submit_followups(world.tenant, [outbound])
    assert again[0].outcome == "duplicate"


async def _copies(world, card_id: str, n: int) -> bool:
    return len(await world.store.followups.copies(world.tenant.id, card_id)) == n


async def test_a_repeat_call_edits_the_open_card_instead_of_a_new_message(world, make_engine):
    a, b = await world.subscriber("A"), await world.subscriber("B")
    engine = await make_engine()
    await _call(world, "c1", "+74951234567")
    card = await _card(world)
    await world.eventually(lambda: _copies(world, card.id, 2))
    await _call(world, "c2", "8 (495) 123-45-67")  # the same caller, written otherwise
    await _texts_when(world, (a, b), lambda m: "Звонил 2 раз(а)" in m["text"])
    await world.idle(engine)
    assert [len(await world.tg.messages(c)) for c in (a, b)] == [1, 1]
    assert (await world.store.followups.get(world.tenant.id, card.id)).count == 2


async def test_a_deleted_copy_is_skipped_without_retries(world, make_engine):
    keep, gone = await world.subscriber("K"), await world.subscriber("G")
    engine = await make_engine()
    await _call(world)
    card = await _card(world)
    await world.eventually(lambda: _copies(world, card.id, 2))
    [msg] = await world.tg.messages(gone)
    url = f"{world.base_url}/bot{world.default['token']}/deleteMessage"
    async with aiohttp.ClientSession() as http:
        resp = await http.post(url, json={"chat_id": gone, "message_id": msg["message_id"]})
        assert (await resp.json())["ok"]
    await world.store.followups.resolve(world.tenant.id, card.id, Resolution.MANUAL, name="K")
    await _texts_when(world, (keep,), lambda m: "Перезвонили: K" in m["text"])
    await world.idle(engine)
    log = await world.tg.api_log(world.default["id"], "editMessageText")
    assert sorted(e["params"]["chat_id"] for e in log) == sorted([keep, gone])
    assert [c.chat for c in await world.store.followups.copies(world.tenant.id, card.id)] == [keep]


async def test_a_change_made_while_no_worker_runs_is_edited_after_the_restart(world, make_engine):
    a = await world.subscriber("A")
    engine = await make_engine()
    await _call(world)
    card = await _card(world)
    await world.eventually(lambda: _copies(world, card.id, 1))
    await world.idle(engine)
    await engine.stop()
    # The transition and its edit entry are one MULTI: a crash after it loses no edit.
    await world.store.followups.resolve(world.tenant.id, card.id, Resolution.GOT_THROUGH)
    await make_engine("w1")  # the same worker, restarted
    await _texts_when(world, (a,), lambda m: "дозвонился сам" in m["text"])


async def test_an_unclaimed_card_is_escalated_once_to_the_admins(world, make_engine, clock):
    sub = await world.subscriber("S")
    admin = await world.user("Admin")
    await world.store.admins.grant(world.tenant.id, admin)
    await world.store.tenants.set_options(world.tenant.id, escalate_after=15)
    world.tenant = await world.store.tenants.get(world.tenant.id)
    engine = await make_engine()
    await _call(world)
    card = await _card(world)
    await world.tg.wait_for_messages(sub, 1)
    clock.advance(15 * 60 + 1)
    [escalated] = await world.tg.wait_for_messages(admin, 1)
    assert "никто не взял за 15 мин" in escalated["text"]
    assert _buttons(escalated) == ["Перезвоню", "Перезвонил(а)"]
    await world.eventually(lambda: _copies(world, card.id, 2))
    await world.store.followups.claim(world.tenant.id, card.id, sub, "S")
    await _texts_when(world, (sub, admin), lambda m: "Берёт: S" in m["text"])
    await world.idle(engine)
    assert len(await world.tg.messages(admin)) == 1


async def test_the_groups_escalation_chat_gets_the_escalation_once(world, make_engine, clock):
    sub = await world.subscriber("S")
    admin = await world.user("Admin")
    await world.store.admins.grant(world.tenant.id, admin)
    room = await world.tg.create_group("Дежурные", admins=[admin], bots=[world.default["id"]])
    await world.store.groups.ensure(world.tenant.id, "default", notify=True)
    await world.store.groups.set_escalation_chat(world.tenant.id, "default", room["id"])
    await world.store.tenants.set_options(world.tenant.id, escalate_after=15)
    world.tenant = await world.store.tenants.get(world.tenant.id)
    engine = await make_engine()
    await _call(world)
    card = await _card(world)
    await world.tg.wait_for_messages(sub, 1)
    assert await world.tg.messages(room["id"]) == []  # the call itself goes to subscribers
    clock.advance(15 * 60 + 1)
    [escalated] = await world.tg.wait_for_messages(room["id"], 1)
    assert "никто не взял за 15 мин" in escalated["text"]
    assert _buttons(escalated) == ["Перезвоню", "Перезвонил(а)"]
    await world.tg.wait_for_messages(admin, 1)
    await world.eventually(lambda: _copies(world, card.id, 3))
    # Once: the same step due again (a second worker, a replay) sends nothing more.
    again = due_member(world.tenant.id, card.id, Step.ESCALATE)
    await world.store.redis.zadd(keys.FOLLOWUP_DUE, {again: clock.now - 1})

    async def taken():
        return await world.store.redis.zscore(keys.FOLLOWUP_DUE, again) is None

    await world.eventually(taken)
    await world.idle(engine)
    [still] = await world.tg.messages(room["id"])
    assert len(await world.tg.messages(room["id"])) == 1
    # Nothing changed since: the escalation keeps its header, unedited.
    assert "никто не взял за 15 мин" in still["text"]
    calls = await world.tg.api_log()
    edits = [c for c in calls if c["method"].lower().startswith("editmessage")]
    assert [e for e in edits if e["params"].get("chat_id") in (room["id"], admin)] == []
    # The escalation copy is edited like any other.
    await world.store.followups.claim(world.tenant.id, card.id, sub, "S")
    await _texts_when(world, (sub, admin, room["id"]), lambda m: "Берёт: S" in m["text"])
    await world.idle(engine)
    assert len(await world.tg.messages(room["id"])) == 1
    assert len(await world.tg.messages(admin)) == 1


async def test_copies_recorded_before_any_fan_out_get_one_edit_per_chat(store, clock, keys_of):
    """An escalation to two chats records both copies before a worker fans out an edit: each
    chat still gets ONE edit (a second finds nothing to change, yet waits for its chat's
    slot, 3 s in a group)."""
    tenant, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    card = (await store.followups.open_call(tenant.id, "c1", CALLER, "default", clock.now)).card
    bot = BotRef(7000000001, "7000000001:token")
    queue = JobQueue(store.redis, "w1", Limits())
    admin, room = 100000002, -400000001
    for message_id, chat in enumerate((admin, room), 1):
        sent = Job("", bot.tg_id, tenant.id, chat, Kind.ADMIN, "escalated", call=card.id)
        await remember_copy(store, queue, sent, Route(bot), {"message_id": message_id})
    # Then a worker fans out whatever the tenant's intake holds.
    fanout = FanOut(
        store, queue, Router(store, bot), Catalogue(), Metrics(store.redis), Options(), None,
        lambda: None,
    )  # fmt: skip
    stream = dkeys.intake(tenant.id)
    if await fanout.ensure_stream(tenant.id):
        for entry_id, fields in await store.redis.xrange(stream):
            await fanout.handle(stream, entry_id, fields)
    jobs = [
        await queue.load(key.rsplit(":", 1)[1])
        for key in await keys_of(store.redis, dkeys.job("*"))
    ]
    edits = Counter((j.bot, j.chat, j.call) for j in jobs if j is not None and j.kind is Kind.EDIT)
    assert edits == {(bot.tg_id, admin, card.id): 1, (bot.tg_id, room, card.id): 1}


async def test_a_call_back_before_the_fan_out_sends_the_card_already_resolved(world, make_engine):
    sub = await world.subscriber("S")
    await _call(world)
    # The employee called back before any worker fanned the missed call out.
    outbound = OutboundEvent(
        type="outbound", call_id="o1", callee="84951234567", extension="102", answered=True,
    )  # fmt: skip
    assert (await Intake(world.store).submit_followups(world.tenant, [outbound]))[0].outcome == (
        "accepted"
    )
    engine = await make_engine()
    [msg] = await world.tg.wait_for_messages(sub, 1)
    assert "Перезвонили: #102" in msg["text"] and _buttons(msg) == []
    card = await _card(world)
    assert (card.state, card.resolution) == (State.RESOLVED, Resolution.CALLED_BACK)
    await world.idle(engine)
    assert len(await world.tg.messages(sub)) == 1


async def test_300_copies_edited_after_one_resolution_within_the_token_bound(world, make_engine):
    """Telegram's own limits in the emulator: no 429, and the edits take about 300 / 30 s."""
    chats = [await world.subscriber(f"S{i}") for i in range(300)]
    engine = await make_engine(opts={"senders": 64})
    await _call(world)
    card = await _card(world)
    await world.eventually(lambda: _copies(world, card.id, len(chats)), within=30)
    await world.idle(engine, within=30)
    started = time.time()
    await world.store.followups.resolve(world.tenant.id, card.id, Resolution.MANUAL, name="A")

    async def all_edited():
        log = await world.tg.api_log(world.default["id"], "editMessageText")
        return log if len(log) >= len(chats) else None

    log = await world.eventually(all_edited, within=30)
    took = max(e["time"] for e in log) - started
    bound = len(chats) / Limits().bot_per_second
    assert took <= 1.05 * bound, (took, bound)
    statuses = [e["status"] for e in await world.tg.api_log(world.default["id"])]
    assert 429 not in statuses and len(log) == len(chats)


async def test_a_claim_left_unresolved_reminds_the_claimer_once(world, make_engine, clock):
    sub = await world.subscriber("S")
    engine = await make_engine()
    await _call(world)
    card = await _card(world)
    await world.tg.wait_for_messages(sub, 1)
    await world.store.followups.claim(world.tenant.id, card.id, sub, "S", remind_after=900)
    await _texts_when(world, (sub,), lambda m: "Берёт: S" in m["text"])
    clock.advance(901)
    _, reminder = await world.tg.wait_for_messages(sub, 2)
    assert "Вы обещали перезвонить: +74951234567" in reminder["text"]
    assert _buttons(reminder) == ["Перезвонил(а)", "Отказаться"]
    clock.advance(901)
    await asyncio.sleep(1.5)  # a due poll happens every second: nothing more is due
    await world.idle(engine)
    assert len(await world.tg.messages(sub)) == 2


async def test_an_unresolved_card_expires_after_the_window(world, make_engine, clock):
    sub = await world.subscriber("S")
    await make_engine()
    await _call(world)
    card = await _card(world)
    await world.tg.wait_for_messages(sub, 1)
    clock.advance(24 * 3600 + 1)
    [msg] = await _texts_when(world, (sub,), lambda m: "Не перезвонили за 24 ч" in m["text"])
    assert _buttons(msg) == []
    assert (await world.store.followups.get(world.tenant.id, card.id)).resolution == "expired"


async def test_a_copy_is_edited_by_the_bot_that_sent_it_even_when_switched_off(world, make_engine):
    custom = await world.custom_bot()
    sub = await world.subscriber("C", starts=(world.default, custom))
    engine = await make_engine()
    await _call(world)
    [sent] = await world.tg.wait_for_messages(sub, 1, bot_id=custom["id"])
    card = await _card(world)
    await world.eventually(lambda: _copies(world, card.id, 1))
    await world.store.bots.deactivate(world.tenant.id, custom["bid"])
    await world.store.followups.resolve(world.tenant.id, card.id, Resolution.MANUAL, name="C")
    await _texts_when(world, (sub,), lambda m: "Перезвонили: C" in m["text"], custom["id"])
    await world.idle(engine)
    assert await world.tg.messages(sub, world.default["id"]) == []
    assert (await world.tg.messages(sub, custom["id"]))[0]["message_id"] == sent["message_id"]
