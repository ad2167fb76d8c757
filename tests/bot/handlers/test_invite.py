"""/start <invite code>: subscribes (to the invite's group), refuses spent codes politely,
counts refusals toward the wrong-key throttle, never logs a code; /activate when the tenant
allows invites only."""

from __future__ import annotations

import logging

from store.facts import WRONG_KEY_LIMIT

ACTIVATED = "Отправка уведомлений активирована."


async def test_an_invite_subscribes_to_its_group_through_the_tenants_bot(
    world, runtimes, tenants, store, caplog
):
    caplog.set_level(logging.DEBUG)
    await runtimes()
    acme = tenants["acme"]
    await store.groups.ensure(acme.id, "sales", "Продажи", notify=True)
    inv, code = await store.invites.create(acme.id, group="sales", uses=1, hours=24)
    uid = await world.user("Анна")
    answer = await world.ask(world.acme, uid, f"/start {code}")
    assert answer.startswith(ACTIVATED) and "Компания: Acme" in answer
    assert "Группа: Продажи" in answer
    sub = await store.subs.get(acme.id, uid)
    assert sub.groups == frozenset({"sales"}) and sub.name == "Анна"
    assert (await store.invites.find(acme.id, inv.id)).uses_left == 0
    # Tapping the link again when subscribed spends nothing and still answers.
    assert (await world.ask(world.acme, uid, f"/start {code}")).startswith(ACTIVATED)

    other = await world.user("Борис")
    refused = await world.ask(world.acme, other, f"/start {code}")
    assert refused.startswith("Это приглашение уже использовано.")
    assert await store.subs.find(acme.id, other) is None
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert code not in logged and code[4:] not in logged
    # The runtime recorded the default bot, whose username the CLI's links need.
    assert await store.default_bot.username() == world.default.username


async def test_expired_revoked_and_foreign_codes_are_refused(
    world, runtimes, tenants, store, clock
):
    await runtimes()
    acme, globex = tenants["acme"], tenants["globex"]
    _, old = await store.invites.create(acme.id, group=None, uses=5, hours=1)
    clock.advance(3601)
    _, withdrawn = await store.invites.create(acme.id, group=None, uses=5, hours=1)
    await store.invites.revoke(acme.id, withdrawn)
    _, foreign = await store.invites.create(globex.id, group=None, uses=5, hours=1)
    uid = await world.user("Анна")
    assert "Срок действия приглашения истёк" in await world.ask(world.default, uid, f"/start {old}")
    assert "отозвано администратором" in await world.ask(world.default, uid, f"/start {withdrawn}")
    # Globex's invite typed to Acme's own bot looks like no invite at all.
    assert "такой ссылки нет" in await world.ask(world.acme, uid, f"/start {foreign}")
    assert await store.subs.tenants_of_chat(uid) == []
    # The default bot takes every tenant's invite.
    en = await world.ask(world.default, uid, f"/start {foreign}")
    assert en.startswith("Notifications are activated.") and "Globex" in en


async def test_refused_codes_count_toward_the_wrong_key_throttle(world, runtimes, tenants, store):
    await runtimes()
    acme = tenants["acme"]
    _, code = await store.invites.create(acme.id, group=None, uses=1, hours=1)
    await store.invites.revoke(acme.id, code)
    uid = await world.user("Анна")
    for _ in range(WRONG_KEY_LIMIT):
        assert "отозвано" in await world.ask(world.acme, uid, f"/start {code}")
    assert "Слишком много неверных" in await world.ask(world.acme, uid, f"/start {code}")
    assert "Слишком много неверных ключей" in await world.ask(
        world.acme, uid, f"/activate {tenants['acme_key']}"
    )
    _, good = await store.invites.create(acme.id, group=None, uses=1, hours=1)
    assert "Слишком много неверных ключей" in await world.ask(world.acme, uid, f"/start {good}")
    assert await store.subs.find(acme.id, uid) is None


async def test_key_activation_off_leaves_invites_only(world, runtimes, tenants, store):
    await runtimes()
    acme = tenants["acme"]
    await store.tenants.set_options(acme.id, key_activation=False)
    uid = await world.user("Анна")
    answer = await world.ask(world.acme, uid, f"/activate {tenants['acme_key']}")
    assert "подключает сотрудников только по приглашениям" in answer
    assert "Сообщение с ключом удалено" in answer
    assert not await world.alive(uid, world.acme, world.last_message_id)
    assert await store.subs.find(acme.id, uid) is None
    _, code = await store.invites.create(acme.id, group=None, uses=1, hours=1)
    # Typed after /activate, an invite code works as its link does.
    assert (await world.ask(world.acme, uid, f"/activate {code}")).startswith(ACTIVATED)
    sub = await store.subs.get(acme.id, uid)
    assert sub.groups is None
