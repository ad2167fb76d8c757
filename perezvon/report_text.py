"""A report's figures as the admin reads them, in the tenant's language: the «Отчёт» screen,
the chart's caption and the weekly report share these lines.

`t(key, **values)` looks a text up in the right language; `when(ts)` writes a time in the
tenant's zone; `names` maps group ids to their shown names. Names and numbers are escaped for
HTML (a caption, parse_mode HTML) unless `html_text` is False (an admin screen, plain text)."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

Text = Callable[..., str]
SHOWN = 10  # callers nobody called back listed by name


def duration(t: Text, seconds: float | None) -> str:
    if seconds is None:
        return t("reports.duration.none")
    minutes = round(seconds / 60)
    if minutes >= 60:
        return t("reports.duration.hours", hours=minutes // 60, minutes=minutes % 60)
    return t("reports.duration.minutes", minutes=minutes)


def figure_lines(
    t: Text,
    when: Callable[[float], str],
    data: dict[str, Any],
    names: Mapping[str, str],
    *,
    html_text: bool = True,
) -> list[str]:
    """Blocks of lines: the totals, the outcomes, the speed; then groups, employees and the
    callers nobody called back (each block after an empty line)."""

    def _esc(text: str) -> str:
        return html.escape(text, quote=False) if html_text else text

    r, rate = data["resolved"], data["callback_rate"]
    lines = [
        t("reports.summary", missed=data["missed"], callers=data["callers"],
          repeat=data["repeat_calls"]),
        t("reports.outcomes", open=data["open"], **r),
        t("reports.speed", rate=t("reports.rate.none") if rate is None else f"{rate:.0%}",
          median=duration(t, data["median_time_to_callback_s"]),
          p90=duration(t, data["p90_time_to_callback_s"]), escalations=data["escalations"]),
    ]  # fmt: skip
    if data["by_group"]:
        lines += ["", t("reports.by_group")]
        lines += [
            t("reports.group", group=_esc(names.get(gid, gid)), missed=g["missed"],
              callers=g["callers"], open=g["open"],
              back=g["resolved"]["called_back"] + g["resolved"]["manual"])
            for gid, g in data["by_group"].items()
        ]  # fmt: skip
    if data["by_employee"]:
        lines += ["", t("reports.by_employee")]
        lines += [
            t("reports.employee", name=_esc(who), claimed=e["claimed"],
              back=e["called_back"] + e["manual"],
              median=duration(t, e["median_time_to_callback_s"]))
            for who, e in data["by_employee"].items()
        ]  # fmt: skip
    if missing := data["not_called_back"]:
        lines += ["", t("reports.not_called_back", total=data["not_called_back_total"])]
        lines += [
            t("reports.not_called_back.row", caller=_esc(n["caller"] or t("reports.hidden")),
              calls=n["calls"], since=when(datetime.fromisoformat(n["first_seen"]).timestamp()))
            for n in missing[:SHOWN]
        ]  # fmt: skip
        if (more := data["not_called_back_total"] - SHOWN) > 0:
            lines.append(t("reports.not_called_back.more", more=more))
    if not data["complete"]:
        lines += ["", t("reports.incomplete")]
    return lines
