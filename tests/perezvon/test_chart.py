"""The report's chart: a real PNG of the right size from matplotlib's Agg canvas, its bars
stacked from the series, and matplotlib left out of start-up."""

from __future__ import annotations

import struct
import subprocess
import sys

from perezvon.chart import DPI, SIZE, render_png
from perezvon.report import OUTCOMES, series
from store.cards import Card, Resolution, State

NOW = 1_800_000_000.0
NAMES = {o: o.replace("_", " ").title() for o in OUTCOMES}


def _card(cid: str, at: float, res: Resolution | None) -> Card:
    state = State.RESOLVED if res else State.OPEN
    return Card("1", cid, cid, f"+7495{cid:0>7}", "default", state, at, at, 1, 1, res,
                resolved_at=at + 60 if res else 0.0)  # fmt: skip


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_a_week_as_a_png_of_the_promised_size() -> None:
    cards = [_card(str(i), NOW - i * 20_000, [None, *Resolution][i % 5]) for i in range(30)]
    png = render_png(series(cards, "Europe/Moscow", NOW - 7 * 86_400, NOW), "Week", NAMES, "n")
    assert _png_size(png) == (int(SIZE[0] * DPI), int(SIZE[1] * DPI))
    assert len(png) > 5_000  # bars, labels and a legend, not a blank canvas


def test_an_empty_period_still_draws() -> None:
    png = render_png(series([], "UTC", NOW - 86_400, NOW), "Day", NAMES, "n")
    assert _png_size(png) == (1200, 600)


def test_different_figures_draw_different_pictures() -> None:
    one = series([_card("1", NOW - 100, None)], "UTC", NOW - 86_400, NOW)
    two = series([_card("1", NOW - 100, Resolution.CALLED_BACK)], "UTC", NOW - 86_400, NOW)
    assert render_png(one, "t", NAMES, "n") != render_png(two, "t", NAMES, "n")


def test_matplotlib_is_not_loaded_at_start_up() -> None:
    code = (
        "import sys, perezvon.cli, perezvon.service, bot.handlers.admin, delivery.engine, "
        "perezvon.chart; print('matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
