"""A tenant's own bot takes only that tenant's API key: its owner can read what is typed to it."""

from __future__ import annotations

import pytest
from telegram import Chat

from bot.context import BotDeps, BotRef
from bot.handlers.keyflow import delivery_hint
from perezvon.texts import Catalogue

REFUSED = "Этот бот принимает только ключ API своей компании"


@pytest.mark.parametrize("command", ["/activate {key}", "/mute {key}", "/active {key}", "{key}"])
async def test_another_tenants_key_is_refused_like_a_wrong_one(
    world, runtimes, tenants, store, command
):
    await runtimes()
    uid = await world.user("Анна")
    foreign = await world.ask(world.acme, uid, command.format(key=tenants["globex_key"]))
    assert not await world.alive(uid, world.acme, world.last_message_id)
    wrong = await world.ask(world.acme, uid, command.format(key="pzv_" + "Q" * 32))
    assert not await world.alive(uid, world.acme, world.last_message_id)
    # Not a word about whether the key works elsewhere: both answers are the same.
    assert foreign == wrong
    assert REFUSED in foreign and "@PerezvonBot" in foreign
    assert "Сообщение с ключом удалено" in foreign
    assert await store.subs.tenants_of_chat(uid) == []


async def test_a_deep_link_with_another_tenants_key_is_refused(world, runtimes, tenants, store):
    await runtimes()
    uid = await world.user("Анна")
    answer = await world.ask(world.acme, uid, f"/start {tenants['globex_key']}")
    assert REFUSED in answer and not await world.alive(uid, world.acme, world.last_message_id)
    assert await store.subs.tenants_of_chat(uid) == []
    # The default bot takes it.
    ok = await world.ask(world.default, uid, f"/activate {tenants['globex_key']}")
    assert ok.startswith("Notifications are activated.")


def _deps(store, me: BotRef, default: BotRef) -> BotDeps:
    return BotDeps(store, Catalogue(), me, default, (), lambda: None)


async def test_activation_through_a_bot_that_cannot_deliver_points_to_the_default_bot(store):
    tenant, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    default = BotRef(100, "PerezvonBot", "Perezvon")
    # A bot of the tenant that is not (any more) its active one: it will not deliver.
    old = BotRef(200, "OldAcmeBot", "Old", tenant.id, "b-old")
    chat = Chat(555, Chat.PRIVATE)
    await store.started.mark(old.tg_id, chat.id)
    hint = await delivery_hint(_deps(store, old, default), chat, tenant.id)
    assert hint == [("bot.activated.start_default", {"bot": "PerezvonBot"})]
    text = Catalogue().t("ru", *hint[0][:1], **hint[0][1])
    assert "https://t.me/PerezvonBot?start=hi" in text

    # Once the chat started the default bot, nothing more to do.
    await store.started.mark(default.tg_id, chat.id)
    assert await delivery_hint(_deps(store, old, default), chat, tenant.id) == []
