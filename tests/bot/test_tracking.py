"""Every update records who started which bot; leaving forgets, returning revives."""

from __future__ import annotations

from store import keys
from store.intake_entries import AdminsEntry, decode
from store.models import SubStatus


async def test_any_update_marks_the_chat_as_started(world, runtimes, store):
    await runtimes()
    uid = await world.user("Анна")
    assert not await store.started.has(world.acme.id, uid)
    await world.ask(world.default, uid, "/help")
    assert await store.started.has(world.default.id, uid)
    assert not await store.started.has(world.acme.id, uid)


async def test_blocking_forgets_and_unblocking_remembers(
    world, runtimes, tenants, store, eventually
):
    await runtimes()
    uid = await world.user("Анна")
    await world.ask(world.acme, uid, "/start")
    await world.tg.block_bot(uid, "AcmeBot")

    async def forgotten() -> bool:
        return not await store.started.has(world.acme.id, uid)

    await eventually(forgotten)
    await world.tg.unblock_bot(uid, "AcmeBot")
    await eventually(lambda: store.started.has(world.acme.id, uid))


async def test_writing_again_revives_an_unreachable_subscription(world, runtimes, tenants, store):
    await runtimes()
    uid = await world.user("Анна")
    tid = tenants["acme"].id
    await world.ask(world.acme, uid, f"/activate {tenants['acme_key']}")
    await store.subs.mark_unreachable(tid, uid)
    await world.ask(world.acme, uid, "/help")
    assert (await store.subs.get(tid, uid)).status is SubStatus.ACTIVE

    # Never what an admin or the user decided.
    await store.subs.mute(tid, uid)
    await world.ask(world.acme, uid, "/help")
    assert (await store.subs.get(tid, uid)).status is SubStatus.MUTED


async def test_an_upgraded_group_keeps_its_subscriptions(
    world, runtimes, tenants, store, eventually
):
    await runtimes()
    boss = await world.user("Босс")
    group = await world.tg.create_group("Продажи", admins=[boss], bots=[world.acme.id])
    tid = tenants["acme"].id
    await store.subs.admin_add(tid, group["id"], "Продажи")
    new_id = await world.tg.upgrade_group(group["id"])

    async def moved() -> bool:
        return await store.subs.tenants_of_chat(new_id) == [tid]

    await eventually(moved)
    assert await store.subs.find(tid, group["id"]) is None
    assert await store.started.has(world.acme.id, new_id)


async def test_a_bot_removed_from_a_forum_unbinds_it_when_no_bot_of_the_tenant_is_left(
    world, runtimes, tenants, store, eventually
):
    await runtimes()
    boss = await world.user("Босс")
    tid = tenants["globex"].id  # no active bot of its own: the default bot delivers
    forum = await world.tg.create_group("Поддержка", admins=[boss], supergroup=True)
    await world.tg.make_forum(forum["id"])
    await world.tg.add_bot_to_chat(forum["id"], world.default.id, admin=True, by=boss)
    await eventually(lambda: store.started.has(world.default.id, forum["id"]))
    await store.topics.bind(tid, "default", forum["id"], "Поддержка")
    await store.admins.grant(tid, boss)
    # Acme's custom bot is in the forum too, so Acme keeps its binding.
    acme = tenants["acme"].id
    await store.topics.bind(acme, "default", forum["id"], "Поддержка")
    await store.started.mark(world.acme.id, forum["id"])

    await world.tg.kick_bot(forum["id"], world.default.id, by=boss)

    async def unbound() -> bool:
        return await store.topics.binding(tid, "default") is None

    await eventually(unbound)
    assert (await store.topics.binding(acme, "default")).chat_id == forum["id"]
    [(_, fields)] = await store.redis.xrange(keys.intake(tid))
    notice = decode(fields)
    assert isinstance(notice, AdminsEntry)
    assert "“Поддержка”" in notice.text and "“Main group”" in notice.text  # Globex speaks English
    assert not await store.started.has(world.default.id, forum["id"])
