"""`perezvon run`: start the parts a role needs, in order, and stop them in reverse on a signal."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.errors import BotRuntimeError
from perezvon.components import Context, Part
from perezvon.redis_runtime import RedisUnavailable, open_store
from perezvon.roles import ROLE_PARTS
from perezvon.settings import ConfigError, Settings
from store.errors import StoreError

log = logging.getLogger("perezvon")


@dataclass
class Running:
    """A started part and how to stop it."""

    name: str
    stop: Callable[[], Awaitable[None]]


async def serve(settings: Settings, role: str, stopping: asyncio.Event) -> None:
    """Run until `stopping` is set; every started part is stopped, the last started first."""
    for part in ROLE_PARTS[role]:
        if part.check is not None:
            part.check(settings)
    async with open_store(settings, own=True) as store:
        ctx = Context(settings=settings, store=store)
        started: list[Running] = []
        try:
            for part in ROLE_PARTS[role]:
                stop = await part.start(ctx)
                if stop is not None:
                    started.append(Running(part.name, stop))
            names = ", ".join(r.name for r in started) or "nothing"
            log.info("Perezvon is running (role %s): %s", role, names)
            ctx.shared.setdefault("ingest_url", "(no HTTP server in this role)")
            # The banner is for the person at the console (it may show the demo key): stdout,
            # not the logs, which mask every key.
            for line in ctx.banner:
                print(line.format_map(ctx.shared), flush=True)
            await stopping.wait()
            log.info("stopping")
        finally:
            for running in reversed(started):
                try:
                    await running.stop()
                except Exception:
                    log.exception("%s did not stop cleanly", running.name)


def run_service(settings: Settings, role: str) -> int:
    """Blocking entry point; SIGTERM and Ctrl-C stop it cleanly (embedded Redis included)."""

    async def main() -> None:
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopping.set)
        await serve(settings, role, stopping)

    try:
        asyncio.run(main())
    except ConfigError as exc:
        log.error("%s", exc)
        return 2
    except (RedisUnavailable, StoreError, BotRuntimeError) as exc:
        log.error("%s", exc)
        return 1
    return 0


__all__ = ["Part", "run_service", "serve"]
