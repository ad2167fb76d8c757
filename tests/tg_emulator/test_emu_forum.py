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
