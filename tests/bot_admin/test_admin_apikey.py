"""«Ключ для API»: the prefix, rotation after a confirmation, the new key shown once and
deleted later (also after a restart), every other admin signed out and told."""

from __future__ import annotations

import pytest

from bot.handlers.admin.purge import SWEEP_JOB
from bot.handlers.admin.shared import AdminSettings


async def _rotate(me) -> str:
    await me.press("Ключ для API")
    screen = await me.screen()
    assert screen.startswith("Ключ для API: pzv_") and "…" in screen
    await me.press("Заменить ключ")
    assert "Заменить ключ API?" in await me.screen()
    assert await me.press("Да, заменить") == "Ключ заменён."
    messages = await me.messages()
    assert "Новый ключ для API" in messages[-1]["text"]
    return messages[-1]["text"].split("\n")[1]


@pytest.mark.parametrize("settings", [AdminSettings(key_visible=0.3)])
async def test_rotation_shows_the_key_once_and_signs_the_others_out(
    world, runtimes, acme, store, engine, admin_of, settings, eventually
):
    tenant, old_key = acme
    await runtimes()
    me = admin_of(world.default, await world.user("Админ"))
    other = admin_of(world.default, await world.user("Второй админ"))
    await me.say(f"/admin {old_key}", answers=2)
    await other.say(f"/admin {old_key}", answers=2)

    new_key = await _rotate(me)
    assert (await store.tenants.resolve_key(new_key)).id == tenant.id
    assert await store.tenants.resolve_key(old_key) is None
    assert "Ключ заменён" in await me.screen()
    assert await store.admins.of_tenant(tenant.id) == [me.uid]
    await world.receives(other.uid, world.default, "ваш вход в меню администратора завершён")
    assert "Ключ не подошёл" in await other.say(f"/admin {old_key}")

    async def key_gone() -> bool:
        return not [m for m in await me.messages() if new_key in m.get("text", "")]

    await eventually(key_gone)


async def test_the_key_message_is_deleted_after_a_restart(
    world, runtimes, acme, clock, admin_of, eventually
):
    first = await runtimes("one")
    me = admin_of(world.default, await world.user("Админ"))
    await me.say(f"/admin {acme[1]}", answers=2)
    new_key = await _rotate(me)
    await first.stop()  # the in-memory job dies with it; the record in Redis does not

    await runtimes("two")
    clock.advance(61)
    await world.tg.send_text(world.default.username, me.uid, "/menu")

    async def swept() -> bool:
        texts = [m.get("text", "") for m in await me.messages()]
        return texts[-1].startswith("Меню администратора") and not [
            t for t in texts if new_key in t
        ]

    await eventually(swept)


async def test_the_key_message_is_swept_at_start_without_any_admin_action(
    world, runtimes, acme, clock, admin_of, eventually
):
    first = await runtimes("one")
    me = admin_of(world.default, await world.user("Админ"))
    await me.say(f"/admin {acme[1]}", answers=2)
    new_key = await _rotate(me)
    await first.stop()
    clock.advance(61)
    await runtimes("two")  # nobody writes to the bot: the start-up sweep alone deletes it

    async def swept() -> bool:
        return not [m for m in await me.messages() if new_key in m.get("text", "")]

    await eventually(swept)


async def test_a_bot_with_nothing_to_delete_keeps_no_sweep_timer(world, runtimes, eventually):
    runtime = await runtimes()
    queue = runtime.application(world.default.id).job_queue

    async def no_sweep_left() -> bool:
        return not queue.get_jobs_by_name(SWEEP_JOB)

    assert queue.get_jobs_by_name(SWEEP_JOB)  # the start-up sweep
    assert await eventually(no_sweep_left)  # and nothing after it: an idle bot costs nothing


@pytest.mark.parametrize("settings", [AdminSettings(key_visible=60)])
async def test_a_bot_with_a_pending_deletion_keeps_sweeping(
    world, runtimes, acme, admin_of, settings
):
    runtime = await runtimes()
    me = admin_of(world.default, await world.user("Админ"))
    await me.say(f"/admin {acme[1]}", answers=2)
    await _rotate(me)
    queue = runtime.application(world.default.id).job_queue
    assert queue.get_jobs_by_name(SWEEP_JOB)  # until the key message is gone
