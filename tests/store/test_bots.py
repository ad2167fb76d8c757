"""Contract: custom bots, sealed tokens, uniqueness and the single active bot."""

import asyncio

import pytest

from store import Store, keys
from store.errors import InvalidInput, NotFound, TokenTaken
from store.models import BotStatus


@pytest.fixture
async def tid(store: Store) -> str:
    tenant, _ = await store.tenants.create("A", "UTC", "ru")
    return tenant.id


async def test_add_seals_the_token(store: Store, tid):
    bot = await store.bots.add(tid, "Sales bot", "12:secret-token", "sales_bot", 12)
    assert bot.status is BotStatus.OFF and bot.token == "12:secret-token"
    raw = await store.redis.hgetall(keys.bot(tid, bot.id))
    assert "12:secret-token" not in str(raw)
    assert "secret-token" not in repr(bot)


async def test_token_registered_once_across_tenants(store: Store, tid):
    other, _ = await store.tenants.create("B", "UTC", "ru")
    await store.bots.add(tid, "X", "12:same", "x_bot", 12)
    with pytest.raises(TokenTaken):
        await store.bots.add(other.id, "Y", "12:same", "y_bot", 12)
    assert await store.bots.owner_of_token("12:same") == (tid, "1")


async def test_activation_switches_the_others_off(store: Store, tid):
    a = await store.bots.add(tid, "A", "1:a", "a_bot", 1)
    b = await store.bots.add(tid, "B", "2:b", "b_bot", 2)
    _, replaced = await store.bots.activate(tid, a.id)
    assert replaced is None
    _, replaced = await store.bots.activate(tid, b.id)
    assert replaced == a.id
    statuses = {x.id: x.status for x in await store.bots.list(tid)}
    assert statuses == {a.id: BotStatus.OFF, b.id: BotStatus.ACTIVE}
    assert (await store.bots.active(tid)).id == b.id


async def test_one_active_even_under_concurrent_activations(store: Store, tid):
    bots = [await store.bots.add(tid, f"B{i}", f"{i}:t{i}", f"b{i}_bot", i) for i in range(8)]
    for _ in range(5):
        await asyncio.gather(*(store.bots.activate(tid, b.id) for b in bots))
        active = [b for b in await store.bots.list(tid) if b.status is BotStatus.ACTIVE]
        assert len(active) == 1


async def test_broken_deactivate_delete(store: Store, tid):
    a = await store.bots.add(tid, "A", "1:a", "a_bot", 1)
    await store.bots.activate(tid, a.id)
    broken = await store.bots.mark_broken(tid, a.id)
    assert broken.status is BotStatus.BROKEN and await store.bots.active(tid) is None
    again, _ = await store.bots.activate(tid, a.id)
    assert again.status is BotStatus.ACTIVE
    off = await store.bots.deactivate(tid, a.id)
    assert off.status is BotStatus.OFF and await store.bots.active(tid) is None
    await store.bots.activate(tid, a.id)
    assert await store.bots.delete(tid, a.id)
    assert await store.bots.active(tid) is None
    assert not await store.bots.delete(tid, a.id)
    assert await store.bots.owner_of_token("1:a") is None
    await store.bots.add(tid, "A again", "1:a", "a_bot", 1)  # the token is free again


async def test_unknown_bot_and_bad_name(store: Store, tid):
    with pytest.raises(NotFound):
        await store.bots.activate(tid, "42")
    with pytest.raises(NotFound):
        await store.bots.get(tid, "42")
    with pytest.raises(InvalidInput):
        await store.bots.add(tid, "  ", "1:a", "a", 1)
    with pytest.raises(NotFound):
        await store.bots.add("999", "X", "1:a", "a", 1)
    assert await store.bots.mark_broken(tid, "42") is None


async def test_all_active_follows_every_change(store: Store, tid):
    other, _ = await store.tenants.create("B", "UTC", "ru")
    a = await store.bots.add(tid, "A", "1:a", "a_bot", 1)
    b = await store.bots.add(tid, "B", "2:b", "b_bot", 2)
    c = await store.bots.add(other.id, "C", "3:c", "c_bot", 3)
    assert await store.bots.all_active() == []
    await store.bots.activate(tid, a.id)
    await store.bots.activate(other.id, c.id)
    assert {x.username for x in await store.bots.all_active()} == {"a_bot", "c_bot"}
    await store.bots.activate(tid, b.id)
    assert {x.username for x in await store.bots.all_active()} == {"b_bot", "c_bot"}
    await store.bots.mark_broken(other.id, c.id)
    await store.bots.delete(tid, b.id)
    assert await store.bots.all_active() == []
    await store.bots.activate(tid, a.id)
    await store.delete_tenant(tid)
    assert await store.bots.all_active() == []


async def test_changes_are_announced(store: Store, tid):
    pubsub = store.redis.pubsub()
    await pubsub.subscribe(keys.BOTS_CHANGED)
    await pubsub.get_message(timeout=1)  # the subscribe confirmation
    bot = await store.bots.add(tid, "A", "1:a", "a_bot", 1)
    await store.bots.activate(tid, bot.id)
    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=2)
    assert message is not None and message["channel"] == keys.BOTS_CHANGED
    await pubsub.aclose()


async def test_a_telegram_bot_belongs_to_one_tenant_and_its_token_can_be_renewed(store: Store, tid):
    other, _ = await store.tenants.create("B", "UTC", "ru")
    bot = await store.bots.add(tid, "Sales", "77:old-token", "sales_bot", 77)
    await store.bots.activate(tid, bot.id)
    await store.bots.mark_broken(tid, bot.id)
    # The same Telegram bot (id 77) with a re-issued token: another tenant may not take it.
    with pytest.raises(TokenTaken):
        await store.bots.add(other.id, "Mine", "77:new-token", "sales_bot", 77)
    renewed = await store.bots.add(tid, "Sales", "77:new-token", "sales_bot", 77)
    assert renewed.id == bot.id and renewed.token == "77:new-token"
    assert renewed.status is BotStatus.OFF
    assert await store.bots.owner_of_token("77:old-token") is None
    assert await store.bots.owner_of_token("77:new-token") == (tid, bot.id)
    assert len(await store.bots.list(tid)) == 1
    with pytest.raises(TokenTaken):
        await store.bots.add(tid, "Sales", "77:new-token", "sales_bot", 77)
    await store.bots.delete(tid, bot.id)
    assert (await store.bots.add(other.id, "Mine", "77:new-token", "sales_bot", 77)).id


async def test_bots_switched_off_are_retired_until_on_again_broken_or_deleted(store, clock):
    tenant, _ = await store.tenants.create("Acme", "UTC", "en")
    a = await store.bots.add(tenant.id, "A", "111:" + "a" * 35, "a_bot", 111)
    b = await store.bots.add(tenant.id, "B", "222:" + "b" * 35, "b_bot", 222)
    assert await store.bots.all_retired(0) == []  # never active: never said anything
    await store.bots.activate(tenant.id, a.id)
    await store.bots.activate(tenant.id, b.id)  # replaces a
    assert [x.id for x in await store.bots.all_retired(0)] == [a.id]
    await store.bots.deactivate(tenant.id, b.id)
    assert {x.id for x in await store.bots.all_retired(0)} == {a.id, b.id}
    await store.bots.activate(tenant.id, a.id)  # on again: delivers, not retired
    assert [x.id for x in await store.bots.all_retired(0)] == [b.id]
    await store.bots.mark_broken(tenant.id, a.id)  # its token answers nothing
    assert [x.id for x in await store.bots.all_retired(0)] == [b.id]
    clock.advance(100)
    assert await store.bots.all_retired(clock() - 50) == []  # switched off too long ago
    assert await store.redis.zcard(keys.RETIRED_BOTS) == 0
    await store.bots.activate(tenant.id, b.id)
    await store.bots.deactivate(tenant.id, b.id)
    await store.bots.delete(tenant.id, b.id)
    assert await store.bots.all_retired(0) == []


async def test_a_change_or_a_nudge_reaches_every_listener(store: Store):
    async with store.bots.changes() as first, store.bots.changes() as second:
        assert not await first.next(within=0.05)
        await store.bots.nudge("lease")
        assert await first.next(within=2.0) and await second.next(within=2.0)
        t, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
        bot = await store.bots.add(t.id, "Acme", "6161:tok", "AcmeBot", 6161)
        await store.bots.activate(t.id, bot.id)
        assert await asyncio.wait_for(first.next(within=2.0), 3.0)
