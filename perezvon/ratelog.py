"""Log a condition once per interval, not once per event: a flood of the same failure becomes
one line now and then, saying how many were folded into it.

`RateLimitedLog` is for our own call sites (`log(key, msg, *args)`); `OncePerInterval` is a
logging filter for third-party loggers that log every failure with a traceback.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_INTERVAL = 60.0
# Distinct conditions remembered; past this the oldest is forgotten (it then logs again).
MAX_KEYS = 1024


@dataclass
class _Seen:
    logged_at: float
    folded: int = 0


class Gate:
    """Decides, per key, whether now is a time to log; counts what it held back."""

    def __init__(
        self, interval: float = DEFAULT_INTERVAL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.interval = interval
        self._clock = clock
        self._seen: dict[object, _Seen] = {}

    def open(self, key: object) -> int | None:
        """None: hold this one back. Otherwise log it, and how many were held back before."""
        now = self._clock()
        seen = self._seen.get(key)
        if seen is not None and now - seen.logged_at < self.interval:
            seen.folded += 1
            return None
        folded = seen.folded if seen is not None else 0
        self._seen.pop(key, None)
        self._seen[key] = _Seen(now)
        while len(self._seen) > MAX_KEYS:
            self._seen.pop(next(iter(self._seen)))
        return folded


class RateLimitedLog:
    """`log.warning(key, msg, *args)` logs at most once per interval per key."""

    def __init__(
        self,
        logger: logging.Logger,
        interval: float = DEFAULT_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._logger = logger
        self._gate = Gate(interval, clock)

    def log(self, level: int, key: object, msg: str, *args: object) -> bool:
        folded = self._gate.open(key)
        if folded is None:
            return False
        if folded:
            msg += " (%d more like it in the last %.0fs)"
            args = (*args, folded, self._gate.interval)
        self._logger.log(level, msg, *args)
        return True

    def warning(self, key: object, msg: str, *args: object) -> bool:
        return self.log(logging.WARNING, key, msg, *args)

    def error(self, key: object, msg: str, *args: object) -> bool:
        return self.log(logging.ERROR, key, msg, *args)


class OncePerInterval(logging.Filter):
    """Lets one record per (logger, level, message template, exception class) through per
    interval; the next one that passes says how many were dropped meanwhile."""

    def __init__(
        self, interval: float = DEFAULT_INTERVAL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self._gate = Gate(interval, clock)

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        template = str(record.msg).split("\n", 1)[0][:80]
        key = (record.name, record.levelno, template, type(exc).__name__ if exc else None)
        folded = self._gate.open(key)
        if folded is None:
            return False
        if folded:
            record.msg = f"{record.getMessage()} ({folded} more like it in the last "
            record.msg += f"{self._gate.interval:.0f}s)"
            record.args = ()
        return True


def quiet(logger_names: list[str], interval: float = DEFAULT_INTERVAL) -> None:
    """Put one OncePerInterval on each named logger (once, however often this is called)."""
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, OncePerInterval) for f in logger.filters):
            logger.addFilter(OncePerInterval(interval))
