"""Card presses through real PTB against the emulator, with the delivery engine editing every
copy: the whole loop from a missed call to «Перезвонили» on both subscribers' cards."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from bot.keyboards.card import Act, CardAct
from connectors.asterisk.fake_ami import FakeAmiServer
from delivery.engine import DeliveryEngine
from delivery.intake import Intake
from delivery.policy import Limits, Options
from perezvon.ami_part import AmiSupervisor
from perezvon.metrics import Metrics
from perezvon.texts import Catalogue
from store.events import CallEvent, OutboundEvent


@pytest.fixture
async def loop_world(store, world, runtimes):
    """A Russian tenant, the bot runtime and one delivery worker on the emulator."""
    tenant, _ = await store.tenants.create("Ромашка", "Europe/Moscow", "ru")
    await runtimes()
    engine = DeliveryEngine(
        store, Metrics(store.redis), Catalogue(), api_base=world.base_url,
        default_token=world.default.token, consumer="w1", limits=Limits(),
        options=Options(intake_block_ms=100, idle_poll=0.2, route_cache_seconds=0.0),
    )  # fmt: skip
    await engine.start()
    yield tenant
    await engine.stop(grace=1.0)


async def _subscriber(world, store, tenant, name: str) -> int:
    uid = await world.user(name)
    await world.ask(world.default, uid, "/start")
    await store.subs.activate(tenant.id, uid, name)
    return uid


def _buttons(msg: dict) -> list[str]:
    rows = (msg.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b["text"] for row in rows for b in row]


async def _last(world, chat: int) -> dict:
    return (await world.tg.messages(chat, world.default.id))[-1]


async def _until(eventually, world, chats, check):
    async def probe():
        msgs = [await _last(world, c) for c in chats]
        return msgs if all(check(m) for m in msgs) else None

    return await eventually(probe)


async def _card_messages(world, store, tenant, eventually, chats) -> dict[int, dict]:
    receipt = await Intake(store).submit(tenant, CallEvent(call_id="c1", caller="84951234567"))
    assert receipt.outcome == "accepted"
    await _until(eventually, world, chats, lambda m: "Перезвоню" in _buttons(m))
    card = await store.followups.card_of_call(tenant.id, "c1")

    async def recorded():
        return len(await store.followups.copies(tenant.id, card.id)) == len(chats)

    await eventually(recorded)
    return {c: await _last(world, c) for c in chats}


async def test_missed_call_claim_and_call_back_through_every_copy(
    loop_world, world, store, eventually
):
    tenant = loop_world
    olga = await _subscriber(world, store, tenant, "Ольга")
    petr = await _subscriber(world, store, tenant, "Пётр")
    cards = await _card_messages(world, store, tenant, eventually, (olga, petr))

    press = await world.tg.press_button(
        world.default.username, olga, cards[olga]["message_id"], button=0
    )
    answer = await world.tg.wait_for_answer(press["callback_query_id"])
    assert "Вы перезвоните" in answer["text"]
    o, p = await _until(eventually, world, (olga, petr), lambda m: "Берёт: Ольга" in m["text"])
    assert _buttons(o) == ["Перезвонил(а)", "Отказаться"] and _buttons(p) == ["Перезвонил(а)"]

    outbound = OutboundEvent(
        type="outbound", call_id="o1", callee="+74951234567", extension="102", answered=True,
        talk_seconds=130,
    )  # fmt: skip
    await Intake(store).submit_followups(tenant, [outbound])
    done = await _until(
        eventually, world, (olga, petr), lambda m: "Перезвонили: Ольга (#102)" in m["text"]
    )
    assert all(_buttons(m) == [] for m in done)


async def test_two_employees_press_at_once_one_wins(loop_world, world, store, eventually):
    tenant = loop_world
    a = await _subscriber(world, store, tenant, "Анна")
    b = await _subscriber(world, store, tenant, "Борис")
    cards = await _card_messages(world, store, tenant, eventually, (a, b))
    presses = await asyncio.gather(
        *(
            world.tg.press_button(world.default.username, u, cards[u]["message_id"], button=0)
            for u in (a, b)
        )
    )
    answers = [(await world.tg.wait_for_answer(p["callback_query_id"]))["text"] for p in presses]
    assert sum("Вы перезвоните" in t for t in answers) == 1
    assert sum(t.startswith("Уже берёт:") for t in answers) == 1


async def test_foreign_and_stale_presses_change_nothing(loop_world, world, store, eventually):
    tenant = loop_world
    member = await _subscriber(world, store, tenant, "Вера")
    cards = await _card_messages(world, store, tenant, eventually, (member,))
    stranger = await world.user("Чужой")
    await world.ask(world.default, stranger, "/start")
    card = await store.followups.card_of_call(tenant.id, "c1")
    # A message with the card's button in a stranger's chat (as a stale bot message would be).
    forged = await _with_button(world, stranger, CardAct(tenant.id, card.id, Act.DONE).pack())
    press = await world.tg.press_button(world.default.username, stranger, forged, button=0)
    answer = await world.tg.wait_for_answer(press["callback_query_id"])
    assert "только сотрудники компании" in answer["text"]
    assert (await store.followups.get(tenant.id, card.id)).state == "open"
    # A card of a tenant that does not exist, or a card that does not: polite, no change.
    for data in (CardAct("999", card.id, Act.CLAIM), CardAct(tenant.id, "77", Act.CLAIM)):
        old = await _with_button(world, member, data.pack())
        press = await world.tg.press_button(world.default.username, member, old, button=0)
        assert "устарела" in (await world.tg.wait_for_answer(press["callback_query_id"]))["text"]
    assert (await store.followups.get(tenant.id, card.id)).state == "open"
    assert cards[member]["message_id"]


async def _with_button(world, chat: int, data: str) -> int:
    url = f"{world.base_url}/bot{world.default.token}/sendMessage"
    markup = {"inline_keyboard": [[{"text": "x", "callback_data": data}]]}
    async with aiohttp.ClientSession() as http:
        resp = await http.post(url, json={"chat_id": chat, "text": "old", "reply_markup": markup})
        return (await resp.json())["result"]["message_id"]


async def test_call_rings_the_extension_via_ami_originate_and_tells_the_outcome(
    loop_world, world, store, eventually
):
    tenant = loop_world
    server = await FakeAmiServer(secret="pw").start()
    await store.ami.add(tenant.id, server.host, server.port, "perezvon", "pw", False, dial=True)
    supervisor = AmiSupervisor(store, Intake(store), reconcile_every=0.05)
    await supervisor.start()
    try:
        olga = await _subscriber(world, store, tenant, "Ольга")
        petr = await _subscriber(world, store, tenant, "Пётр")
        assert "102" in await world.ask(world.default, olga, "/ext 102")
        cards = await _card_messages(world, store, tenant, eventually, (olga, petr))
        assert _buttons(cards[olga]) == ["📞 Позвонить", "Перезвоню", "Перезвонил(а)"]

        # Пётр has no extension: told how to set one; nothing is dialled, the card stays open.
        press = await world.tg.press_button(
            world.default.username, petr, cards[petr]["message_id"], button=0
        )
        answer = await world.tg.wait_for_answer(press["callback_query_id"])
        assert "/ext 102" in answer["text"] and answer.get("show_alert")

        press = await world.tg.press_button(
            world.default.username, olga, cards[olga]["message_id"], button=0
        )
        answer = await world.tg.wait_for_answer(press["callback_query_id"])
        assert answer["text"].startswith("Звоним на ваш телефон 102")
        told = await _until(eventually, world, (olga,), lambda m: "ответил" in m["text"])
        assert told[0]["text"] == "📞 Телефон 102 ответил: набираем 84951234567."
        [sent] = server.stats.originates
        assert (sent["Channel"], sent["Context"], sent["Exten"], sent["Async"]) == (
            "PJSIP/102",
            "from-internal",
            "84951234567",
            "true",
        )

        # Who calls has taken the call: every copy says so.
        async def claimed():
            copies = [await _message(world, c, cards[c]["message_id"]) for c in (olga, petr)]
            return copies if all("Берёт: Ольга" in m["text"] for m in copies) else None

        o, p = await eventually(claimed)
        assert _buttons(o)[0] == "📞 Позвонить" and _buttons(p) == ["Перезвонил(а)"]
        assert await store.dials.stranded(await _link_id(store)) == []
    finally:
        await supervisor.stop()
        await server.close()


async def _message(world, chat: int, message_id: int) -> dict:
    return next(
        m for m in await world.tg.messages(chat, world.default.id) if m["message_id"] == message_id
    )


async def _link_id(store) -> str:
    return (await store.ami.list())[0].id


async def test_call_that_the_phone_does_not_answer_is_told_politely(
    loop_world, world, store, eventually
):
    tenant = loop_world
    server = await FakeAmiServer(secret="pw", originate_reason="3").start()
    await store.ami.add(tenant.id, server.host, server.port, "perezvon", "pw", False, dial=True)
    supervisor = AmiSupervisor(store, Intake(store), reconcile_every=0.05)
    await supervisor.start()
    try:
        olga = await _subscriber(world, store, tenant, "Ольга")
        await store.subs.set_extension(tenant.id, olga, "102")
        cards = await _card_messages(world, store, tenant, eventually, (olga,))
        press = await world.tg.press_button(
            world.default.username, olga, cards[olga]["message_id"], button=0
        )
        await world.tg.wait_for_answer(press["callback_query_id"])
        told = await _until(eventually, world, (olga,), lambda m: "не ответил" in m["text"])
        assert "Телефон 102 не ответил" in told[0]["text"]
        assert len(server.stats.originates) == 1
    finally:
        await supervisor.stop()
        await server.close()
