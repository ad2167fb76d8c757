"""The embedding API: build the aiohttp app, or start it on a loopback port and stop it."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from aiohttp import web

from . import bot_api, control
from .bot_api import EMULATOR, envelope
from .emulator import Emulator
from .errors import internal_error, not_found
from .settings import EmulatorSettings
from .snapshot import Persister, load

log = logging.getLogger(__name__)


@web.middleware
async def telegram_errors(request: web.Request, handler: Any) -> web.StreamResponse:
    """Unknown paths get Telegram's JSON 404 and bugs a JSON 500, never aiohttp's HTML pages."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status in (404, 405):
            return envelope(not_found())
        raise
    except Exception:
        log.exception("emulator bug while serving %s", request.path)
        return envelope(internal_error())


def build_app(settings: EmulatorSettings | None = None) -> web.Application:
    """An aiohttp application serving the Bot API and the control API."""
    emulator = Emulator(settings or EmulatorSettings())
    # A request may carry a document of the largest size Telegram takes, and its other fields.
    body_limit = emulator.settings.max_document_bytes + 1024 * 1024
    app = web.Application(middlewares=[telegram_errors], client_max_size=body_limit)
    app[EMULATOR] = emulator
    bot_api.add_routes(app)
    control.add_routes(app)

    async def close(_app: web.Application) -> None:
        await emulator.close()

    app.on_shutdown.append(close)
    return app


class RunningEmulator:
    """A started emulator server; use .base_url, then stop() (or `async with`)."""

    def __init__(
        self, runner: web.AppRunner, base_url: str, persister: Persister | None = None
    ) -> None:
        self._runner = runner
        self.base_url = base_url
        self.app = runner.app
        self._persister = persister

    @property
    def emulator(self) -> Emulator:
        """The in-process state, for tests that want to look inside."""
        return self.app[EMULATOR]

    @property
    def bot_api_base(self) -> str:
        """What to give python-telegram-bot's ApplicationBuilder().base_url()."""
        return f"{self.base_url}/bot"

    async def stop(self) -> None:
        """Stop serving and release the port."""
        # Release long polls first so shutdown does not wait for them to time out.
        await self.emulator.close()
        await self._runner.cleanup()
        if self._persister is not None:
            await self._persister.stop()

    async def __aenter__(self) -> RunningEmulator:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


async def start_emulator(
    host: str = "127.0.0.1", port: int = 0, settings: EmulatorSettings | None = None
) -> RunningEmulator:
    """Serve a new emulator on host:port (port 0 picks a free one); with `state_file` in the
    settings, the world saved there is restored and kept saved while it runs."""
    app = build_app(settings)
    persister = None
    state_file = settings.state_file if settings else None
    if state_file is not None:
        emulator = app[EMULATOR]
        saved = load(Path(state_file), emulator.settings.event_log_limit)
        if saved is not None:
            emulator.world = saved
        persister = Persister(lambda: emulator.world, Path(state_file))
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_port = runner.addresses[0][1]
    if persister is not None:
        persister.start()
    return RunningEmulator(runner, f"http://{host}:{bound_port}", persister)


@contextlib.asynccontextmanager
async def serve_emulator(
    host: str = "127.0.0.1", port: int = 0, settings: EmulatorSettings | None = None
) -> AsyncIterator[RunningEmulator]:
    """`async with serve_emulator() as emu:` — started on entry, stopped on exit."""
    running = await start_emulator(host, port, settings)
    try:
        yield running
    finally:
        await running.stop()
