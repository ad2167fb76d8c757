"""Secrets an admin types (API keys, bot tokens) reach neither the logs, nor Redis in clear,
nor any message left in the chat."""

from __future__ import annotations

import logging


async def _dump(redis) -> str:
    parts = []
    async for key in redis.scan_iter(count=500):
        kind = await redis.type(key)
        if kind == "string":
            parts.append(str(await redis.get(key)))
        elif kind == "hash":
            parts.append(str(await redis.hgetall(key)))
        elif kind == "set":
            parts.append(str(await redis.smembers(key)))
        elif kind == "zset":
            parts.append(str(await redis.zrange(key, 0, -1)))
        elif kind == "stream":
            parts.append(str(await redis.xrange(key)))
        parts.append(key)
    return "\n".join(parts)


async def test_keys_and_tokens_leave_no_trace(
    world, runtimes, acme, store, admin_of, caplog, eventually
):
    caplog.set_level(logging.DEBUG)
    await runtimes()
    me = admin_of(world.default, await world.user("Админ"))
    await me.say(f"/admin {acme[1]}", answers=2)
    revoked = await world.new_bot("OldBot")
    await world.tg.revoke_token(revoked.id)
    await me.press("Боты")
    await me.press("Добавить бота")
    await me.say("Мой бот")
    assert "отклонил" in await me.say(revoked.token)
    assert "добавлен" in await me.say(world.acme.token, answers=2)

    secrets = [acme[1], revoked.token, world.acme.token]
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert [s for s in secrets if s in logged] == []
    stored = await _dump(store.redis)
    assert [s for s in secrets if s in stored] == []
    records = await world.tg.message_records(me.uid, world.default.id, include_users=True)
    texts = "\n".join(r["message"].get("text", "") for r in records["messages"])
    assert [s for s in secrets if s in texts] == []
