"""store/leaving.py on every backend: a leaving bot is kept with its token sealed, for a while."""

from __future__ import annotations

import pytest

from store import Store, keys
from store.leaving import KEEP_SECONDS
from store.models import BotStatus


async def test_kept_then_read_back_by_telegram_id_with_the_token_sealed_at_rest(store: Store):
    t, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    bot = await store.bots.add(t.id, "Acme", "4242:leaving-plain-token", "AcmeBot", 4242)
    await store.leaving.keep(bot)
    await store.bots.delete(t.id, bot.id)  # gone from the tenant's bots, still leaving
    got = await store.leaving.get(t.id, 4242)
    assert got is not None and got.token == "4242:leaving-plain-token"
    assert (got.id, got.username, got.tg_id, got.status) == (bot.id, "AcmeBot", 4242,
                                                            BotStatus.OFF)  # fmt: skip
    raw = await store.redis.hgetall(keys.leaving_bot(t.id, 4242))
    assert "leaving-plain-token" not in repr(raw)
    assert 0 < await store.redis.ttl(keys.leaving_bot(t.id, 4242)) <= KEEP_SECONDS


async def test_another_tenant_or_bot_reads_nothing(store: Store):
    a, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    b, _ = await store.tenants.create("Globex", "Europe/Moscow", "en")
    bot = await store.bots.add(a.id, "Acme", "4243:tok", "AcmeBot", 4243)
    await store.leaving.keep(bot)
    assert await store.leaving.get(b.id, 4243) is None
    assert await store.leaving.get(a.id, 4244) is None


async def test_a_bot_without_its_token_is_refused(store: Store):
    t, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    bot = await store.bots.add(t.id, "Acme", "4245:tok", "AcmeBot", 4245)
    bare = type(bot)(**{**{f: getattr(bot, f) for f in bot.__dataclass_fields__}, "token": ""})
    with pytest.raises(ValueError):
        await store.leaving.keep(bare)
