"""Telegram outage benchmark (issue 11): 20 chats x 100 messages while the Bot API is down.

    .venv/bin/python bench/outage_bench.py [--outage 600] [--chats 20] [--messages 100]

Loopback only: an embedded Redis, the emulator (strict limits) and two delivery workers
(`python -m delivery.standalone`) as processes, as in bench/delivery_bench.py. Each chat is the
one subscriber of its own tenant on the shared default bot. The outage is the emulator's
faults on that bot, rotating every `--phase` seconds through JSON 500s, nginx HTML 502s,
answers slower than the worker's 10 s read timeout (nothing stored) and dropped connections;
the calls are submitted over the first half of the outage. Then the faults are cleared
("recovery") and the benchmark waits until every message arrived or nothing new came for
`--settle` seconds. It reports, from what the emulator's chats hold: delivered, lost,
duplicated, chats received out of order, and the time from recovery to the last message
against the bound at 30/s (and the per-chat bound: 1 message/s per private chat).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import re
import sys
import time

from delivery_bench import Bench

from delivery.intake import Intake
from store.events import CallEvent

KINDS = ["error_500", "html_502", "latency", "drop"]
TIMEOUT_SECONDS = 15.0  # the latency fault: longer than the worker's 10 s read timeout


def seq_of(text: str) -> int | None:
    """The message's number, the last 4 digits of its caller (+7495 CCC NNNN)."""
    line = text.split("Перезвонить: ", 1)[1].split("\n", 1)[0] if "Перезвонить: " in text else ""
    digits = re.sub(r"\D", "", line)
    return int(digits[-4:]) if len(digits) >= 4 else None


def parsed(line: str) -> dict:
    try:
        out = json.loads(line)
    except ValueError:
        return {}
    return out if isinstance(out, dict) else {}


async def faults_for(b: Bench, bot_id: int, kind: str) -> None:
    await b.tg.clear_faults()
    seconds = TIMEOUT_SECONDS if kind == "latency" else 0.0
    await b.tg.inject_fault(kind, bot_id=bot_id, seconds=seconds)


async def outage(b: Bench, bot_id: int, seconds: float, phase: float, log: list[str]) -> None:
    """Rotate the fault kinds until `seconds` passed."""
    end = time.monotonic() + seconds
    i = 0
    while time.monotonic() < end:
        kind = KINDS[i % len(KINDS)]
        await faults_for(b, bot_id, kind)
        log.append(kind)
        await asyncio.sleep(min(phase, max(0.0, end - time.monotonic())))
        i += 1
    await b.tg.clear_faults()


async def run(args: argparse.Namespace) -> dict:
    async with Bench(limits="strict") as b:
        tenants = [await b.tenant(f"O{i}", 1) for i in range(args.chats)]
        bot_id = b.default["id"]
        workers = [await b.worker("o1"), await b.worker("o2")]
        intake = Intake(b.store)
        kinds: list[str] = []
        t0 = time.monotonic()
        down = asyncio.create_task(outage(b, bot_id, args.outage, args.phase, kinds))
        await asyncio.sleep(0.5)
        total = args.chats * args.messages
        spread = args.outage / 2
        for n in range(args.messages):
            # Message n of every chat, spread over the first half of the outage.
            await asyncio.sleep(max(0.0, t0 + 0.5 + n * spread / args.messages - time.monotonic()))
            for c, (tenant, _, _) in enumerate(tenants):
                event = CallEvent(call_id=f"o{c}-{n}", caller=f"+7495{c:03d}{n:04d}")
                await intake.submit(tenant, event)
        sent_during = (await b.tg.stats(bot_id))["messages_sent"]
        await down
        recovered = time.time()
        last_change, last_count = time.monotonic(), -1
        while True:
            count = (await b.tg.stats(bot_id))["messages_sent"]
            if count >= total:
                break
            if count != last_count:
                last_change, last_count = time.monotonic(), count
            elif time.monotonic() - last_change > args.settle:
                break
            await asyncio.sleep(0.5)
        stats = await b.tg.stats(bot_id)
        per_chat = []
        for _, _, chats in tenants:
            msgs = await b.tg.messages(chats[0], bot_id=bot_id)
            per_chat.append([seq_of(m.get("text", "")) for m in msgs])
        counts = [parsed(line) for w in workers for line in (await w.stop()).splitlines()]
        b.workers.clear()
    delivered = duplicated = lost = out_of_order = 0
    examples: list[list[int]] = []  # the first inversion of a few chats, to diagnose
    for seqs in per_chat:
        got = [s for s in seqs if s is not None]
        unique = set(got)
        delivered += len(unique)
        duplicated += len(got) - len(unique)
        lost += args.messages - len(unique & set(range(args.messages)))
        firsts = list(dict.fromkeys(got))
        out_of_order += firsts != sorted(firsts)
        inversions = [(a, b) for a, b in itertools.pairwise(firsts) if a > b]
        if inversions and len(examples) < 3:
            examples.append(list(inversions[0]))
    last = stats["last_sent_at"] or recovered
    after = max(0.0, last - recovered)
    return {
        "chats": args.chats,
        "messages_each": args.messages,
        "outage_s": args.outage,
        "fault_phases": kinds,
        "sent_during_outage": sent_during,
        "delivered": delivered,
        "lost": lost,
        "duplicated": duplicated,
        "chats_out_of_order": out_of_order,
        "first_inversions": examples,
        "recovery_to_last_s": round(after, 1),
        "bound_30_per_s": round(total / 30, 1),
        "ratio_to_30_per_s": round(after / (total / 30), 3),
        "bound_per_chat_1_per_s": args.messages,
        "emulator_429": stats["too_many_requests"],
        "worker_counts": [c.get("counts") for c in counts if "counts" in c],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--outage", type=float, default=600.0, help="seconds Telegram is down")
    parser.add_argument("--phase", type=float, default=30.0, help="seconds per fault kind")
    parser.add_argument("--chats", type=int, default=20)
    parser.add_argument("--messages", type=int, default=100, help="per chat")
    parser.add_argument("--settle", type=float, default=120.0, help="give up after no progress")
    args = parser.parse_args()
    print(json.dumps({"outage": asyncio.run(run(args))}, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    sys.exit(main())
