"""The context one Bot API method handler receives."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from .emulator import Emulator
from .params import Params
from .state import BotAccount


@dataclass
class Call:
    """One authenticated Bot API call: who calls, with what, against which emulator."""

    emu: Emulator
    bot: BotAccount
    token: str
    method: str
    params: Params


Handler = Callable[[Call], Awaitable[Any]]
