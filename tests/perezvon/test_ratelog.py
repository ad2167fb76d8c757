"""Once per interval, not once per event: the gate, our logger and the filter for PTB's."""

import logging

from perezvon.ratelog import Gate, OncePerInterval, RateLimitedLog


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_gate_opens_once_per_interval_per_key_and_counts_the_rest():
    clock = Clock()
    gate = Gate(60, clock)
    assert [gate.open("a"), gate.open("a"), gate.open("b"), gate.open("a")] == [0, None, 0, None]
    clock.now += 60
    assert gate.open("a") == 2
    assert gate.open("a") is None


def test_a_flood_becomes_one_line_that_later_says_how_many_it_folded(caplog):
    caplog.set_level(logging.INFO)
    clock = Clock()
    log = RateLimitedLog(logging.getLogger("test.ratelog"), 30, clock)
    for _ in range(500):
        log.warning("redis-down", "Redis unreachable: %s", "refused")
    clock.now += 31
    log.warning("redis-down", "Redis unreachable: %s", "refused")
    lines = [r.getMessage() for r in caplog.records if r.name == "test.ratelog"]
    assert lines == [
        "Redis unreachable: refused",
        "Redis unreachable: refused (499 more like it in the last 30s)",
    ]


def test_the_filter_keeps_one_traceback_per_kind(caplog):
    caplog.set_level(logging.INFO)
    clock = Clock()
    logger = logging.getLogger("test.ratelog.thirdparty")
    logger.addFilter(OncePerInterval(60, clock))
    for i in range(300):
        try:
            raise ValueError(f"bad json {i}")
        except ValueError:
            logger.exception("Can not load invalid JSON data")
        logger.error("other message")
    records = [r for r in caplog.records if r.name == "test.ratelog.thirdparty"]
    assert [r.getMessage() for r in records] == ["Can not load invalid JSON data", "other message"]
