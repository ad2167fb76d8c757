"""PTB state does not grow with the number of chats that merely talked to a bot."""

from __future__ import annotations

from bot.persistence import STORED


async def test_fifty_users_asking_for_help_leave_no_state_behind(
    world, runtimes, store, eventually
):
    runtime = await runtimes()
    users = [await world.user(f"u{i}") for i in range(50)]
    for uid in users:
        await world.ask(world.default, uid, "/help")
    app = runtime.application(world.default.id)

    async def idle() -> bool:  # the last answer is out; its update may still be finishing
        return app.update_processor.current_concurrent_updates == 0

    await eventually(idle)
    await app.update_persistence()  # what the periodic flush does
    assert not STORED.user_data
    assert len(app.chat_data) == 0 and len(app.user_data) == 0
    assert not app._user_ids_to_be_updated_in_persistence  # PTB's own bookkeeping, too
    assert await store.bot_state.size(world.default.id, "chat") == 0
    assert await store.bot_state.size(world.default.id, "user") == 0
