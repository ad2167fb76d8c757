"""`perezvon sandbox`: the person it plays has a person's name, and a service that stops ends
the session with one line, not a traceback."""

import io

from perezvon.sandbox import SANDBOX_USER_ID, open_sandbox, play
from perezvon.settings import load
from tg_emulator import start_emulator
from tg_emulator.client import EmulatorClient


async def test_the_sandbox_user_has_a_real_name_in_every_list():
    emu = await start_emulator()
    try:
        async with EmulatorClient(emu.base_url) as tg:
            await tg.create_bot("perezvon_demo_bot")
        out = io.StringIO()
        await play(emu.base_url, stdin=io.StringIO("/start\n:quit\n"), stdout=out)
        assert "You are Алексей Петров (id 500000001)" in out.getvalue()
        assert "Вы" not in out.getvalue()
        async with EmulatorClient(emu.base_url) as tg:
            (record,) = (await tg.message_records(SANDBOX_USER_ID, include_users=True))["messages"]
        sender = record["message"]["from"]
        # A subscription takes the person's full name; «Вы» read as a placeholder in the
        # admin's list («1. Вы»).
        assert (sender["first_name"], sender.get("last_name")) == ("Алексей", "Петров")
    finally:
        await emu.stop()


def test_a_stopped_emulator_is_one_line_on_stderr(tmp_path, capsys):
    settings = load(None, data_dir=tmp_path)
    assert open_sandbox(settings, "http://127.0.0.1:9") == 1  # nothing listens there
    err = capsys.readouterr().err.strip()
    assert err.startswith("perezvon: the sandbox emulator at http://127.0.0.1:9")
    assert len(err.splitlines()) == 1
