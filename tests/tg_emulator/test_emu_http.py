"""The Bot API over raw HTTP: auth, parsing, the error catalogue, long polling, limits."""

from __future__ import annotations

import asyncio
import json

import pytest

from tg_emulator import EmulatorSettings, RateLimits
from tg_emulator.state import generate_token

UNAUTHORIZED = {"ok": False, "error_code": 401, "description": "Unauthorized"}
NOT_FOUND = {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_token_checks_and_unknown_method(raw, world, client):
    assert (await raw.call(generate_token(123456789), "getMe"))[:2] == (401, UNAUTHORIZED)
    assert (await raw.call("12345:short", "getMe"))[:2] == (404, NOT_FOUND)
    assert (await raw.call(world["token"], "noSuchMethod"))[:2] == (404, NOT_FOUND)
    new = await client.revoke_token(world["bot_id"])
    assert (await raw.call(world["token"], "getMe"))[:2] == (401, UNAUTHORIZED)
    status, body, _ = await raw.call(new, "getme")  # method names are case-insensitive
    assert status == 200 and body["result"]["id"] == world["bot_id"]


async def test_bad_json_is_a_telegram_400_not_a_500(raw, world, emu):
    url = f"{emu.base_url}/bot{world['token']}/sendMessage"
    for payload in (b"{bad", b"[1, 2]"):
        async with raw.session.post(
            url, data=payload, headers={"Content-Type": "application/json"}
        ) as resp:
            assert resp.status == 400
            assert (await resp.json())["description"] == "Bad Request: can't parse JSON object"
    status, body, _ = await raw.call(world["token"], "sendMessage", chat_id="x", text="hi")
    assert (status, body["description"]) == (400, "Bad Request: chat not found")
    status, body, _ = await raw.call(
        world["token"], "sendMessage", form={"chat_id": world["user_id"], "text": "t",
                                             "reply_markup": "{nope"}
    )  # fmt: skip
    assert status == 400 and "can't parse reply keyboard markup" in body["description"]


async def test_form_post_with_json_string_markup_like_ptb(raw, world, spec):
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go:1"}]]}
    status, body, _ = await raw.call(
        world["token"],
        "sendMessage",
        form={
            "chat_id": str(world["user_id"]),
            "text": "<b>Hi</b> there",
            "parse_mode": "HTML",
            "reply_markup": json.dumps(markup),
            "disable_notification": "true",
            "link_preview_options": json.dumps({"is_disabled": True}),
        },
    )
    assert status == 200, body
    msg = body["result"]
    assert spec.check_result("sendMessage", msg) == []
    assert msg["text"] == "Hi there" and msg["reply_markup"] == markup
    assert msg["entities"] == [{"offset": 0, "length": 2, "type": "bold"}]
    assert isinstance(msg["date"], int) and msg["date"] < 10**10


async def test_get_query_string_parameters_work(raw, world, emu):
    url = f"{emu.base_url}/bot{world['token']}/getMe"
    async with raw.session.get(url) as resp:
        assert (await resp.json())["result"]["is_bot"] is True


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("", "Bad Request: message text is empty"),
        ("   ", "Bad Request: message text is empty"),
        ("x" * 4097, "Bad Request: message is too long"),
        ("<b>x", "Bad Request: can't parse entities: "
                 'Can\'t find end tag corresponding to start tag "b"'),
        ("<blink>x</blink>", "Bad Request: can't parse entities: "
                             'Unsupported start tag "blink" at byte offset 0'),
    ],
)  # fmt: skip
async def test_text_rejections(raw, world, text, description):
    status, body, _ = await raw.call(
        world["token"], "sendMessage", chat_id=world["user_id"], text=text, parse_mode="HTML"
    )
    assert (status, body["description"]) == (400, description)


async def test_text_limit_counts_after_entity_parsing(raw, world):
    status, _, _ = await raw.call(
        world["token"], "sendMessage", chat_id=world["user_id"],
        text="<b>" + "x" * 4096 + "</b>", parse_mode="HTML",
    )  # fmt: skip
    assert status == 200


async def test_callback_data_over_64_bytes_is_button_data_invalid(raw, world):
    markup = {"inline_keyboard": [[{"text": "x", "callback_data": "é" * 33}]]}
    status, body, _ = await raw.call(
        world["token"], "sendMessage", chat_id=world["user_id"], text="t", reply_markup=markup
    )
    assert (status, body["description"]) == (400, "Bad Request: BUTTON_DATA_INVALID")


async def test_answers_conform_to_the_spec(raw, world, client, spec):
    token, uid = world["token"], world["user_id"]
    calls = [
        ("getMe", {}),
        ("getUpdates", {}),
        ("getWebhookInfo", {}),
        ("setMyCommands", {"commands": [{"command": "start", "description": "Start"}]}),
        ("getMyCommands", {}),
        ("setMyDescription", {"description": "Missed calls", "language_code": "en"}),
        ("getMyDescription", {"language_code": "en"}),
        ("getMyShortDescription", {}),
        ("getChat", {"chat_id": uid}),
        ("sendChatAction", {"chat_id": uid, "action": "typing"}),
    ]
    for method, params in calls:
        status, body, _ = await raw.call(token, method, **params)
        assert status == 200, (method, body)
        assert spec.check_result(method, body["result"]) == [], method
    sent = (await raw.call(token, "sendMessage", chat_id=uid, text="x"))[1]["result"]
    markup = {"inline_keyboard": [[{"text": "a", "callback_data": "a"}]]}
    status, body, _ = await raw.call(
        token, "editMessageText", chat_id=uid, message_id=sent["message_id"], text="y",
        reply_markup=markup,
    )  # fmt: skip
    assert spec.check_result("editMessageText", body["result"]) == []
    assert body["result"]["edit_date"] >= body["result"]["date"]
    await client.press_button(world["bot_id"], uid, sent["message_id"], data="a")
    updates = (await raw.call(token, "getUpdates"))[1]["result"]
    assert spec.check_result("getUpdates", updates) == []
    query = updates[-1]["callback_query"]
    assert query["chat_instance"] and query["from"]["id"] == uid and query["data"] == "a"


async def test_commands_and_descriptions_are_per_scope_and_language(raw, world):
    token = world["token"]
    group_scope = {"type": "all_group_chats"}
    await raw.call(token, "setMyCommands", commands=[{"command": "a", "description": "A"}])
    await raw.call(
        token, "setMyCommands", commands=[{"command": "b", "description": "B"}],
        scope=group_scope, language_code="ru",
    )  # fmt: skip
    assert (await raw.call(token, "getMyCommands"))[1]["result"][0]["command"] == "a"
    got = await raw.call(token, "getMyCommands", scope=group_scope, language_code="ru")
    assert got[1]["result"] == [{"command": "b", "description": "B"}]
    assert (await raw.call(token, "getMyCommands", scope=group_scope))[1]["result"] == []
    await raw.call(token, "deleteMyCommands")
    assert (await raw.call(token, "getMyCommands"))[1]["result"] == []
    bad = await raw.call(token, "setMyCommands", commands=[{"command": "Bad!", "description": "x"}])
    assert bad[1]["description"] == "Bad Request: BOT_COMMAND_INVALID"
    await raw.call(token, "setMyShortDescription", short_description="kurz", language_code="de")
    got = await raw.call(token, "getMyShortDescription", language_code="de")
    assert got[1]["result"] == {"short_description": "kurz"}
    assert (await raw.call(token, "getMyShortDescription"))[1]["result"]["short_description"] == ""


async def test_long_poll_waits_without_busy_loop_and_wakes_on_update(raw, world, client):
    token = world["token"]
    first = (await raw.call(token, "getUpdates"))[1]["result"]
    offset = first[-1]["update_id"] + 1
    poll = asyncio.create_task(raw.call(token, "getUpdates", offset=offset, timeout=10))
    await asyncio.sleep(0.05)
    assert not poll.done()
    stats_before = await client.stats(world["bot_id"])
    await client.send_text(world["bot_id"], world["user_id"], "hello")
    status, body, _ = await asyncio.wait_for(poll, 5)
    assert status == 200 and body["result"][0]["message"]["text"] == "hello"
    stats_after = await client.stats(world["bot_id"])
    assert stats_after["by_method"]["getupdates"] == stats_before["by_method"]["getupdates"]
    # The confirmed update is gone, the limit applies and a timeout of 0 returns at once.
    await client.send_text(world["bot_id"], world["user_id"], "one")
    await client.send_text(world["bot_id"], world["user_id"], "two")
    offset = body["result"][0]["update_id"] + 1
    got = (await raw.call(token, "getUpdates", offset=offset, limit=1))[1]["result"]
    assert [u["message"]["text"] for u in got] == ["one"]


async def test_empty_long_poll_returns_after_its_timeout(raw, world):
    await raw.call(world["token"], "getUpdates", offset=-1)
    status, body, _ = await raw.call(world["token"], "getUpdates", offset=10**6, timeout=0.2)
    assert (status, body["result"]) == (200, [])


async def test_allowed_updates_filters_and_persists(raw, world, client):
    token = world["token"]
    await raw.call(token, "getUpdates", offset=-1)
    last = (await raw.call(token, "getUpdates"))[1]["result"][-1]["update_id"]
    await client.block_bot(world["user_id"], world["bot_id"])  # my_chat_member
    await client.send_text(world["bot_id"], world["user_id"], "msg")
    got = (await raw.call(token, "getUpdates", offset=last + 1,
                          allowed_updates=["my_chat_member"]))[1]["result"]  # fmt: skip
    assert [next(k for k in u if k != "update_id") for u in got] == ["my_chat_member"]
    assert got[0]["my_chat_member"]["new_chat_member"]["status"] == "kicked"


async def test_second_poller_makes_the_earlier_one_get_409(raw, world):
    token = world["token"]
    await raw.call(token, "getUpdates", offset=-1)
    offset = 10**6
    earlier = asyncio.create_task(raw.call(token, "getUpdates", offset=offset, timeout=5))
    await asyncio.sleep(0.05)
    later = asyncio.create_task(raw.call(token, "getUpdates", offset=offset, timeout=0.3))
    status, body, _ = await asyncio.wait_for(earlier, 3)
    assert status == 409
    assert body["description"] == (
        "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running"
    )
    assert (await later)[0] == 200


async def test_get_updates_while_webhook_set_is_409(raw, world):
    token = world["token"]
    await raw.call(token, "setWebhook", url="http://127.0.0.1:9/hook")
    status, body, _ = await raw.call(token, "getUpdates")
    assert status == 409 and body["description"].startswith("Conflict: can't use getUpdates")
    info = (await raw.call(token, "getWebhookInfo"))[1]["result"]
    assert info["url"] == "http://127.0.0.1:9/hook"
    await raw.call(token, "deleteWebhook", drop_pending_updates=True)
    assert (await raw.call(token, "getUpdates"))[1]["result"] == []


class TestLenientLimits:
    """The token-bucket model, chosen explicitly (the strict one: test_emu_limits.py)."""

    @pytest.fixture
    def settings(self) -> EmulatorSettings:
        return EmulatorSettings(
            limits=RateLimits.lenient(
                bot_per_second=5, bot_burst=5, private_burst=3, group_per_minute=2
            )
        )

    async def test_private_chat_burst_then_429_with_header(self, raw, world, client):
        results = [
            await raw.call(world["token"], "sendMessage", chat_id=world["user_id"], text=str(i))
            for i in range(4)
        ]
        assert [r[0] for r in results[:3]] == [200, 200, 200]
        status, body, headers = results[3]
        assert status == 429
        retry = body["parameters"]["retry_after"]
        assert body == {
            "ok": False,
            "error_code": 429,
            "description": f"Too Many Requests: retry after {retry}",
            "parameters": {"retry_after": retry},
        }
        assert headers["Retry-After"] == str(retry) and retry >= 1
        stats = await client.stats(world["bot_id"])
        assert (stats["messages_sent"], stats["too_many_requests"]) == (3, 1)
        # Reads do not count against the send budget.
        assert (await raw.call(world["token"], "getMe"))[0] == 200

    async def test_group_limit_per_minute(self, raw, world, client):
        group = await client.create_group("G", members=[world["user_id"]], bots=[world["bot_id"]])
        codes = [
            (await raw.call(world["token"], "sendMessage", chat_id=group["id"], text="x"))[0]
            for _ in range(3)
        ]
        assert codes == [200, 200, 429]

    async def test_bot_wide_limit_across_chats(self, raw, world, client):
        ids = []
        for i in range(6):
            user = await client.create_user(f"U{i}")
            await client.send_command(world["bot_id"], user["id"], "start")
            ids.append(user["id"])
        codes = [
            (await raw.call(world["token"], "sendMessage", chat_id=uid, text="x"))[0] for uid in ids
        ]
        assert codes == [200] * 5 + [429]
