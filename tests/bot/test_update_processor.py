"""Updates of one chat run in order; different chats do not wait for each other."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update

from bot.update_processor import MAX_QUEUED_PER_CHAT, PerChatProcessor


def _update(update_id: int, chat_id: int) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE)
    return Update(update_id, message=Message(update_id, None, chat))  # type: ignore[arg-type]


async def test_same_chat_in_order_other_chats_in_parallel():
    processor = PerChatProcessor(8)
    release_first = asyncio.Event()
    order: list[str] = []

    async def work(name: str, wait: asyncio.Event | None = None) -> None:
        order.append(f"{name} start")
        if wait is not None:
            await wait.wait()
        order.append(f"{name} end")

    async with processor:
        first = asyncio.create_task(
            processor.process_update(_update(1, 10), work("a1", release_first))
        )
        second = asyncio.create_task(processor.process_update(_update(2, 10), work("a2")))
        other = asyncio.create_task(processor.process_update(_update(3, 20), work("b1")))
        await other  # chat 20 finished although chat 10 is still busy
        assert order == ["a1 start", "b1 start", "b1 end"]
        release_first.set()
        await asyncio.gather(first, second)
    assert order[3:] == ["a1 end", "a2 start", "a2 end"]
    assert processor._locks == {}  # no lock left behind per chat


async def test_a_flooding_chat_does_not_hold_the_slots_of_the_others():
    processor = PerChatProcessor(2)
    release = asyncio.Event()
    done: list[str] = []

    async def work(name: str, wait: asyncio.Event | None = None) -> None:
        if wait is not None:
            await wait.wait()
        done.append(name)

    async with processor:
        flood = [
            asyncio.create_task(processor.process_update(_update(i, 10), work(f"a{i}", release)))
            for i in range(6)
        ]
        other = asyncio.create_task(processor.process_update(_update(99, 20), work("b")))
        # Chat 10 has one update running and five waiting for its lock: they hold no slot.
        finished, _ = await asyncio.wait({other}, timeout=5)
        assert finished, "chat 20 waited for a slot held by chat 10's queued updates"
        assert done == ["b"]
        release.set()
        await asyncio.gather(*flood)
    assert done[1:] == [f"a{i}" for i in range(6)]


async def test_updates_beyond_the_per_chat_queue_are_dropped(caplog):
    processor = PerChatProcessor(8, max_queued_per_chat=3)
    release = asyncio.Event()
    ran: list[int] = []

    async def work(n: int) -> None:
        await release.wait()
        ran.append(n)

    async with processor:
        tasks = [
            asyncio.create_task(processor.process_update(_update(i, 10), work(i))) for i in range(5)
        ]
        await asyncio.wait(tasks[3:])  # the two beyond the cap return at once
        assert processor.dropped == 2
        release.set()
        await asyncio.gather(*tasks)
    assert ran == [0, 1, 2]
    assert "update 4 dropped" in caplog.text
    assert processor._locks == {}


async def test_a_dropped_update_that_carries_a_key_is_still_scrubbed(
    world, runtimes, tenants, eventually
):
    uid = await world.user("Флуд")
    # Queued before the bot polls: one getUpdates batch, far past the per-chat queue.
    for n in range(MAX_QUEUED_PER_CHAT + 20):
        await world.send(world.acme, uid, f"привет {n}")
    key_message = await world.send(world.acme, uid, f"/activate {tenants['acme_key']}")
    runtime = await runtimes()

    async def scrubbed() -> bool:
        return not await world.alive(uid, world.acme, key_message)

    assert await eventually(scrubbed)
    assert runtime.application(world.acme.id).update_processor.dropped > 0
    # It was one of the dropped, not answered: nobody activated anything.
    assert not [t for t in await world.bot_texts(uid, world.acme) if "активирована" in t]
