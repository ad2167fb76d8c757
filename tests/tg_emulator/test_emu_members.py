"""getChatMember and getChatAdministrators: shapes per the spec, and PTB reading them."""

import pytest
from telegram import Bot, ChatMemberAdministrator, ChatMemberLeft, ChatMemberMember
from telegram.error import BadRequest, Forbidden


@pytest.fixture
async def group(client, world):
    boss = await client.create_user("Boss", user_id=6001)
    staff = await client.create_user("Staff", user_id=6002)
    chat = await client.create_group(
        "Sales", members=[staff["id"]], admins=[boss["id"]], bots=[world["bot_id"]]
    )
    return {"chat_id": chat["id"], "boss": boss["id"], "staff": staff["id"]}


async def test_answers_match_the_spec(raw, spec, world, group):
    token = world["token"]
    for user_id, status in ((group["boss"], "administrator"), (group["staff"], "member"),
                            (world["user_id"], "left")):  # fmt: skip
        code, body, _ = await raw.call(
            token, "getChatMember", chat_id=group["chat_id"], user_id=user_id
        )
        assert code == 200 and body["result"]["status"] == status
        assert spec.check_result("getChatMember", body["result"]) == []
    code, body, _ = await raw.call(token, "getChatAdministrators", chat_id=group["chat_id"])
    assert code == 200 and [m["user"]["id"] for m in body["result"]] == [group["boss"]]
    assert spec.check_result("getChatAdministrators", body["result"]) == []


async def test_ptb_reads_members_and_errors_map(emu, world, group):
    async with Bot(world["token"], base_url=emu.bot_api_base) as bot:
        boss = await bot.get_chat_member(group["chat_id"], group["boss"])
        staff = await bot.get_chat_member(group["chat_id"], group["staff"])
        stranger = await bot.get_chat_member(group["chat_id"], world["user_id"])
        assert isinstance(boss, ChatMemberAdministrator)
        assert isinstance(staff, ChatMemberMember) and isinstance(stranger, ChatMemberLeft)
        admins = await bot.get_chat_administrators(group["chat_id"])
        assert [a.user.id for a in admins] == [group["boss"]]
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.get_chat_member(-999_999, group["boss"])
        with pytest.raises(BadRequest, match=r"(?i)user not found"):
            await bot.get_chat_member(group["chat_id"], 424242)


async def test_a_bot_outside_the_group_is_refused(client, emu, raw, group):
    outsider = await client.create_bot("outsider_bot")
    code, body, _ = await raw.call(
        outsider["token"], "getChatMember", chat_id=group["chat_id"], user_id=group["boss"]
    )
    assert code == 403 and body["description"].startswith("Forbidden: bot is not a member")
    async with Bot(outsider["token"], base_url=emu.bot_api_base) as bot:
        with pytest.raises(Forbidden):
            await bot.get_chat_administrators(group["chat_id"])
