"""Forum topics: createForumTopic per the spec, through PTB, and sendMessage's thread check."""

import pytest
from telegram import Bot, ForumTopic
from telegram.error import BadRequest


@pytest.fixture
async def forum(client, world):
    boss = await client.create_user("Boss", user_id=6101)
    chat = await client.create_group("Support", admins=[boss["id"]], supergroup=True)
    await client.add_bot_to_chat(chat["id"], world["bot_id"], admin=True)
    await client.make_forum(chat["id"])
    return chat["id"]


async def test_a_topic_is_created_and_messages_go_into_it(emu, client, world, forum, spec, raw):
    code, body, _ = await raw.call(world["token"], "createForumTopic", chat_id=forum, name="Sales")
    assert code == 200 and spec.check_result("createForumTopic", body["result"]) == []
    async with Bot(world["token"], base_url=f"{emu.base_url}/bot") as bot:
        topic = await bot.create_forum_topic(forum, "Support line")
        assert isinstance(topic, ForumTopic) and topic.name == "Support line"
        assert topic.message_thread_id == body["result"]["message_thread_id"] + 1
        sent = await bot.send_message(forum, "hi", message_thread_id=topic.message_thread_id)
        assert sent.message_thread_id == topic.message_thread_id
        with pytest.raises(BadRequest, match="thread not found"):
            await bot.send_message(forum, "lost", message_thread_id=999)
    [record] = (await client.message_records(forum))["messages"]
    assert record["message"]["message_thread_id"] == topic.message_thread_id


async def test_refusals(emu, client, world):
    plain = await client.create_group("Plain", supergroup=True, bots=[world["bot_id"]])
    member = await client.create_group("Member", supergroup=True, bots=[world["bot_id"]])
    await client.make_forum(member["id"])
    async with Bot(world["token"], base_url=f"{emu.base_url}/bot") as bot:
        with pytest.raises(BadRequest, match="not a forum"):
            await bot.create_forum_topic(plain["id"], "x")
        with pytest.raises(BadRequest, match=r"(?i)not enough rights"):
            await bot.create_forum_topic(member["id"], "x")
        # Outside a forum a thread id is not checked (a plain group's reply thread).
        await bot.send_message(plain["id"], "ok", message_thread_id=5)
    basic = await client.create_group("Basic", bots=[world["bot_id"]])
    with pytest.raises(Exception, match="not a supergroup"):
        await client.make_forum(basic["id"])


async def test_a_forum_says_is_forum_and_its_admins_may_manage_topics(
    emu, client, world, spec, raw
):
    boss = await client.create_user("Boss", user_id=6102)
    chat = await client.create_group("Desk", admins=[boss["id"]], supergroup=True)
    await client.add_bot_to_chat(chat["id"], world["bot_id"], admin=True)
    async with Bot(world["token"], base_url=f"{emu.base_url}/bot") as bot:
        assert not (await bot.get_chat(chat["id"])).is_forum
        await client.make_forum(chat["id"])
        assert (await bot.get_chat(chat["id"])).is_forum
        me = await bot.get_chat_member(chat["id"], world["bot_id"])
        assert me.status == "administrator" and me.can_manage_topics and me.can_pin_messages
        params = {"chat_id": chat["id"], "user_id": world["bot_id"]}
        code, body, _ = await raw.call(world["token"], "getChatMember", **params)
        assert code == 200 and spec.check_result("getChatMember", body["result"]) == []
        # Added again without the right to manage topics: the member says so, topics refuse.
        rights = {"can_manage_topics": False}
        await client.add_bot_to_chat(chat["id"], world["bot_id"], admin=True, rights=rights)
        me = await bot.get_chat_member(chat["id"], world["bot_id"])
        assert me.status == "administrator" and me.can_manage_topics is False
        with pytest.raises(BadRequest, match=r"(?i)not enough rights"):
            await bot.create_forum_topic(chat["id"], "x")


async def test_a_startgroup_link_brings_my_chat_member_and_start(emu, client, world, spec, raw):
    boss = await client.create_user("Boss", user_id=6103)
    chat = await client.create_group("Desk", admins=[boss["id"]], supergroup=True)
    await client.make_forum(chat["id"])
    await client.add_bot_to_chat(
        chat["id"], world["bot_id"], admin=True, by=boss["id"], start="fm1-abc"
    )
    code, body, _ = await raw.call(world["token"], "getUpdates")
    assert code == 200 and spec.check_result("getUpdates", body["result"]) == []
    async with Bot(world["token"], base_url=f"{emu.base_url}/bot") as bot:
        joined, start = (await bot.get_updates())[-2:]
    change = joined.my_chat_member
    assert change.chat.id == chat["id"] and change.chat.is_forum
    assert change.from_user.id == boss["id"]
    assert change.old_chat_member.status == "left"
    assert change.new_chat_member.status == "administrator"
    assert change.new_chat_member.can_manage_topics
    username = (await client.bots())[0]["username"]
    assert start.message.text == f"/start@{username} fm1-abc"
    assert start.message.chat.id == chat["id"] and start.message.from_user.id == boss["id"]
    assert start.message.entities[0].type == "bot_command"
