"""Sandbox mode: with no BOT_TOKEN, the service runs against the bundled Telegram emulator."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from perezvon.components import Context, Stop
from tg_emulator.client import EmulatorClient
from tg_emulator.server import start_emulator
from tg_emulator.settings import EmulatorSettings

STATE_FILE = "sandbox.json"
EMULATOR_STATE = "emulator.json"
BOT_USERNAME = "perezvon_demo_bot"
DEMO_TENANT = "Демо-компания"


@dataclass
class SandboxState:
    """What a later run (and `perezvon sandbox`) needs to find the same sandbox again."""

    emulator_url: str = ""
    bot_token: str = ""
    tenant_id: str = ""
    api_key: str = ""

    @classmethod
    def load(cls, data_dir: Path) -> SandboxState:
        path = data_dir / STATE_FILE
        if not path.exists():
            return cls()
        return cls(**json.loads(path.read_text()))

    def save(self, data_dir: Path) -> None:
        """Atomically (it holds the demo key and token: owner-only)."""
        path = data_dir / STATE_FILE
        tmp = path.with_name(f".{path.name}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(json.dumps(asdict(self), indent=2))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)


def _new_token() -> str:
    # Sandbox-only token for the emulator; shaped like Telegram's so clients accept it.
    return f"{7_000_000_000 + secrets.randbelow(10**9)}:{secrets.token_urlsafe(27)[:35]}"


async def _demo_key(ctx: Context, state: SandboxState) -> str | None:
    """Make sure the demo tenant exists and `state.api_key` is its current key.

    Returns why the banner's key is new (None when it is the one printed before). The sandbox
    owns the demo tenant it created, so when the key was rotated since (in «Ключ для API» or
    by `perezvon tenant rotate-key`) it issues a fresh one rather than print a key that gets
    401; other tenants are never touched."""
    store = ctx.store
    if state.tenant_id and not await store.tenants.exists(state.tenant_id):
        state.tenant_id = ""
    if not state.tenant_id:
        tenant, state.api_key = await store.tenants.create(
            DEMO_TENANT, ctx.settings.default_tz, ctx.settings.default_lang
        )
        state.tenant_id = tenant.id
        return None
    current = await store.tenants.resolve_key(state.api_key) if state.api_key else None
    if current is not None and current.id == state.tenant_id:
        return None
    # The rotation that made the old key stale already ended the admin sessions it had to.
    _, state.api_key = await store.tenants.rotate_key(state.tenant_id)
    return "rotated"


async def start_sandbox(ctx: Context) -> Stop | None:
    """Start the emulator, the demo bot in it and a demo tenant; point the service at them."""
    if ctx.default_token is not None:
        return None
    data_dir = ctx.settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    state = SandboxState.load(data_dir)
    # The emulated world (users, who started which bot, custom bots) survives restarts.
    settings = EmulatorSettings(state_file=str(data_dir / EMULATOR_STATE))
    emulator = await start_emulator("127.0.0.1", 0, settings)
    try:
        state.emulator_url = emulator.base_url
        state.bot_token = state.bot_token or _new_token()
        async with EmulatorClient(emulator.base_url) as control:
            if not any(b["token"] == state.bot_token for b in await control.bots()):
                await control.create_bot(BOT_USERNAME, "Perezvon", token=state.bot_token)
        renewed = await _demo_key(ctx, state)
        state.save(data_dir)
    except BaseException:
        await emulator.stop()
        raise
    ctx.telegram_api = emulator.base_url
    ctx.default_token = state.bot_token
    ctx.banner += banner(emulator.base_url, state, renewed)
    return emulator.stop


def banner(base_url: str, state: SandboxState, renewed: str | None) -> list[str]:
    """What the person at the console reads; {ingest_url} is filled in once the server has its
    port. Each start gets a fresh call id, so the curl line reports a new call every time."""
    call_id = f"demo-{secrets.token_hex(4)}"
    # A new caller each start too: a repeat caller's call would update the open card instead.
    caller = f"+7495{secrets.randbelow(10**7):07d}"
    lines = [
        "SANDBOX: no BOT_TOKEN is set, so Telegram is played by the bundled emulator at "
        f"{base_url} (bot @{BOT_USERNAME}).",
        f"Demo tenant {state.tenant_id}, API key: {state.api_key}",
    ]
    if renewed:
        lines.append(
            "  (the demo key had been rotated since the last start, so the sandbox issued this "
            "new one; the old key no longer works)"
        )
    return [
        *lines,
        "Open the sandbox in another terminal:  .venv/bin/perezvon sandbox",
        "  then type:  /activate " + state.api_key,
        "Report a missed call:  curl -X POST {ingest_url}/v1/events "
        f"-H 'X-API-Key: {state.api_key}' -H 'Content-Type: application/json' "
        f"""-d '{{{{"call_id": "{call_id}", "caller": "{caller}"}}}}'""",
        '  (the same call_id twice is one call: the second answer is "duplicate")',
    ]
