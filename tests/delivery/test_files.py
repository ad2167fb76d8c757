"""Photos and documents through the durable queue: Outbox.file -> intake -> a FILE job ->
sendPhoto / sendDocument as multipart, under every send's limits and answers, the bytes kept
beside the job (not in it) with a TTL."""

from __future__ import annotations

import base64
import time

import pytest

from delivery.deadletters import DeadLetters
from delivery.outbox import Outbox, TextTooLong
from delivery.policy import Limits
from store.keys import intake, upload
from store.uploads import FILE_TTL
from tests.tg_emulator.images import png


@pytest.fixture(params=["fakeredis", "real-redis", "cluster"])
def redis_backend(request: pytest.FixtureRequest) -> str:
    return request.param


async def test_a_photo_reaches_the_chat_with_its_caption_and_keyboard(world, make_engine):
    uid = await world.subscriber("Olga")
    picture = png(300, 200)
    keyboard = {"inline_keyboard": [[{"text": "CSV", "callback_data": "x:1"}]]}
    await make_engine()
    await Outbox(world.store).file(world.tenant.id, uid, "photo", picture, "chart.png",
                                   "<b>Неделя</b>", keyboard)  # fmt: skip
    [message] = await world.tg.wait_for_messages(uid, 1)
    assert message["caption"] == "Неделя" and message["caption_entities"][0]["type"] == "bold"
    assert message["reply_markup"] == keyboard
    assert (message["photo"][-1]["width"], message["photo"][-1]["height"]) == (300, 200)
    assert await world.tg.file_bytes(message["photo"][-1]["file_id"]) == picture


async def test_a_document_to_every_admin_shares_one_stored_file(world, make_engine, store):
    admins = [await world.user("A1"), await world.user("A2")]
    for uid in admins:
        await store.admins.grant(world.tenant.id, uid)
    data = "card,caller\r\n1,+74951111111\r\n".encode("utf-8-sig")
    engine = await make_engine()
    await Outbox(store).file(world.tenant.id, None, "document", data, "calls.csv", "CSV")
    for uid in admins:
        [message] = await world.tg.wait_for_messages(uid, 1)
        assert message["document"]["file_name"] == "calls.csv"
        assert message["document"]["mime_type"] == "text/csv" and message["caption"] == "CSV"
        assert await world.tg.file_bytes(message["document"]["file_id"]) == data
    await world.idle(engine)
    # The bytes live once, under the tenant's key, with a TTL; jobs hold only that key.
    [key] = [k async for k in store.redis.scan_iter(upload(world.tenant.id, "*"))]
    assert base64.b64decode(await store.redis.get(key)) == data
    assert 0 < await store.redis.ttl(key) <= FILE_TTL


async def test_the_job_hash_holds_the_key_not_the_bytes(world, store):
    uid = await world.subscriber("X")
    big = png(1000, 1000, pad=200_000)
    await Outbox(store).file(world.tenant.id, uid, "photo", big, "chart.png")
    [(_, [(_, fields)])] = await store.redis.xread({intake(world.tenant.id): "0"})
    assert fields["file"].startswith(upload(world.tenant.id, "")) and len(str(fields)) < 1000


async def test_files_count_against_the_chats_limit(world, make_engine):
    """Three photos to one private chat: Telegram's strict 1 per second holds, with no 429."""
    uid = await world.subscriber("X")
    engine = await make_engine(limits=Limits())
    outbox = Outbox(world.store)
    for i in range(3):
        await outbox.file(world.tenant.id, uid, "photo", png(10 + i, 10), f"{i}.png")
    start = time.monotonic()
    await world.tg.wait_for_messages(uid, 3, timeout=10)
    await world.idle(engine)
    assert time.monotonic() - start >= 1.5  # three sends to one chat take two seconds or so
    log = await world.tg.api_log(world.default["id"], "sendPhoto")
    assert [e["status"] for e in log] == [200, 200, 200]


async def test_a_file_whose_bytes_expired_is_a_dead_letter(world, make_engine, store):
    uid = await world.subscriber("X")
    await Outbox(store).file(world.tenant.id, uid, "photo", png(5, 5), "c.png")
    async for key in store.redis.scan_iter(upload(world.tenant.id, "*")):
        await store.redis.delete(key)  # as the TTL would
    await make_engine()
    dead = DeadLetters(store.redis)
    await world.eventually(lambda: dead.count(world.tenant.id))
    [letter] = await dead.list(world.tenant.id)
    assert "no longer kept" in letter.error
    assert (await world.tg.stats(world.default["id"]))["by_method"].get("sendphoto") is None


async def test_a_blocked_chat_is_gone_like_for_any_send(world, make_engine, store):
    uid = await world.subscriber("X")
    await world.tg.block_bot(uid, world.default["id"])
    engine = await make_engine()
    await Outbox(store).file(world.tenant.id, uid, "document", b"a;b\n", "x.csv")
    await world.idle(engine)
    # Dropped once (a service send never marks the subscription): no retry, no dead letter.
    log = await world.tg.api_log(world.default["id"], "sendDocument")
    assert [e["status"] for e in log] == [403]
    assert await DeadLetters(store.redis).count(world.tenant.id) == 0
    assert "unreachable" in await engine.fanout._metrics.render()


@pytest.mark.parametrize(
    ("media", "data", "caption", "error"),
    [
        ("video", b"x", "", ValueError),
        ("photo", b"", "", ValueError),
        ("document", b"x", "я" * 1025, TextTooLong),
    ],
)
async def test_what_the_outbox_refuses(store, media, data, caption, error):
    with pytest.raises(error):
        await Outbox(store).file("1", 5, media, data, "f", caption)
