"""The terminal sandbox, driven through injected streams against a real PTB bot."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler

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
