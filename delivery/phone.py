"""Phone numbers for people: the region guessed from a time zone, E.164 for tapping."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import phonenumbers

FALLBACK_REGION = "RU"


@lru_cache(maxsize=1)
def _zone_regions() -> dict[str, str]:
    # zone.tab ships with the tzdata package: "CC<TAB>coordinates<TAB>Zone/Name".
    text = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text()
    table: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            parts = line.split("\t")
            if len(parts) >= 3:
                table[parts[2]] = parts[0]
    return table


def country_of_zone(tz: str) -> str | None:
    """The country of a time zone (Europe/Moscow -> RU), or None (UTC, Etc/GMT-3)."""
    try:
        return _zone_regions().get(tz)
    except (ModuleNotFoundError, FileNotFoundError):
        return None


def region_of_zone(tz: str) -> str:
    """The country of a time zone (Europe/Moscow -> RU), or RU when the zone names none."""
    return country_of_zone(tz) or FALLBACK_REGION


@dataclass(frozen=True, slots=True)
class Number:
    shown: str  # what people read: "+7 495 123-45-67", or the raw string
    e164: str | None  # what Telegram auto-links as a phone number, when the number is valid


def format_number(raw: str, region: str) -> Number:
    """Format for people when phonenumbers understands it; otherwise keep the raw string."""
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return Number(raw, None)
    if not phonenumbers.is_valid_number(parsed):
        return Number(raw, None)
    return Number(
        phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
    )
