"""`perezvon sandbox`: play a Telegram user, in this terminal, against the running sandbox."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from typing import Any, TextIO

from perezvon.sandbox_mode import SandboxState
from perezvon.settings import ConfigError, Settings
from tg_emulator.client import EmulatorClient, EmulatorControlError
from tg_emulator.sandbox import EmulatorGone, run_sandbox

# The same person on every run, so their subscriptions are still theirs after a restart. A
# person's name, not «Вы»: the admin's lists show subscribers by name («1. Вы» read as a
# placeholder, not as the subscriber it was).
SANDBOX_USER_ID = 500_000_001
SANDBOX_FIRST, SANDBOX_LAST = "Алексей", "Петров"


def emulator_url(settings: Settings, url: str | None) -> str:
    if url:
        return url.rstrip("/")
    state = SandboxState.load(settings.data_dir)
    if not state.emulator_url:
        raise ConfigError(
            f"DATA_DIR: no sandbox found in {settings.data_dir}; start one first with "
            "`perezvon run` (no BOT_TOKEN), or pass --url"
        )
    return state.emulator_url


async def play(base_url: str, stdin: Any = None, stdout: TextIO | None = None) -> None:
    async with EmulatorClient(base_url) as control:
        try:
            await control.bots()
        except Exception as exc:
            raise ConnectionError(
                f"the sandbox emulator at {base_url} does not answer — is `perezvon run` "
                "still running?"
            ) from exc
        # Already there when this is not the first session against this emulator.
        with contextlib.suppress(EmulatorControlError):
            await control.create_user(
                SANDBOX_FIRST,
                user_id=SANDBOX_USER_ID,
                username="sandbox_user",
                language_code="ru",
                last_name=SANDBOX_LAST,
            )
    await run_sandbox(
        base_url,
        stdin=stdin,
        stdout=stdout,
        user_id=SANDBOX_USER_ID,
        user_name=f"{SANDBOX_FIRST} {SANDBOX_LAST}",
    )


def open_sandbox(settings: Settings, url: str | None) -> int:
    base_url = emulator_url(settings, url)
    try:
        asyncio.run(play(base_url))
    except (ConnectionError, EmulatorGone) as exc:
        print(f"perezvon: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0
