"""The bot in a crowd (issue 10): `perezvon run` against the emulator's strict limits.

    .venv/bin/python bench/crowd_bench.py [--activate 300] [--status 1000] [--presses 300]
        [--repeat-chats 10] [--repeat 3] [--mixed 300] [--model strict|lenient]

Loopback only. The emulator (strict sliding windows) runs as its own process; a tenant is
written through the store into an embedded Redis under a temporary DATA_DIR, then
`perezvon run` starts on it (the shared default bot, long polling), as service_bench.py does.
Crowds, each sent at once through the emulator's control API (every user in their own
private chat):

1. `--activate` users send `/activate <key>` within ~0.1 s;
2. `--status` users (those and new ones) send `/status` at once;
3. `--presses` admins (made beforehand with `/admin <key>`, timed as "admin_setup": two
   replies each) press the first button of their admin menu at once;
4. `--mixed` new users send `/status` while one missed call goes to the `--activate`
   subscribers: cards (the delivery engine) and replies (the bot) share one bot's 30/s;
5. `--repeat-chats` users each send `/status` `--repeat` times at once (a person tapping a
   command again): Telegram's strict reading allows one message per second in a private chat.

For each: answered (chats that got their reply: a bot message, or the callback answered),
duplicates (replies beyond one per chat), 429s the emulator gave, and the time from the crowd
to the last reply against the bound at 30/s per bot (N / 30 s). From the emulator's API log
(the time each counted call was answered): the most sends accepted in any 1 s, the 429s split
into those beside an accepted send to the same chat within 1 s ("chat") and the others ("bot"),
and the send rate of each second; every counted call of a crowd goes to crowd-<name>.json in
the working directory.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from bisect import bisect_left
from collections import defaultdict
from pathlib import Path
from typing import Any

import aiohttp
from service_bench import SECRET, World

from perezvon.embedded_redis import EmbeddedRedis
from store import Store, connect
from store.crypto import SecretBox

# A crowd is over when nothing new was sent for this long (the rest were dropped).
STALL_SECONDS = 20.0
# The calls Telegram's limits count (the emulator's API log names methods in lower case).
COUNTED = ("sendmessage", "editmessagetext", "editmessagereplymarkup", "copymessage")


class Crowd(World):
    """service_bench's World with one tenant on the default bot and no custom bots."""

    async def prepare(self) -> None:
        assert self.tg is not None
        self.default = await self.tg.create_bot("bench_default_bot", "Perezvon")
        redis_server = EmbeddedRedis(self.tmp, appendfsync="everysec")
        store = Store(connect(redis_server.start()), SecretBox(SECRET))
        try:
            await store.migrate()
            _, key = await store.tenants.create("Crowd", "Europe/Moscow", "ru")
            self.keys.append(key)
        finally:
            await store.redis.aclose()
            redis_server.stop()


async def users(world: World, n: int, prefix: str) -> list[int]:
    assert world.tg is not None
    out: list[int] = []
    for i in range(0, n, 100):
        made = await asyncio.gather(
            *(
                world.tg.create_user(f"{prefix}{j}", language_code="ru")
                for j in range(i, min(n, i + 100))
            )
        )
        out += [u["id"] for u in made]
    return out


async def bot_messages(world: World, chats: list[int]) -> dict[int, list[dict[str, Any]]]:
    assert world.tg is not None
    bot_id = world.default["id"]
    got: dict[int, list[dict[str, Any]]] = {}
    for i in range(0, len(chats), 100):
        part = chats[i : i + 100]
        found = await asyncio.gather(*(world.tg.messages(c, bot_id=bot_id) for c in part))
        got.update(zip(part, found, strict=True))
    return got


async def crowd_of_commands(
    world: World,
    name: str,
    chats: list[int],
    text: str,
    within: float,
    expect: int = 1,
    times: int = 1,
) -> dict[str, Any]:
    """Every chat sends `text` `times` times at once; wait until each has `expect` new bot
    messages. The bound: N / 30 s per bot, and a second between two replies in one chat."""
    assert world.tg is not None
    tg, bot_id = world.tg, world.default["id"]
    before = {c: len(m) for c, m in (await bot_messages(world, chats)).items()}
    stats0 = await tg.stats(bot_id)
    t0 = time.time()
    await asyncio.gather(*(tg.send_text(bot_id, c, text) for c in chats for _ in range(times)))
    spread = time.time() - t0
    await wait_sends(world, stats0, expect * len(chats), within)
    after = await bot_messages(world, chats)
    new = {c: len(after[c]) - before[c] for c in chats}
    stats = await tg.stats(bot_id)
    last = stats["last_sent_at"] or t0
    bound = max(expect * len(chats) / 30, expect - 1.0)
    return {
        "chats": len(chats),
        "sent_within_s": round(spread, 2),
        "answered": sum(v >= expect for v in new.values()),
        "duplicates": sum(max(0, v - expect) for v in new.values()),
        "emulator_429": stats["too_many_requests"] - stats0["too_many_requests"],
        "to_last_reply_s": round(last - t0, 2),
        "bound_s": round(bound, 2),
        "ratio": round((last - t0) / bound, 3),
        **await timeline(world, name, t0),
    }


async def wait_sends(world: World, stats0: dict[str, Any], expected: int, within: float) -> None:
    """Until the bot has sent `expected` messages since `stats0`, or nothing moved for
    STALL_SECONDS, or `within` passed; then 2 s more for late duplicates."""
    assert world.tg is not None
    deadline = time.monotonic() + within
    seen, moved = -1, time.monotonic()
    while True:
        stats = await world.tg.stats(world.default["id"])
        sent = stats["messages_sent"] - stats0["messages_sent"]
        if sent != seen:
            seen, moved = sent, time.monotonic()
        stalled = time.monotonic() - moved > STALL_SECONDS
        if sent >= expected or stalled or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    await asyncio.sleep(2.0)


async def broadcast_with_replies(
    world: World, subscribers: list[int], askers: list[int], within: float
) -> dict[str, Any]:
    """One missed call to every subscriber while `askers` send /status at the same moment:
    the cards (delivery engine) and the replies (bot runtime) share the bot's 30/s. The bound:
    (cards + replies) / 30 s."""
    assert world.tg is not None
    tg, bot_id = world.tg, world.default["id"]
    chats = subscribers + askers
    before = {c: len(m) for c, m in (await bot_messages(world, chats)).items()}
    stats0 = await tg.stats(bot_id)
    t0 = time.time()
    async with aiohttp.ClientSession() as http:
        call = http.post(
            f"{world.ingest}/v1/events",
            json={"call_id": "mixed-1", "caller": "+74950000001"},
            headers={"Authorization": f"Bearer {world.keys[0]}"},
        )
        async with call as resp:
            accepted = resp.status == 202
        await asyncio.gather(*(tg.send_text(bot_id, c, "/status") for c in askers))
    spread = time.time() - t0
    await wait_sends(world, stats0, len(chats), within)
    after = await bot_messages(world, chats)
    new = {c: len(after[c]) - before[c] for c in chats}
    stats = await tg.stats(bot_id)
    last = stats["last_sent_at"] or t0
    bound = len(chats) / 30
    return {
        "call_accepted": accepted,
        "subscribers": len(subscribers),
        "askers": len(askers),
        "sent_within_s": round(spread, 2),
        "cards": sum(new[c] >= 1 for c in subscribers),
        "replies": sum(new[c] >= 1 for c in askers),
        "duplicates": sum(max(0, v - 1) for v in new.values()),
        "emulator_429": stats["too_many_requests"] - stats0["too_many_requests"],
        "to_last_send_s": round(last - t0, 2),
        "bound_s": round(bound, 2),
        "ratio": round((last - t0) / bound, 3),
        **await timeline(world, "mixed", t0, {"cards": subscribers, "replies": askers}),
    }


async def timeline(
    world: World, name: str, t0: float, parts: dict[str, list[int]] | None = None
) -> dict[str, Any]:
    """Where the crowd's sends (and its 429s) fell, from the emulator's API log; for each of
    `parts` (a name and its chats), when its median and its last send were accepted."""
    assert world.tg is not None
    calls = [
        {"t": round(e["time"] - t0, 4), "method": e["method"], "status": e["status"],
         "chat": (e.get("params") or {}).get("chat_id")}
        for e in await world.tg.api_log(world.default["id"])
        if e["method"] in COUNTED and e["time"] >= t0
    ]  # fmt: skip
    (Path(world.tmp) / f"crowd-{name}.json").write_text(json.dumps(calls))
    ok = sorted(c["t"] for c in calls if c["status"] == 200)
    by_chat: dict[str, list[float]] = defaultdict(list)
    for c in calls:
        if c["status"] == 200:
            by_chat[str(c["chat"])].append(c["t"])
    chat_429 = bot_429 = 0
    for c in calls:
        if c["status"] == 429:
            beside = any(0 <= c["t"] - t < 1.0 for t in by_chat[str(c["chat"])])
            chat_429, bot_429 = chat_429 + beside, bot_429 + (not beside)
    most = max((bisect_left(ok, t + 1.0) - i for i, t in enumerate(ok)), default=0)
    per_second = [0] * (int(ok[-1]) + 1 if ok else 0)
    for t in ok:
        per_second[int(t)] += 1
    spans: dict[str, float | None] = {}
    for part, members in (parts or {}).items():
        wanted = {str(c) for c in members}
        times = sorted(c["t"] for c in calls if c["status"] == 200 and str(c["chat"]) in wanted)
        spans[f"{part}_median_s"] = times[len(times) // 2] if times else None
        spans[f"{part}_last_s"] = times[-1] if times else None
    return {
        **spans,
        "most_in_1s": most,
        "chat_429": chat_429,
        "bot_429": bot_429,
        "first_send_s": ok[0] if ok else None,
        "per_second": per_second,
    }


def first_button(messages: list[dict[str, Any]]) -> tuple[int, str] | None:
    for msg in reversed(messages):
        rows = (msg.get("reply_markup") or {}).get("inline_keyboard") or []
        for row in rows:
            for button in row:
                if "callback_data" in button:
                    return msg["message_id"], button["callback_data"]
    return None


async def crowd_of_presses(world: World, admins: list[int], within: float) -> dict[str, Any]:
    assert world.tg is not None
    tg, bot_id = world.tg, world.default["id"]
    menus = await bot_messages(world, admins)
    targets = {c: first_button(m) for c, m in menus.items()}
    targets = {c: t for c, t in targets.items() if t is not None}
    stats0 = await tg.stats(bot_id)
    t0 = time.time()
    queries = await asyncio.gather(
        *(tg.press_button(bot_id, c, mid, data=data) for c, (mid, data) in targets.items())
    )
    spread = time.time() - t0
    answers = await asyncio.gather(
        *(tg.callback_answer(q["callback_query_id"], wait=within) for q in queries)
    )
    answered_at = time.time()
    await asyncio.sleep(2.0)
    stats = await tg.stats(bot_id)
    answered = sum(a["answered"] for a in answers)
    changes = (stats["messages_sent"] - stats0["messages_sent"]) + (
        stats["edits"] - stats0["edits"]
    )
    last = max(answered_at, stats["last_sent_at"] or 0.0) if changes else answered_at
    return {
        "admins": len(admins),
        "pressed": len(targets),
        "sent_within_s": round(spread, 2),
        "answered": answered,
        "screens_sent_or_edited": changes,
        "emulator_429": stats["too_many_requests"] - stats0["too_many_requests"],
        "to_last_answer_s": round(answered_at - t0, 2),
        "to_last_screen_s": round(last - t0, 2),
        "bound_s": round(len(targets) / 30, 2),
        **await timeline(world, "presses", t0),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    args.limits, args.bots, args.subs = args.model, 0, 0
    world = Crowd(args)
    print(f"working in {world.tmp} (service.log there)", flush=True)
    out: dict[str, Any] = {"model": args.model, "cpus": os.cpu_count(), "load": os.getloadavg()[0]}
    try:
        await world.start_emulator()
        await world.prepare()
        await world.start_service()
        await world.wait_polled(120)
        key = world.keys[0]
        activating = await users(world, args.activate, "A")
        out["activate"] = await crowd_of_commands(
            world, "activate", activating, f"/activate {key}", 120
        )
        others = await users(world, max(0, args.status - len(activating)), "S")
        status_chats = (activating + others)[: args.status]
        out["status"] = await crowd_of_commands(world, "status", status_chats, "/status", 180)
        admins = await users(world, args.presses, "M")
        out["admin_setup"] = await crowd_of_commands(
            world, "admin_setup", admins, f"/admin {key}", 180, 2
        )
        out["presses"] = await crowd_of_presses(world, admins, 60)
        if args.mixed:
            askers = await users(world, args.mixed, "X")
            out["mixed"] = await broadcast_with_replies(world, activating, askers, 180)
        if args.repeat_chats:
            repeating = await users(world, args.repeat_chats, "R")
            n = args.repeat
            out["repeat"] = await crowd_of_commands(
                world, "repeat", repeating, "/status", 60, expect=n, times=n
            )
    finally:
        await world.stop()
    out["load_after"] = os.getloadavg()[0]
    log = Path(world.tmp) / "service.log"
    if log.exists():
        text = log.read_text(errors="replace")
        out["log"] = {
            "lines": text.count("\n"),
            "tracebacks": text.count("Traceback"),
            "too_many_connections": text.count("Too many connections"),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--activate", type=int, default=300)
    parser.add_argument("--status", type=int, default=1000)
    parser.add_argument("--presses", type=int, default=300)
    parser.add_argument(
        "--repeat-chats", type=int, default=10, help="chats that each send /status --repeat times"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--mixed",
        type=int,
        default=300,
        help="users sending /status while a missed call goes to the --activate subscribers",
    )
    parser.add_argument("--model", choices=("strict", "lenient"), default="strict")
    args = parser.parse_args()
    print(json.dumps({"crowd": asyncio.run(run(args))}, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    sys.exit(main())
