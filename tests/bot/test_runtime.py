"""The runtime: bots come and go while it runs, restarts, two instances, leases, webhooks."""

from __future__ import annotations

import logging
import socket

import aiohttp
import pytest
from aiohttp import web
from telegram import Update
from telegram.error import InvalidToken
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from bot.errors import DefaultTokenRejected
from bot.registry import Feature
from bot.runtime import BotRuntime
from bot.webhook import SECRET_HEADER, add_webhook_route
from perezvon.texts import Catalogue
from store import keys
from store.models import BotStatus


async def test_bots_are_added_and_removed_while_running(
    world, runtimes, tenants, store, eventually
):
    runtime = await runtimes()
    assert runtime.serving == {world.default.id, world.acme.id}
    globex, globex_bot = tenants["globex"], tenants["globex_bot"]

    await store.bots.activate(globex.id, globex_bot.id)  # the pub/sub nudge starts it at once
    await eventually(lambda: _serves(runtime, world.globex.id))
    user = await world.user("Ann", "en")
    assert "/status" in await world.ask(world.globex, user, "/help")

    await store.bots.deactivate(tenants["acme"].id, tenants["acme_bot"].id)
    await eventually(lambda: _serves(runtime, world.acme.id, False))
    assert runtime.serving == {world.default.id, world.globex.id}


async def _serves(runtime: BotRuntime, bot_id: int, yes: bool = True) -> bool:
    return (bot_id in runtime.serving) == yes


async def test_a_revoked_token_stops_the_bot_and_marks_it_broken(
    world, runtimes, tenants, store, eventually
):
    runtime = await runtimes()
    await world.tg.revoke_token(world.acme.id)

    async def broken() -> bool:
        bot = await store.bots.get(tenants["acme"].id, tenants["acme_bot"].id)
        return bot.status is BotStatus.BROKEN and world.acme.id not in runtime.serving

    await eventually(broken)
    assert runtime.serving == {world.default.id}
    assert await store.bots.all_active() == []


async def test_a_revoked_token_is_one_warning_line_in_the_log(
    world, runtimes, tenants, store, eventually, caplog
):
    caplog.set_level(logging.INFO)
    runtime = await runtimes()
    uid = await world.user("Анна")
    await world.ask(world.acme, uid, f"/activate {tenants['acme_key']}")
    caplog.clear()
    await world.tg.revoke_token(world.acme.id)

    async def broken() -> bool:
        bot = await store.bots.get(tenants["acme"].id, tenants["acme_bot"].id)
        return bot.status is BotStatus.BROKEN and world.acme.id not in runtime.serving

    await eventually(broken)
    await runtime.stop()
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in loud] == [
        f"bot {world.acme.id} of tenant {tenants['acme'].id}: token rejected; marked broken"
    ]
    assert not [r for r in caplog.records if r.exc_info or r.exc_text]
    assert "Traceback" not in caplog.text


async def test_default_token_rejected_is_a_typed_failure(world, store, secret_key):
    runtime = BotRuntime(
        store,
        Catalogue(),
        api_base=world.base_url,
        default_token=world.default.token[:-3] + "xyz",
        secret_key=secret_key,
        instance_id="x",
    )
    with pytest.raises(DefaultTokenRejected):
        await runtime.start()


async def test_a_restart_in_the_middle_loses_and_repeats_nothing(world, runtimes, tenants):
    first = await runtimes("before")
    uid = await world.user("Анна")
    await world.ask(world.acme, uid, f"/activate {tenants['acme_key']}")
    await first.stop()

    # Written while no process runs: answered once the next one starts.
    await world.send(world.acme, uid, "/status")
    await world.send(world.default, uid, "/help")
    second = await runtimes("after")
    acme = await world.tg.wait_for_messages(uid, 2, bot_id=world.acme.id)
    assert "Статус: Уведомления подключены" in acme[1]["text"]
    await world.tg.wait_for_messages(uid, 1, bot_id=world.default.id)
    await second.stop()  # drains: anything still coming would be in by now
    assert len(await world.bot_texts(uid, world.acme)) == 2
    assert len(await world.bot_texts(uid, world.default)) == 1


async def test_two_instances_split_the_bots_and_answer_each_update_once(
    world, runtimes, tenants, store, eventually
):
    a = await runtimes("a")
    b = await runtimes("b")
    await store.bots.activate(tenants["globex"].id, tenants["globex_bot"].id)
    everything = {world.default.id, world.acme.id, world.globex.id}
    await eventually(lambda: _all_served(everything, a, b))
    assert not a.serving & b.serving

    uid = await world.user("Анна")
    bots = (world.default, world.acme, world.globex)
    for bot in bots:
        await world.ask(bot, uid, "/help")

    await a.stop()  # b takes a's bots over at once (a releases its leases and says so)
    await eventually(lambda: _all_served(everything, b))
    for bot in bots:
        await world.ask(bot, uid, "/status")
    await b.stop()
    assert [len(await world.bot_texts(uid, bot)) for bot in bots] == [2, 2, 2]
    # No poller was ever told "terminated by other getUpdates request". (The emulator's log
    # does show 409s: for long polls their clients had already abandoned on stopping.)
    assert a.conflicts == b.conflicts == 0


async def _all_served(everything: set[int], *runtimes: BotRuntime) -> bool:
    return set().union(*(r.serving for r in runtimes)) == everything


async def test_a_dead_instances_bot_is_taken_over_when_its_lease_expires(
    world, runtimes, tenants, store, eventually
):
    # An instance that died without releasing: its lease just runs out.
    await store.redis.set(keys.lease(world.acme.id), "dead-instance", px=600)
    runtime = await runtimes("alive", lease_ttl=0.6)
    assert runtime.serving == {world.default.id}
    await eventually(lambda: _serves(runtime, world.acme.id))
    uid = await world.user("Анна")
    assert "/status" in await world.ask(world.acme, uid, "/help")
    assert runtime.conflicts == 0


def _probe_feature() -> Feature:
    """A two-step conversation, as the admin menus will have (ask a name, then use it)."""
    ask = "ASK_NAME"

    async def begin(update: Update, ctx) -> str:
        await ctx.bot.send_message(update.effective_chat.id, "name?")
        return ask

    async def got(update: Update, ctx) -> int:
        await ctx.bot.send_message(update.effective_chat.id, f"got {update.message.text}")
        return ConversationHandler.END

    def handlers():
        return [
            ConversationHandler(
                entry_points=[CommandHandler("probe", begin)],
                states={ask: [MessageHandler(filters.TEXT & ~filters.COMMAND, got)]},
                fallbacks=[],
                name="probe",
                persistent=True,
            )
        ]

    return Feature("probe", handlers)


async def test_a_conversation_survives_a_restart_and_never_crosses_bots(world, runtimes, tenants):
    first = await runtimes("one", extra_features=[_probe_feature()])
    uid = await world.user("Анна")
    assert await world.ask(world.default, uid, "/probe") == "name?"
    # Another bot, same user: not in that conversation.
    assert "/help" in await world.ask(world.acme, uid, "Bob")
    await first.stop()

    await runtimes("two", extra_features=[_probe_feature()])
    assert await world.ask(world.default, uid, "Bob") == "got Bob"
    assert "/help" in await world.ask(world.default, uid, "Bob")  # the conversation ended


async def test_each_conversation_step_is_in_redis_when_its_update_is_handled(
    world, runtimes, tenants, store, eventually
):
    # No periodic flush within the test: only the write-through can put the step in Redis, so
    # a crash right after the answer would resume the conversation where it stood.
    await runtimes("one", extra_features=[_probe_feature()], persistence_interval=3600.0)
    uid = await world.user("Анна")
    assert await world.ask(world.default, uid, "/probe") == "name?"

    async def saved() -> bool:
        return bool(await store.bot_state.conversations(world.default.id, "probe"))

    await eventually(saved)
    (state,) = (await store.bot_state.conversations(world.default.id, "probe")).values()
    assert state == '"ASK_NAME"'
    assert await world.ask(world.default, uid, "Bob") == "got Bob"

    async def ended() -> bool:
        return not await store.bot_state.conversations(world.default.id, "probe")

    await eventually(ended)


async def test_webhook_mode_feeds_every_bot_through_one_route(
    world, store, tenants, clock, secret_key
):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    runtime = BotRuntime(
        store,
        Catalogue(),
        api_base=world.base_url,
        default_token=world.default.token,
        secret_key=secret_key,
        instance_id="hooks",
        public_url=base,
        lease_ttl=3.0,
        clock=clock,
    )
    app = web.Application()
    add_webhook_route(app, runtime)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    await runtime.start()
    try:
        hooks = {b["id"]: b["webhook_url"] for b in await world.tg.bots()}
        assert hooks[world.default.id] == f"{base}/tg/{world.default.id}"
        assert hooks[world.acme.id] == f"{base}/tg/{world.acme.id}"
        # No poller, and no getUpdates client of each bot's own either: one shared pool.
        requests = {id(r) for b in runtime.serving for r in runtime.application(b).bot._request}
        assert len(requests) == 1
        uid = await world.user("Анна")
        answer = await world.ask(world.acme, uid, f"/activate {tenants['acme_key']}")
        assert answer.startswith("Отправка уведомлений активирована.")
        assert "/status" in await world.ask(world.default, uid, "/help")

        async with aiohttp.ClientSession() as http:
            update = {"update_id": 1, "message": {}}
            secret = runtime.webhook_secret(world.acme.id)
            statuses = []
            for path, headers in (
                (f"/tg/{world.acme.id}", {SECRET_HEADER: "wrong"}),
                (f"/tg/{world.acme.id}", {}),
                (f"/tg/{world.globex.id}", {SECRET_HEADER: secret}),  # not served
                ("/tg/nonsense", {SECRET_HEADER: secret}),
            ):
                async with http.post(base + path, json=update, headers=headers) as resp:
                    statuses.append(resp.status)
            async with http.post(
                f"{base}/tg/{world.acme.id}", data=b"{", headers={SECRET_HEADER: secret}
            ) as resp:
                statuses.append(resp.status)
        assert statuses == [403, 403, 404, 404, 400]
    finally:
        await runtime.stop()
        await runner.cleanup()


async def test_tokens_never_reach_the_logs(world, runtimes, tenants, caplog, eventually, store):
    # httpx's own level too: the service's log setup (run by CLI tests) quiets it to WARNING.
    with caplog.at_level(logging.DEBUG), caplog.at_level(logging.DEBUG, logger="httpx"):
        runtime = await runtimes()
        uid = await world.user("Анна")
        await world.ask(world.acme, uid, f"/activate {tenants['acme_key']}")
        await world.ask(world.default, uid, world.globex.token)  # pasted by a user
        new_token = await world.tg.revoke_token(world.acme.id)
        await eventually(lambda: _serves(runtime, world.acme.id, False))
        await runtime.stop()
    secrets = [b.token.split(":")[1] for b in (world.default, world.acme, world.globex)]
    secrets += [new_token.split(":")[1], tenants["acme_key"]]
    assert "HTTP Request" in caplog.text and "<redacted>" in caplog.text  # PTB/httpx did log
    leaked = [s for s in secrets if s in caplog.text]
    assert leaked == []
    exc_texts = "".join(r.exc_text or "" for r in caplog.records)
    assert not [s for s in secrets if s in exc_texts]


async def test_a_foreign_poller_is_noticed_as_a_conflict(world, runtimes, eventually):
    from telegram import Bot

    runtime = await runtimes()
    intruder = Bot(world.default.token, base_url=f"{world.base_url}/bot")
    async with intruder:
        await intruder.get_updates(timeout=0)  # ends our long poll with 409, as on Telegram

    async def noticed() -> bool:
        return runtime.conflicts > 0

    await eventually(noticed)


async def test_a_lost_lease_stops_the_bot_before_anyone_else_polls(
    world, runtimes, tenants, store, eventually
):
    runtime = await runtimes("me", lease_ttl=0.6)
    assert world.acme.id in runtime.serving
    # Another instance holds it now (our lease ran out while we were away, say).
    await store.redis.set(keys.lease(world.acme.id), "other", px=1000)
    await eventually(lambda: _serves(runtime, world.acme.id, False))
    assert world.default.id in runtime.serving
    await eventually(lambda: _serves(runtime, world.acme.id))  # back once "other" is gone
    assert await store.redis.get(keys.lease(world.acme.id)) == "me"


def _rejected_feature() -> Feature:
    async def rejected(update: Update, ctx) -> None:
        raise InvalidToken("The token `1234:<redacted>` was rejected by the server.")

    return Feature("rejected", lambda: [CommandHandler("rejected", rejected)])


async def test_a_handler_meeting_invalid_token_logs_one_line_and_apologises(
    world, runtimes, tenants, store, caplog
):
    runtime = await runtimes(extra_features=[_rejected_feature()])
    uid = await world.user("Анна")
    assert "Что-то пошло не так" in await world.ask(world.acme, uid, "/rejected")
    await runtime.reconcile()  # the report is checked with getMe: the token is fine
    assert world.acme.id in runtime.serving
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.levelno for r in loud] == [logging.WARNING, logging.WARNING], caplog.text
    assert "update" in loud[0].getMessage() and "InvalidToken" in loud[0].getMessage()
    assert "it is not" in loud[1].getMessage()  # getMe said the token is fine
    assert not [r for r in caplog.records if r.exc_info or r.exc_text]


def _boom_feature() -> Feature:
    async def boom(update: Update, ctx) -> None:
        await ctx.bot.do_api_request("noSuchMethod")  # a 404, which PTB calls InvalidToken

    return Feature("boom", lambda: [CommandHandler("boom", boom)])


async def test_a_404_is_not_taken_for_a_revoked_token(world, runtimes, tenants, store):
    runtime = await runtimes(extra_features=[_boom_feature()])
    uid = await world.user("Анна")
    assert "Что-то пошло не так" in await world.ask(world.acme, uid, "/boom")
    await runtime.reconcile()  # the report is checked with getMe: the token is fine
    assert world.acme.id in runtime.serving
    bot = await store.bots.get(tenants["acme"].id, tenants["acme_bot"].id)
    assert bot.status is BotStatus.ACTIVE
    assert "/status" in await world.ask(world.acme, uid, "/help")


async def test_an_idle_pass_does_not_reread_every_bot(world, runtimes, tenants, store, monkeypatch):
    runtime = await runtimes()
    reads = 0
    all_active = store.bots.all_active

    async def counting():
        nonlocal reads
        reads += 1
        return await all_active()

    monkeypatch.setattr(store.bots, "all_active", counting)
    await runtime.reconcile()
    await runtime.reconcile()
    assert reads == 0  # nothing changed since the start
    await store.bots.activate(tenants["globex"].id, tenants["globex_bot"].id)
    await runtime.reconcile()
    assert reads == 1 and world.globex.id in runtime.serving
    await runtime.reconcile()
    assert reads == 1
