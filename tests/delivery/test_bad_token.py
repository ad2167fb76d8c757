"""A 401/404 breaks a custom bot only if getMe confirms it; a refused default token stops start."""

from __future__ import annotations

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from telegram.error import InvalidToken

from delivery import keys
from delivery.engine import DefaultTokenRejected
from delivery.intake import Intake
from store.events import CallEvent
from store.models import BotStatus


@pytest.fixture(params=["fakeredis", "real-redis", "cluster"])
def redis_backend(request: pytest.FixtureRequest) -> str:
    return request.param


async def test_a_404_that_getme_does_not_confirm_keeps_the_custom_bot_on(world, make_engine):
    custom = await world.custom_bot()
    uid = await world.subscriber("X", starts=(world.default, custom))
    engine = await make_engine()
    pool_call = engine._pool.call
    refused: list[str] = []

    async def proxy_404_once(bot, method, params, read_timeout=None):
        if method == "sendMessage" and bot.tg_id == custom["id"] and not refused:
            refused.append(method)
            raise InvalidToken("Not Found")  # what PTB raises for a proxy's 404
        return await pool_call(bot, method, params, read_timeout)

    engine._pool.call = proxy_404_once
    await Intake(world.store).submit(world.tenant, CallEvent(call_id="c1", caller="+74951234567"))
    [msg] = await world.tg.wait_for_messages(uid, 1, bot_id=custom["id"])
    await world.idle(engine)
    assert refused and "Пропущенный вызов" in msg["text"]
    bot = await world.store.bots.get(world.tenant.id, custom["bid"])
    assert bot.status is BotStatus.ACTIVE


async def test_a_default_token_the_api_refuses_fails_the_start_clearly(world, make_engine):
    await world.tg.revoke_token(world.default["id"])
    with pytest.raises(DefaultTokenRejected) as err:
        await make_engine()
    assert "default bot" in str(err.value)
    assert world.default["token"] not in str(err.value)


async def test_delivery_queues_the_broken_notice_with_its_once_flag(world, make_engine):
    custom = await world.custom_bot()
    uid = await world.subscriber("X", starts=(world.default, custom))
    admin = await world.user("Admin")
    await world.store.admins.grant(world.tenant.id, admin)
    await world.tg.revoke_token(custom["id"])
    engine = await make_engine()
    queue_admins = engine.sender._outbox.admins
    crashed: list[str] = []

    async def crash_once(tid, text, reply_markup=None, *, once=None):
        if not crashed:
            crashed.append(text)
            raise RedisConnectionError("crash before the notice and its flag")
        return await queue_admins(tid, text, reply_markup, once=once)

    engine.sender._outbox.admins = crash_once
    await Intake(world.store).submit(world.tenant, CallEvent(call_id="c1", caller="+74951234567"))
    await world.tg.wait_for_messages(uid, 1, bot_id=world.default["id"])
    # The crash came before the bot was switched off and before the once-flag: the retried
    # send finds the token rejected again and the admins are told after all.
    [notice] = await world.tg.wait_for_messages(admin, 1, bot_id=world.default["id"])
    await world.idle(engine)
    assert crashed and "отклонил токен" in notice["text"]
    broken = await world.store.bots.get(world.tenant.id, custom["bid"])
    assert broken.status is BotStatus.BROKEN
    assert await world.store.redis.exists(keys.told_broken(world.tenant.id, custom["bid"]))
