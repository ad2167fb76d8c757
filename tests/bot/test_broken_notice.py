"""A revoked custom-bot token noticed by the runtime reaches the tenant's admins, once."""

from __future__ import annotations

import pytest

from bot.broken import tell_admins_once
from delivery import keys as delivery_keys
from delivery.outbox import Outbox
from perezvon.texts import Catalogue
from store.keys import INTAKE
from store.models import BotStatus


async def _admin_notices(store, tid: str) -> list[str]:
    entries = await store.redis.xrange(INTAKE)
    return [f["text"] for _, f in entries if f.get("kind") == "admins" and f["tenant"] == tid]


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


async def test_the_notice_is_queued_once_and_before_the_flag(store):
    tenant, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    bot = await store.bots.add(tenant.id, "Acme <1>", "1:" + "x" * 3, "AcmeBot", 1)

    class Broken(Outbox):
        async def admins(self, tid, text, reply_markup=None):
            raise ConnectionError("crash between the queue and the flag")

    with pytest.raises(ConnectionError):
        await tell_admins_once(store, Catalogue(), Broken(store), bot)
    # The crash left no flag behind, so the next attempt still tells them.
    assert not await store.redis.exists(delivery_keys.told_broken(tenant.id, bot.id))
    assert await tell_admins_once(store, Catalogue(), Outbox(store), bot)
    assert not await tell_admins_once(store, Catalogue(), Outbox(store), bot)
    notices = await _admin_notices(store, tenant.id)
    assert len(notices) == 1 and "«Acme &lt;1&gt;»" in notices[0]
