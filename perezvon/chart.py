"""The report's chart: missed calls per day (per hour for a one-day period) stacked by how
they ended, as a PNG.

matplotlib is imported on the first chart, not at start-up (it costs about half a second), and
drawn through its Agg canvas without pyplot: no global figure state, safe in a worker thread,
no display needed. Its bundled DejaVu Sans has Cyrillic."""

from __future__ import annotations

import io
from collections.abc import Mapping

from perezvon.report import OUTCOMES, Series

# One colour per outcome, in OUTCOMES order: called back and marked done green, the caller
# got through blue, expired red, still open amber.
COLOURS = {
    "called_back": "#2e7d32",
    "manual": "#81c784",
    "got_through": "#1e88e5",
    "expired": "#c62828",
    "open": "#ffb300",
}
STACK = ("called_back", "manual", "got_through", "expired", "open")
assert set(STACK) == set(OUTCOMES)
SIZE = (10.0, 5.0)  # inches, at DPI: 1200 x 600 pixels
DPI = 120


def render_png(data: Series, title: str, names: Mapping[str, str], ylabel: str) -> bytes:
    """The chart of `data`; `names` are the outcomes' legend labels (from the catalogue)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=SIZE, dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    x = list(range(len(data.buckets)))
    bottom = [0] * len(x)
    for name in STACK:
        values = data.counts[name]
        if any(values):
            ax.bar(x, values, bottom=bottom, color=COLOURS[name], label=names[name], width=0.8)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    fmt = "%H:%M" if data.hourly else "%d.%m"
    every = max(1, len(x) // 12)  # at most about a dozen labels
    ax.set_xticks(x[::every], [b.strftime(fmt) for b in data.buckets[::every]])
    ax.set_xlim(-0.6, len(x) - 0.4)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max([*bottom, 1]) * 1.2)  # room for the legend above the bars
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if data.total:
        ax.legend(loc="upper left", frameon=False, ncol=len(STACK))
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI)
    return out.getvalue()
