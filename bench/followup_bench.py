"""Follow-up benchmark (docs/followup.md): from the resolving event to the last card edited,
for 1, 30 and 300 subscribers, against the per-token bound (N / 30 s). In one process on
loopback: an embedded Redis, the emulator with Telegram's limits, one delivery worker.

    .venv/bin/python bench/followup_bench.py [--sizes 1,30,300]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from delivery.engine import DeliveryEngine  # noqa: E402
from delivery.intake import Intake  # noqa: E402
from delivery.policy import Limits, Options  # noqa: E402
from perezvon.embedded_redis import EmbeddedRedis  # noqa: E402
from perezvon.metrics import Metrics  # noqa: E402
from perezvon.texts import Catalogue  # noqa: E402
from store import Store, connect  # noqa: E402
from store.crypto import SecretBox  # noqa: E402
from store.events import CallEvent, OutboundEvent  # noqa: E402
from tg_emulator import EmulatorSettings, RateLimits, start_emulator  # noqa: E402
from tg_emulator.client import EmulatorClient  # noqa: E402


async def _until(probe, within: float = 120.0):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        value = await probe()
        if value:
            return value
        await asyncio.sleep(0.02)
    raise TimeoutError("benchmark condition not reached")


async def one(size: int, redis_url: str) -> dict:
    redis = connect(redis_url)
    await redis.flushdb()
    store = Store(redis, SecretBox(secrets.token_urlsafe(24)))
    await store.migrate()
    emu = await start_emulator(settings=EmulatorSettings(limits=RateLimits()))
    async with EmulatorClient(emu.base_url) as tg:
        bot = await tg.create_bot("pz_bench_bot")
        tenant, _ = await store.tenants.create("Bench", "Europe/Moscow", "ru")
        for i in range(size):
            uid = (await tg.create_user(f"U{i}"))["id"]
            await tg.send_command(bot["id"], uid, "start")
            await store.started.mark(bot["id"], uid)
            await store.subs.activate(tenant.id, uid, f"U{i}")
        engine = DeliveryEngine(
            store, Metrics(redis), Catalogue(), api_base=emu.base_url,
            default_token=bot["token"], consumer="bench", limits=Limits(),
            options=Options(senders=64, intake_block_ms=100, idle_poll=0.2),
        )  # fmt: skip
        await engine.start()
        await Intake(store).submit(tenant, CallEvent(call_id="c1", caller="+74951234567"))
        card = await _until(lambda: store.followups.card_of_call(tenant.id, "c1"))

        async def all_copies():
            return len(await store.followups.copies(tenant.id, card.id)) == size

        await _until(all_copies)
        # Past the chats' 1 msg/s from the cards just sent: this measures the edits alone.
        await asyncio.sleep(1.5)
        started = time.time()
        event = OutboundEvent(type="outbound", call_id="o1", callee="+74951234567",
                              answered=True, extension="102")  # fmt: skip
        await Intake(store).submit_followups(tenant, [event])

        async def edited():
            log = await tg.api_log(bot["id"], "editMessageText")
            return log if len(log) >= size else None

        log = await _until(edited)
        took = max(e["time"] for e in log) - started
        statuses = [e["status"] for e in await tg.api_log(bot["id"])]
        await engine.stop(grace=1.0)
    await emu.stop()
    await redis.aclose()
    bound = size / Limits().bot_per_second
    return {
        "subscribers": size,
        "seconds": round(took, 3),
        "bound_seconds": round(bound, 3),
        "ratio": round(took / bound, 3),
        "edits": len(log),
        "http_429": statuses.count(429),
    }


async def main(sizes: list[int]) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="pz-fu-bench-") as tmp:
        server = EmbeddedRedis(Path(tmp))
        url = server.start()
        try:
            return [await one(n, url) for n in sizes]
        finally:
            server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1,30,300")
    args = parser.parse_args()
    rows = asyncio.run(main([int(s) for s in args.sizes.split(",")]))
    print(json.dumps(rows, indent=2))
