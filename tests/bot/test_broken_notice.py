"""A revoked custom-bot token noticed by the runtime reaches the tenant's admins, once."""

from __future__ import annotations

import asyncio

import pytest

from bot.broken import tell_admins_once
from delivery import keys as delivery_keys
from delivery.outbox import Outbox
from perezvon.texts import Catalogue
from store.models import BotStatus
from tests.intake_view import intake_fields


async def _admin_notices(store, tid: str) -> list[str]:
    entries = await intake_fields(store.redis, tid)
    return [f["text"] for f in entries if f.get("kind") == "admins" and f["tenant"] == tid]


async def test_the_runtime_tells_the_admins_when_it_finds_the_token_revoked(
    world, runtimes, tenants, store, eventually
):
    runtime = await runtimes()
    tid, bid = tenants["acme"].id, tenants["acme_bot"].id
    await world.tg.revoke_token(world.acme.id)

    async def told() -> list[str]:
        bot = await store.bots.get(tid, bid)
        return bot.status is BotStatus.BROKEN and await _admin_notices(store, tid)

    notices = await eventually(told)
    assert world.acme.id not in runtime.serving
    assert (
        len(notices) == 1 and "@AcmeBot" in notices[0] and "Telegram отклонил токен" in notices[0]
    )
    # Delivery's path checks the same flag: it will not tell them a second time.
    assert await store.redis.exists(delivery_keys.told_broken(tid, bid))


async def test_the_notice_is_queued_once_and_with_the_flag(store):
    tenant, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    bot = await store.bots.add(tenant.id, "Acme <1>", "1:" + "x" * 3, "AcmeBot", 1)

    class Broken(Outbox):
        async def admins(self, tid, text, reply_markup=None, *, once=None):
            raise ConnectionError("crash before the transaction")

    with pytest.raises(ConnectionError):
        await tell_admins_once(store, Catalogue(), Broken(store), bot)
    # No flag without the notice, so the next attempt still tells them.
    assert not await store.redis.exists(delivery_keys.told_broken(tenant.id, bot.id))
    assert await tell_admins_once(store, Catalogue(), Outbox(store), bot)
    assert not await tell_admins_once(store, Catalogue(), Outbox(store), bot)
    notices = await _admin_notices(store, tenant.id)
    assert len(notices) == 1 and "«Acme &lt;1&gt;»" in notices[0]


async def test_detectors_at_the_same_instant_queue_one_notice(store, monkeypatch):
    # The bot runtime and a worker both see the revocation: one notice between them.
    tenant, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    bot = await store.bots.add(tenant.id, "Acme", "1:" + "x" * 3, "AcmeBot", 1)
    # Every detector has checked the flag (and found none) before any of them queues.
    barrier, get = asyncio.Barrier(5), store.tenants.get

    async def get_after_everyone_checked(tid):
        await barrier.wait()
        return await get(tid)

    monkeypatch.setattr(store.tenants, "get", get_after_everyone_checked)
    told = await asyncio.gather(
        *(tell_admins_once(store, Catalogue(), Outbox(store), bot) for _ in range(5))
    )
    assert sorted(told) == [False] * 4 + [True]
    assert len(await _admin_notices(store, tenant.id)) == 1
