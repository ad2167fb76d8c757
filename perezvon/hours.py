"""Working hours ("Mon-Fri 09:00-18:00; Sat 10:00-14:00") and daily windows ("22:00-08:00"):
parsing, "is this instant within hours" and "when do they next open", in a tenant's zone.

Pure: no Redis, no clock. A range whose end is not after its start runs past midnight
("Fri 22:00-02:00" is open until Saturday 02:00); a holiday cancels the ranges that start on
that date. Wall times are turned into instants with the zone's rules on that very date, so a
day with a DST change is as long as it really is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY = 1440
# How far ahead `next_opening` looks: a year of holidays cannot hide every range.
HORIZON_DAYS = 400
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
_DAY_PART = re.compile(r"^([a-z]{3})(?:-([a-z]{3}))?$")


class BadHours(ValueError):
    """The text is not a schedule, a window or a date this module understands."""


Range = tuple[int, int]  # minutes after the start day's midnight; end may exceed 1440


@dataclass(frozen=True, slots=True)
class Hours:
    """Ranges per weekday (0 = Monday) and the dates off."""

    days: tuple[tuple[Range, ...], ...]
    holidays: frozenset[date] = field(default_factory=frozenset)

    def text(self) -> str:
        """The canonical form `parse_hours` reads back (consecutive equal days joined)."""
        parts: list[str] = []
        i = 0
        while i < 7:
            j = i
            while j + 1 < 7 and self.days[j + 1] == self.days[i]:
                j += 1
            if self.days[i]:
                span = DAYS[i].title() if i == j else f"{DAYS[i].title()}-{DAYS[j].title()}"
                parts.append(f"{span} {','.join(_range_text(r) for r in self.days[i])}")
            i = j + 1
        return "; ".join(parts)


def _minutes(h: str, m: str, *, end: bool) -> int:
    hh, mm = int(h), int(m)
    if mm > 59 or hh > 24 or (hh == 24 and (mm or not end)):
        raise BadHours(f"{h}:{m} is not a time of day")
    return hh * 60 + mm


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _range_text(r: Range) -> str:
    start, end = r
    return f"{_clock(start)}-{_clock(end if end <= DAY else end - DAY)}"


def parse_window(text: str) -> Range:
    """ "22:00-08:00" -> (1320, 1920): the end is past midnight when not after the start."""
    m = _RANGE.match(text.strip())
    if not m:
        raise BadHours(f"{text!r} is not a range like 09:00-18:00")
    start = _minutes(m[1], m[2], end=False)
    end = _minutes(m[3], m[4], end=True)
    if end == start:
        raise BadHours(f"{text!r} is empty")
    return (start, end if end > start else end + DAY)


def window_text(r: Range) -> str:
    return _range_text(r)


def _day_span(text: str) -> list[int]:
    m = _DAY_PART.match(text)
    if not m or m[1] not in DAYS or (m[2] and m[2] not in DAYS):
        raise BadHours(f"{text!r} is not a day or a span of days like Mon-Fri")
    first = DAYS.index(m[1])
    last = DAYS.index(m[2]) if m[2] else first
    return [(first + k) % 7 for k in range((last - first) % 7 + 1)]


def parse_hours(text: str, holidays: tuple[str, ...] | list[str] = ()) -> Hours:
    """Parse "Mon-Fri 09:00-18:00; Sat 10:00-14:00" (ranges of a day joined by commas)."""
    days: list[list[Range]] = [[] for _ in range(7)]
    parts = [p.strip() for p in text.split(";") if p.strip()]
    if not parts:
        raise BadHours("no working hours given")
    for part in parts:
        head, _, ranges = part.partition(" ")
        if not ranges.strip():
            raise BadHours(f"{part!r} needs days and ranges, like Mon-Fri 09:00-18:00")
        for day in _day_span(head.lower()):
            for r in ranges.replace(" ", "").split(","):
                days[day].append(parse_window(r))
    for ranges_of_day in days:
        ranges_of_day.sort()
    return Hours(tuple(tuple(d) for d in days), frozenset(parse_date(h) for h in holidays))


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise BadHours(f"{text!r} is not a date like 2027-01-01") from exc


def _at(day: date, minutes: int, zone: ZoneInfo) -> float:
    # Epoch seconds, not aware datetimes: Python compares two datetimes of one tzinfo by wall
    # time, which is wrong in the hour a DST change repeats.
    extra, rest = divmod(minutes, DAY)
    wall = datetime.combine(day + timedelta(days=extra), time(rest // 60, rest % 60))
    return wall.replace(tzinfo=zone).timestamp()


def _spans(hours: Hours, day: date, zone: ZoneInfo) -> list[tuple[float, float]]:
    if day in hours.holidays:
        return []
    return [(_at(day, s, zone), _at(day, e, zone)) for s, e in hours.days[day.weekday()]]


def _local_day(instant: datetime, zone: ZoneInfo) -> date:
    if instant.tzinfo is None:
        raise ValueError("instant must be aware")
    return instant.astimezone(zone).date()


def is_open(hours: Hours, instant: datetime, tz: str) -> bool:
    """Whether `instant` (aware) falls within the working hours, in zone `tz`."""
    zone = ZoneInfo(tz)
    today = _local_day(instant, zone)
    now = instant.timestamp()
    for day in (today - timedelta(days=1), today):
        if any(start <= now < end for start, end in _spans(hours, day, zone)):
            return True
    return False


def next_opening(hours: Hours, instant: datetime, tz: str) -> datetime | None:
    """`instant` itself when open, else when the hours next open; None if never (horizon)."""
    if is_open(hours, instant, tz):
        return instant
    zone = ZoneInfo(tz)
    today = _local_day(instant, zone)
    now = instant.timestamp()
    for k in range(HORIZON_DAYS):
        starts = [s for s, _ in _spans(hours, today + timedelta(days=k), zone) if s > now]
        if starts:
            return datetime.fromtimestamp(min(starts), zone)
    return None


def in_window(window: Range, instant: datetime, tz: str) -> bool:
    """Whether `instant` falls within a daily window (personal quiet hours), in zone `tz`."""
    every_day = Hours(tuple((window,) for _ in range(7)))
    return is_open(every_day, instant, tz)


_DURATION = re.compile(r"(\d+)([dhms])")
_UNIT = {"d": 86_400, "h": 3600, "m": 60, "s": 1}


def parse_duration(text: str) -> int:
    """ "2h", "90m", "1h30m", "0" -> seconds."""
    text = text.strip().lower()
    if text.isdigit():
        return int(text)
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise BadHours(f"{text!r} is not a duration like 2h, 90m or 0")
    return sum(int(n) * _UNIT[u] for n, u in parts)


def duration_text(seconds: int) -> str:
    """The short form `parse_duration` reads back: 7200 -> "2h", 5400 -> "1h30m"."""
    if seconds <= 0:
        return "0"
    out = ""
    for unit, size in _UNIT.items():
        n, seconds = divmod(seconds, size)
        out += f"{n}{unit}" if n else ""
    return out


def open_seconds(hours: Hours, start: float, end: float, tz: str) -> float:
    """Seconds of working hours between two epoch times (how long a silence really lasted)."""
    if end <= start:
        return 0.0
    zone = ZoneInfo(tz)
    first = datetime.fromtimestamp(start, zone).date() - timedelta(days=1)
    last = datetime.fromtimestamp(end, zone).date()
    total = 0.0
    day = first
    for _ in range(HORIZON_DAYS):
        if day > last:
            break
        for s, e in _spans(hours, day, zone):
            total += max(0.0, min(e, end) - max(s, start))
        day += timedelta(days=1)
    return total
