"""No bot token in a log line, an exception text, a dead letter or a metric label."""

from __future__ import annotations

import logging

import pytest
from telegram.error import InvalidToken, NetworkError

from delivery.deadletters import DeadLetters
from delivery.intake import Intake
from delivery.outcome import classify
from delivery.redact import redact
from store.events import CallEvent


@pytest.fixture(params=["fakeredis", "real-redis", "cluster"])
def redis_backend(request: pytest.FixtureRequest) -> str:
    return request.param


def test_redact_and_classify_hide_tokens():
    token = "123456789:" + "A" * 35
    assert token not in redact(f"POST https://api/bot{token}/sendMessage")
    for exc in (InvalidToken(f"The token `{token}` was rejected"), NetworkError(f"x {token}")):
        assert token not in classify(exc).detail


async def test_no_token_leaks_anywhere(world, make_engine, caplog):
    caplog.set_level(logging.DEBUG)
    custom = await world.custom_bot()
    uid = await world.subscriber("X", starts=(world.default, custom))
    admin = await world.user("Admin")
    await world.store.admins.grant(world.tenant.id, admin)
    new_custom_token = await world.tg.revoke_token(custom["id"])
    await world.tg.inject_fault("error_500", bot_id=world.default["id"])
    engine = await make_engine()
    await Intake(world.store).submit(world.tenant, CallEvent(call_id="c", caller="1"))
    dead = DeadLetters(world.store.redis)
    await world.eventually(lambda: dead.count(world.tenant.id))
    letters = await dead.list(world.tenant.id, limit=100)
    metrics = await engine.fanout._metrics.render()
    await engine.stop()
    secrets = [world.default["token"], custom["token"], new_custom_token]
    haystacks = [caplog.text, metrics, repr(letters), *(r.getMessage() for r in caplog.records)]
    assert any("sendMessage" in r.getMessage() for r in caplog.records)  # URLs were logged
    for secret in secrets:
        for hay in haystacks:
            assert secret not in hay
            assert secret.split(":")[1] not in hay
    assert uid
