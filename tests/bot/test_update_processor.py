"""Updates of one chat run in order; different chats do not wait for each other."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update

from bot.update_processor import PerChatProcessor


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
