"""A Telegram Bot API emulator on loopback, for tests and a terminal sandbox."""

from .server import RunningEmulator, build_app, serve_emulator, start_emulator
from .settings import EmulatorSettings, RateLimits

__all__ = [
    "EmulatorSettings",
    "RateLimits",
    "RunningEmulator",
    "build_app",
    "serve_emulator",
    "start_emulator",
]
