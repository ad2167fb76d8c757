"""The terminal sandbox, driven through injected streams against a real PTB bot."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler

from tests.tg_emulator.images import png
from tg_emulator.sandbox import TEXTS, run_sandbox


@pytest.fixture
async def activation_bot(emu, world) -> AsyncIterator[Application]:
    app = ApplicationBuilder().token(world["token"]).base_url(f"{emu.base_url}/bot").build()

    async def activate(update: Update, context: Any) -> None:
        key = " ".join(context.args)
        keyboard = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton("Yes", callback_data=f"yes:{key}")],
                [InlineKeyboardButton("Docs", url="https://example.org/docs")],
            ]
        )
        await update.message.reply_text(f"Activate {key}?", reply_markup=keyboard)

    async def pressed(update: Update, context: Any) -> None:
        await update.callback_query.answer("Activated")
        await update.callback_query.edit_message_text("Activated.")

    app.add_handler(CommandHandler("activate", activate))
    app.add_handler(CallbackQueryHandler(pressed))
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0.0, timeout=2, drop_pending_updates=True)
    yield app
    await app.updater.stop()
    await app.stop()
    await app.shutdown()


async def test_person_activates_a_key_and_presses_the_button(emu, world, activation_bot):
    script = "\n".join(
        [":help", ":bots", "/activate K-123", ":wait", ":press 2", ":press 1", ":wait", ":quit"]
    )
    out = io.StringIO()
    await run_sandbox(emu.base_url, stdin=io.StringIO(script + "\n"), stdout=out, user_id=5001)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Sandbox on ") and "@alpha_bot" in lines[0]
    assert TEXTS["help"].splitlines()[0] in lines
    assert "* @alpha_bot (id {})".format(world["bot_id"]) in lines
    assert "@alpha_bot: Activate K-123?" in lines
    assert "  [1] Yes" in lines and "  [2] Docs -> https://example.org/docs" in lines
    assert "Button 2 opens https://example.org/docs; nothing to press." in lines
    assert "(answer) Activated" in lines
    assert any(line.startswith("@alpha_bot edited #") and line.endswith(": Activated.")
               for line in lines)  # fmt: skip
    assert lines[-1] == "Bye."


async def test_switching_bot_user_and_errors(emu, client, world):
    await client.create_bot("other_bot")
    script = ":bot other_bot\n:bot nobody\n:press 1\n:user 777\nhello\n:nonsense\n"
    out = io.StringIO()
    await run_sandbox(emu.base_url, stdin=io.StringIO(script), stdout=out)
    lines = out.getvalue().splitlines()
    assert "Now talking to @other_bot." in lines
    assert "! no bot nobody" in lines
    assert "The last message has no buttons." in lines
    assert "You are now user 777." in lines
    assert "! no user 777" in lines  # sending as an unknown user is refused, not a crash
    assert "Unknown command :nonsense; :help lists them." in lines
    assert lines[-1] == "Bye."  # end of input ends the session


async def test_newbot_creates_a_bot_and_prints_its_token(emu, client, world):
    script = ":newbot acme_demo_bot Acme\n:newbot nothing\n:bots\n"
    out = io.StringIO()
    await run_sandbox(emu.base_url, stdin=io.StringIO(script), stdout=out, user_id=5001)
    text = out.getvalue()
    created = next(b for b in await client.bots() if b["username"] == "acme_demo_bot")
    assert f"Created @acme_demo_bot (id {created['id']})" in text
    assert f"  {created['token']}\n" in text and "«Добавить бота»" in text
    assert created["first_name"] == "Acme"
    assert TEXTS["bad_newbot"] in text.splitlines()
    assert f"  @acme_demo_bot (id {created['id']})" in text.splitlines()


async def test_a_toast_is_shown_only_to_the_user_who_pressed(emu, client, world, activation_bot):
    other = await client.create_user("Bob", user_id=5002)
    await client.send_command(world["bot_id"], other["id"], "start")
    await client.send_text(world["bot_id"], other["id"], "/activate B")
    (msg,) = await client.wait_for_messages(other["id"], 1, bot_id=world["bot_id"])

    class Script:
        """Ann's terminal: she waits until Bob's press was answered, then quits."""

        def __init__(self) -> None:
            self.lines = ["/activate A\n", ":wait\n", ":press 1\n", ":wait\n"]
            self.after = ["/activate C\n", ":wait\n", ":quit\n"]

        async def readline(self) -> str:
            if not self.lines and self.after:
                query = await client.press_button(
                    world["bot_id"], other["id"], msg["message_id"], button=0
                )
                await client.wait_for_answer(query["callback_query_id"])
                # Ann's next reply comes after Bob's toast in the feed: once she has seen it,
                # her session has seen (and must have skipped) his toast.
                self.lines, self.after = self.after, []
            return self.lines.pop(0)

    out = io.StringIO()
    await run_sandbox(emu.base_url, stdin=Script(), stdout=out, user_id=5001)
    # Ann pressed once and sees her toast once; Bob's toast is not hers.
    assert out.getvalue().splitlines().count("(answer) Activated") == 1


async def test_the_session_ends_in_one_line_when_the_emulator_stops(client, world):
    from tg_emulator import start_emulator
    from tg_emulator.sandbox import EmulatorGone

    emu = await start_emulator()

    class Script:
        async def readline(self) -> str:
            await emu.stop()  # the service stops while the person is at the prompt
            return "/start\n"

    out = io.StringIO()
    with pytest.raises(EmulatorGone) as gone:
        await run_sandbox(emu.base_url, stdin=Script(), stdout=out, user_id=None)
    assert emu.base_url in str(gone.value) and "perezvon run" in str(gone.value)
    assert "Traceback" not in out.getvalue() and "Bye." not in out.getvalue()


async def test_photos_and_documents_show_with_where_to_fetch_them(emu, client, world):
    app = ApplicationBuilder().token(world["token"]).base_url(f"{emu.base_url}/bot").build()

    async def report(update: Update, context: Any) -> None:
        await update.message.reply_photo(png(40, 20), caption="Week")
        await update.message.reply_document(b"a,b\n", filename="calls.csv")

    app.add_handler(CommandHandler("report", report))
    await app.initialize()
    await app.start()
    await app.updater.start_polling(poll_interval=0.0, timeout=2, drop_pending_updates=True)
    try:
        out = io.StringIO()
        script = "/report\n:wait 2\n:quit\n"
        await run_sandbox(emu.base_url, stdin=io.StringIO(script), stdout=out, user_id=5001)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    lines = out.getvalue().splitlines()
    photo = next(line for line in lines if "[photo 40x20: " in line)
    assert photo.startswith("@alpha_bot: [photo 40x20: http://") and photo.endswith("] Week")
    url = photo.split(": ", 2)[2].split("]")[0]
    assert url.startswith(f"{emu.base_url}/_emulator/files/")
    assert "@alpha_bot: [document calls.csv, 4 bytes: " in "\n".join(lines)
    assert await client.file_bytes(url.rsplit("/", 1)[1]) == png(40, 20)
