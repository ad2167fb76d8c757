"""The zone label after a local time: «МСК», «МСК+2» in Russia, «UTC+5» elsewhere.

Russians read times relative to Moscow (timetables, TV, government sites all say МСК+N), so a
Russian zone is labelled that way in Russian; every other zone, and every zone in English, by
its offset from UTC at that instant (summer time included).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from delivery.phone import country_of_zone
from perezvon.texts import Catalogue

MOSCOW = ZoneInfo("Europe/Moscow")


def _offset(delta: timedelta) -> str:
    """'+3', '-4', '+5:30', '' for zero."""
    minutes = round(delta.total_seconds() / 60)
    if minutes == 0:
        return ""
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_label(cat: Catalogue, lang: str, tz: str, at: datetime) -> str:
    """The label for a time shown at `at` (aware) in the zone `tz`."""
    local = at.astimezone(ZoneInfo(tz))
    offset = local.utcoffset() or timedelta(0)
    if lang == "ru" and country_of_zone(tz) == "RU":
        moscow = at.astimezone(MOSCOW).utcoffset() or timedelta(0)
        return cat.t(lang, "delivery.zone.moscow", offset=_offset(offset - moscow))
    return cat.t(lang, "delivery.zone.utc", offset=_offset(offset))
