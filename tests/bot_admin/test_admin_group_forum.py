"""«Тема в форуме» on a group's screen: a one-time startgroup link; the bot added to a forum
with it checks is_forum and its own right to manage topics, binds, and says so in the forum
and to the admin; polite refusals otherwise; «Отвязать»."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from bot.keyboards.admin import gref
from bot.keyboards.admin_group import GroupCard
from delivery.intake import Intake
from store import keys
from store.events import CallEvent
from store.topics import code_tenant
from tests.bot_admin.conftest import eventually


async def forum_screen(me, tid: str, gid: str = "default") -> str:
    await me.press("Группы")
    menu = await me.menu()
    await me.press_data(GroupCard(tid, gref(gid)).pack(), menu["message_id"])
    await me.press("Тема в форуме")
    return await me.screen()


async def new_link(me) -> str:
    """Press «Привязать форум»; the code of the t.me link the screen gives."""
    await me.press("Привязать форум")
    message = await me.menu()
    urls = [
        b["url"] for row in message["reply_markup"]["inline_keyboard"] for b in row if "url" in b
    ]
    assert len(urls) == 1 and urls[0] in message["text"]
    link = urlparse(urls[0])
    query = parse_qs(link.query)
    assert link.netloc == "t.me" and link.path == "/PerezvonBot"
    assert query["admin"] == ["manage_topics"]
    return query["startgroup"][0]


async def forum(world, owner: int, title: str = "Поддержка", topics: bool = True) -> int:
    chat = await world.tg.create_group(title, admins=[owner], supergroup=True)
    if topics:
        await world.tg.make_forum(chat["id"])
    return chat["id"]


async def test_the_link_binds_the_group_and_both_sides_hear(signed_in, world, store, acme):
    me, tenant = signed_in, acme[0]
    assert "Нажмите «Привязать форум»" in await forum_screen(me, tenant.id)
    code = await new_link(me)
    assert code_tenant(code) == tenant.id
    assert 0 < await store.redis.pttl(keys.forum_code(tenant.id, code)) <= 900_000
    chat = await forum(world, me.uid)
    await world.tg.add_bot_to_chat(chat, world.default.id, admin=True, by=me.uid, start=code)
    said = await world.receives(chat, world.default, "Готово")
    assert "«Основная группа»" in said and "«Acme»" in said
    note = await world.receives(me.uid, world.default, "привязана к форуму")
    assert "«Поддержка»" in note
    binding = await store.topics.binding(tenant.id, "default")
    assert binding is not None and binding.chat_id == chat and binding.thread is None

    # The screen says so; the same link used again (another forum) is refused politely.
    await me.press("К группе")
    assert f"Тема в форуме: привязана к чату {chat}" in await me.screen()
    other = await forum(world, me.uid, "Другой")
    await world.tg.add_bot_to_chat(other, world.default.id, admin=True, by=me.uid, start=code)
    assert "уже использована или устарела" in await world.receives(other, world.default, "ссылка")
    assert (await store.topics.binding(tenant.id, "default")).chat_id == chat

    # «Отвязать».
    await me.press("Тема в форуме")
    assert "приходят в форум" in await me.screen()
    assert await me.press("Отвязать") == (
        "Форум отвязан: карточки группы приходят только в личные чаты."
    )
    assert await store.topics.binding(tenant.id, "default") is None
    assert "Отвязать" not in " ".join(await me.labels())
    journal = [(e.action, e.detail) for e in await store.audit.recent(tenant.id, 0, 10)]
    assert ("group.forum", f"Основная группа: {chat} (Поддержка)") in journal
    assert ("group.forum", f"Основная группа: {chat} → -") in journal


async def test_a_chat_without_topics_is_refused_and_the_link_still_works(
    signed_in, world, store, acme
):
    me, tenant = signed_in, acme[0]
    await forum_screen(me, tenant.id)
    code = await new_link(me)
    chat = await forum(world, me.uid, topics=False)
    await world.tg.add_bot_to_chat(chat, world.default.id, admin=True, by=me.uid, start=code)
    assert "не включены темы" in await world.receives(chat, world.default, "темы")
    assert "не привязана" in await world.receives(me.uid, world.default, "не привязана")
    assert await store.topics.binding(tenant.id, "default") is None
    # Topics switched on, the same link again: bound.
    await world.tg.make_forum(chat)
    await world.tg.add_bot_to_chat(chat, world.default.id, admin=True, by=me.uid, start=code)
    await world.receives(chat, world.default, "Готово")
    assert (await store.topics.binding(tenant.id, "default")).chat_id == chat


async def test_without_the_right_to_manage_topics_nothing_is_bound(signed_in, world, store, acme):
    me, tenant = signed_in, acme[0]
    await forum_screen(me, tenant.id)
    code = await new_link(me)
    chat = await forum(world, me.uid)
    no_topics = {"can_manage_topics": False}
    await world.tg.add_bot_to_chat(
        chat, world.default.id, admin=True, by=me.uid, rights=no_topics, start=code
    )
    assert "право управлять темами" in await world.receives(chat, world.default, "право")
    assert await store.topics.binding(tenant.id, "default") is None
    # A plain member (not an administrator) is refused the same way.
    await world.tg.add_bot_to_chat(chat, world.default.id, by=me.uid, start=code)

    async def twice() -> bool:
        return len([t for t in await world.texts(chat, world.default) if "право" in t]) == 2

    await eventually(twice)
    assert await store.topics.binding(tenant.id, "default") is None


async def test_an_expired_link_is_refused(signed_in, world, store, acme):
    me, tenant = signed_in, acme[0]
    await forum_screen(me, tenant.id)
    code = await new_link(me)
    await store.redis.pexpire(keys.forum_code(tenant.id, code), 1)  # Redis lets it lapse
    chat = await forum(world, me.uid)
    await world.tg.add_bot_to_chat(chat, world.default.id, admin=True, by=me.uid, start=code)
    assert "уже использована или устарела" in await world.receives(chat, world.default, "ссылка")
    assert await store.topics.binding(tenant.id, "default") is None


async def test_after_a_menu_binding_the_cards_go_to_the_groups_topic(
    signed_in, world, store, acme, engine
):
    me, tenant = signed_in, acme[0]
    await forum_screen(me, tenant.id)
    code = await new_link(me)
    chat = await forum(world, me.uid)
    await world.tg.add_bot_to_chat(chat, world.default.id, admin=True, by=me.uid, start=code)
    await world.receives(chat, world.default, "Готово")
    event = CallEvent(call_id="f1", caller="+79001112233", group="default")
    assert (await Intake(store).submit(tenant, event)).outcome == "accepted"

    async def card() -> dict | None:
        messages = await world.tg.messages(chat, world.default.id)
        found = [m for m in messages if "9001112233" in m.get("text", "")]
        return found[0] if found else None

    sent = await eventually(card)
    thread = (await store.topics.binding(tenant.id, "default")).thread
    assert thread and sent["message_thread_id"] == thread


async def test_another_tenants_own_bot_does_not_take_the_code(
    signed_in, world, store, acme, globex
):
    me, tenant = signed_in, acme[0]
    own = await store.bots.add(
        globex[0].id, "Globex", world.globex.token, "GlobexBot", world.globex.id
    )
    await store.bots.activate(globex[0].id, own.id)
    await forum_screen(me, tenant.id)
    code = await new_link(me)
    chat = await forum(world, me.uid)
    # @GlobexBot serves Globex only: an Acme code means nothing to it.
    await world.tg.add_bot_to_chat(chat, world.globex.id, admin=True, by=me.uid, start=code)
    assert "уже использована или устарела" in await world.receives(chat, world.globex, "ссылка")
    assert await store.topics.binding(tenant.id, "default") is None
    # The code is still good for the bot it names.
    await world.tg.add_bot_to_chat(chat, world.default.id, admin=True, by=me.uid, start=code)
    await world.receives(chat, world.default, "Готово")
    assert (await store.topics.binding(tenant.id, "default")).chat_id == chat
