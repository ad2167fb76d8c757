"""Real python-telegram-bot Applications against the emulator: polling and webhook."""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler

from tg_emulator.client import EmulatorClient


def build_ptb(base_url: str, token: str) -> Application:
    """One PTB Application pointed at the emulator, with a /start and a button handler."""
    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{base_url}/bot")
        .base_file_url(f"{base_url}/file/bot")
        .build()
    )

    async def start(update: Update, context: Any) -> None:
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Confirm", callback_data="ok:1")]])
        name = update.effective_user.first_name
        await update.message.reply_html(f"Hello, <b>{name}</b>", reply_markup=keyboard)

    async def button(update: Update, context: Any) -> None:
        query = update.callback_query
        await query.answer("Saved")
        await query.edit_message_text(f"Confirmed {query.data} in {query.message.chat.id}")

    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(button))
    return app


async def wait_for_event(client: EmulatorClient, kind: str, after: int) -> dict[str, Any]:
    """The next control-feed event of a kind, long-polling instead of sleeping."""
    while True:
        events, last = await client.events(after=after, wait=5)
        for event in events:
            if event["kind"] == kind:
                return event
        if not events:
            raise TimeoutError(f"no {kind} event")
        after = last


@pytest.fixture
async def polling_app(emu, world) -> AsyncIterator[Application]:
    app = build_ptb(emu.base_url, world["token"])
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0.0, timeout=2, drop_pending_updates=True)
    yield app
    await app.updater.stop()
    await app.stop()
    await app.shutdown()


async def test_polling_command_then_button_edits_message(polling_app, client, world, spec):
    bot_id, uid = world["bot_id"], world["user_id"]
    await client.send_command(bot_id, uid, "start")
    [reply] = await client.wait_for_messages(uid, 1, timeout=5)
    assert reply["text"] == "Hello, Ann"
    assert reply["entities"] == [{"offset": 7, "length": 3, "type": "bold"}]
    assert spec.check(reply, ["Message"], "reply") == []
    _, seq = await client.events()
    press = await client.press_button(bot_id, uid, reply["message_id"], button=0)
    answer = await client.wait_for_answer(press["callback_query_id"], timeout=5)
    assert answer["text"] == "Saved" and answer["show_alert"] is False
    edited = await wait_for_event(client, "edited", seq)
    assert edited["message"]["text"] == f"Confirmed ok:1 in {uid}"
    assert "reply_markup" not in edited["message"]  # an edit without markup drops the keyboard
    [now] = await client.messages(uid)
    assert now["text"] == f"Confirmed ok:1 in {uid}" and now["edit_date"] >= now["date"]
    log = await client.api_log(bot_id, "answerCallbackQuery")
    assert log and log[-1]["status"] == 200


async def test_two_bots_poll_independently(emu, client, world):
    second = await client.create_bot("beta_bot")
    await client.send_command(second["id"], world["user_id"], "start")
    apps = [build_ptb(emu.base_url, t) for t in (world["token"], second["token"])]
    for app in apps:
        await app.initialize()
        await app.start()
        await app.updater.start_polling(poll_interval=0.0, timeout=2, drop_pending_updates=True)
    try:
        for bot_id in (world["bot_id"], second["id"]):
            await client.send_command(bot_id, world["user_id"], "start")
            msgs = await client.wait_for_messages(world["user_id"], 1, bot_id=bot_id)
            assert msgs[0]["from"]["id"] == bot_id
    finally:
        for app in apps:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()


class WebhookReceiver:
    """A tiny aiohttp server that checks the secret and feeds PTB's update_queue."""

    def __init__(self, app: Application, secret: str, fail_first: int = 0):
        self.app, self.secret, self.fail_first = app, secret, fail_first
        self.attempts = 0
        self.hit = asyncio.Event()
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.attempts += 1
        self.hit.set()
        header = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
        if not hmac.compare_digest(header, self.secret):
            return web.Response(status=403)
        if self.fail_first:
            self.fail_first -= 1
            return web.Response(status=500)
        await self.app.update_queue.put(Update.de_json(await request.json(), self.app.bot))
        return web.Response()

    async def start(self) -> None:
        web_app = web.Application()
        web_app.router.add_post("/tg/{bot_id}", self.handle)
        self.runner = web.AppRunner(web_app, shutdown_timeout=0.5)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self.runner.addresses[0][1]}/tg/1"

    async def stop(self) -> None:
        if self.runner:
            await self.runner.cleanup()


async def test_webhook_delivery_with_secret_and_retry(emu, client, world, raw):
    app = build_ptb(emu.base_url, world["token"])
    receiver = WebhookReceiver(app, secret="s3cr3t_-x", fail_first=1)
    await receiver.start()
    await app.initialize()
    await app.start()
    try:
        assert await app.bot.set_webhook(
            receiver.url, secret_token="s3cr3t_-x", drop_pending_updates=True
        )
        info = await app.bot.get_webhook_info()
        assert info.url == receiver.url
        await client.send_command(world["bot_id"], world["user_id"], "start")
        [reply] = await client.wait_for_messages(world["user_id"], 1, timeout=10)
        assert reply["text"] == "Hello, Ann"
        assert receiver.attempts == 2  # the first POST got a 500 and was retried
        info = await app.bot.get_webhook_info()
        assert info.pending_update_count == 0
        assert (
            info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
        )
        assert await app.bot.delete_webhook()
        assert (await app.bot.get_webhook_info()).url == ""
    finally:
        await app.stop()
        await app.shutdown()
        await receiver.stop()


async def test_webhook_gets_no_update_with_wrong_secret(emu, client, world):
    app = build_ptb(emu.base_url, world["token"])
    receiver = WebhookReceiver(app, secret="expected")
    await receiver.start()
    await app.initialize()
    try:
        await app.bot.set_webhook(receiver.url, secret_token="other", drop_pending_updates=True)
        await client.send_command(world["bot_id"], world["user_id"], "start")
        await asyncio.wait_for(receiver.hit.wait(), 5)
        assert app.update_queue.empty()
        assert (await app.bot.get_webhook_info()).pending_update_count == 1
    finally:
        await app.bot.delete_webhook()
        await app.shutdown()
        await receiver.stop()
