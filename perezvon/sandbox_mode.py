"""Sandbox mode: with no BOT_TOKEN, the service runs against the bundled Telegram emulator."""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from perezvon.components import Context, Stop
from store.errors import NotFound
from tg_emulator.client import EmulatorClient
from tg_emulator.server import start_emulator

STATE_FILE = "sandbox.json"
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
        path = data_dir / STATE_FILE
        path.write_text(json.dumps(asdict(self), indent=2))
        path.chmod(0o600)


def _new_token() -> str:
    # Sandbox-only token for the emulator; shaped like Telegram's so clients accept it.
    return f"{7_000_000_000 + secrets.randbelow(10**9)}:{secrets.token_urlsafe(27)[:35]}"


async def start_sandbox(ctx: Context) -> Stop | None:
    """Start the emulator, the demo bot in it and a demo tenant; point the service at them."""
    if ctx.default_token is not None:
        return None
    data_dir = ctx.settings.data_dir
    state = SandboxState.load(data_dir)
    emulator = await start_emulator("127.0.0.1", 0)
    state.emulator_url = emulator.base_url
    state.bot_token = state.bot_token or _new_token()
    async with EmulatorClient(emulator.base_url) as control:
        await control.create_bot(BOT_USERNAME, "Perezvon", token=state.bot_token)
    if state.tenant_id:
        try:
            await ctx.store.tenants.get(state.tenant_id)
        except NotFound:
            state.tenant_id = ""
    if not state.tenant_id:
        tenant, state.api_key = await ctx.store.tenants.create(
            DEMO_TENANT, ctx.settings.default_tz, ctx.settings.default_lang
        )
        state.tenant_id = tenant.id
    state.save(data_dir)
    ctx.telegram_api = emulator.base_url
    ctx.default_token = state.bot_token
    ctx.banner += [
        "SANDBOX: no BOT_TOKEN is set, so Telegram is played by the bundled emulator at "
        f"{emulator.base_url} (bot @{BOT_USERNAME}).",
        f"Demo tenant {state.tenant_id}, API key: {state.api_key}",
        "Open the sandbox in another terminal:  .venv/bin/perezvon sandbox",
        "  then type:  /activate " + state.api_key,
        # {ingest_url} is filled in when the banner is printed, once the server has its port.
        "Report a missed call:  curl -X POST {ingest_url}/v1/events "
        f"-H 'X-API-Key: {state.api_key}' -H 'Content-Type: application/json' "
        """-d '{{"call_id": "demo-1", "caller": "+74951234567"}}'""",
    ]
    return emulator.stop
