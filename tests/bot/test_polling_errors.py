"""A Telegram outage seen by the polling runtime: one log line per failure class per interval,
every failure counted in /metrics (the emulator answers getUpdates with HTML 502 pages)."""

import logging
import re

from perezvon.metrics import Metrics


async def _failures(metrics: Metrics) -> int:
    text = await metrics.render()
    found = re.search(r'perezvon_telegram_polling_errors_total\{error="NetworkError"\} (\d+)', text)
    return int(found.group(1)) if found else 0


async def test_an_outage_is_logged_once_and_counted_every_time(
    world, runtimes, tenants, store, caplog, eventually
):
    caplog.set_level(logging.INFO)
    metrics = Metrics(store.redis)
    await runtimes(metrics=metrics)
    await world.tg.inject_fault("html_502", bot_id=world.default.id, methods=["getupdates"])
    await eventually(lambda: _at_least(metrics, 3), timeout=30)  # PTB backs off 1, 1.5, 2.25 s
    ours = [
        r for r in caplog.records if r.name == "bot.application" and "polling" in r.getMessage()
    ]
    ptb = [
        r for r in caplog.records if r.name.startswith("telegram") and r.levelno >= logging.ERROR
    ]
    assert len(ours) == 1, [r.getMessage() for r in ours]
    assert "(NetworkError)" in ours[0].getMessage() and "<html" not in ours[0].getMessage()
    assert len(ptb) <= 1
    assert sum(r.exc_text is not None or r.exc_info is not None for r in caplog.records) <= 1


async def _at_least(metrics: Metrics, n: int) -> bool:
    return await _failures(metrics) >= n
