"""`python -m tg_emulator --host 127.0.0.1 --port 8081` runs the emulator standalone."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from .server import start_emulator
from .settings import EmulatorSettings, RateLimits


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m tg_emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument(
        "--limits",
        choices=("strict", "lenient"),
        default="strict",
        help="flood control as sliding windows (default) or as token buckets",
    )
    parser.add_argument("--no-limits", action="store_true", help="disable flood control")
    parser.add_argument(
        "--api-log-limit",
        type=int,
        default=EmulatorSettings.api_log_limit,
        help="Bot API calls kept in the log (a benchmark reads every send's arrival time)",
    )
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    """Run until cancelled (Ctrl-C)."""
    limits = RateLimits(enabled=False) if args.no_limits else RateLimits(model=args.limits)
    settings = EmulatorSettings(limits=limits, api_log_limit=args.api_log_limit)
    running = await start_emulator(args.host, args.port, settings)
    model = "no" if args.no_limits else args.limits
    print(
        f"Telegram Bot API emulator on {running.base_url} (Bot API base {running.bot_api_base}),"
        f" {model} limits",
        flush=True,
    )
    try:
        await asyncio.Event().wait()
    finally:
        await running.stop()


def main(argv: list[str] | None = None) -> None:
    """Entry point."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main()
