"""`python -m tg_emulator` serves the Bot API standalone and stops cleanly on Ctrl-C."""

import asyncio
import re
import signal
import sys

from tg_emulator.client import EmulatorClient


async def test_standalone_emulator_serves_and_stops():
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-u", "-m", "tg_emulator", "--port", "0",
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        line = (await asyncio.wait_for(proc.stdout.readline(), 15)).decode()
        base = re.search(r"on (http://\S+) ", line).group(1)
        async with EmulatorClient(base) as control:
            bot = await control.create_bot("standalone_bot")
            assert bot["username"] == "standalone_bot" and bot["is_bot"] is True
    finally:
        proc.send_signal(signal.SIGINT)
        code = await asyncio.wait_for(proc.wait(), 15)
    assert code == 0
