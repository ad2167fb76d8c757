"""Working hours: parsing, open/closed and next opening, across midnight, DST and holidays."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from perezvon.hours import (
    BadHours,
    duration_text,
    in_window,
    is_open,
    next_opening,
    open_seconds,
    parse_duration,
    parse_hours,
    parse_window,
    window_text,
)

WEEK = "Mon-Fri 09:00-18:00; Sat 10:00-14:00"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


OPEN_CASES = [
    # (hours, holidays, zone, instant in UTC, open?)
    (WEEK, (), "Europe/Berlin", "2027-01-06T09:00", True),  # Wed 10:00 CET
    (WEEK, (), "Europe/Berlin", "2027-01-06T07:59", False),  # Wed 08:59
    (WEEK, (), "Europe/Berlin", "2027-01-06T08:00", True),  # Wed 09:00 sharp
    (WEEK, (), "Europe/Berlin", "2027-01-06T17:00", False),  # Wed 18:00: closed
    (WEEK, (), "Europe/Berlin", "2027-01-09T10:00", True),  # Sat 11:00
    (WEEK, (), "Europe/Berlin", "2027-01-09T13:00", False),  # Sat 14:00
    (WEEK, (), "Europe/Berlin", "2027-01-10T10:00", False),  # Sun
    # Across midnight: Friday's shift runs into Saturday.
    ("Fri 22:00-02:00", (), "Europe/Berlin", "2027-01-09T00:00", True),  # Sat 01:00
    ("Fri 22:00-02:00", (), "Europe/Berlin", "2027-01-09T01:00", False),  # Sat 02:00
    ("Fri 22:00-02:00", (), "Europe/Berlin", "2027-01-08T20:59", False),  # Fri 21:59
    ("Fri 22:00-24:00", (), "Europe/Berlin", "2027-01-08T22:59", True),  # Fri 23:59
    # Berlin springs forward on 2027-03-28 (02:00 CET -> 03:00 CEST): Sun 01:00-04:00 lasts 2 h.
    ("Sun 01:00-04:00", (), "Europe/Berlin", "2027-03-28T00:30", True),  # 01:30 CET
    ("Sun 01:00-04:00", (), "Europe/Berlin", "2027-03-28T01:30", True),  # 03:30 CEST
    ("Sun 01:00-04:00", (), "Europe/Berlin", "2027-03-28T02:00", False),  # 04:00 CEST
    # New York falls back on 2027-11-07 (01:00-02:00 happens twice): Sun 00:00-02:00 lasts 3 h.
    ("Sun 00:00-02:00", (), "America/New_York", "2027-11-07T05:30", True),  # 01:30 EDT
    ("Sun 00:00-02:00", (), "America/New_York", "2027-11-07T06:30", True),  # 01:30 EST
    ("Sun 00:00-02:00", (), "America/New_York", "2027-11-07T07:00", False),  # 02:00 EST
    # Summer time moves the opening in UTC: 09:00 EDT is 13:00 UTC, 09:00 EST 14:00 UTC.
    (WEEK, (), "America/New_York", "2027-07-07T13:00", True),
    (WEEK, (), "America/New_York", "2027-01-06T13:00", False),
    # Holidays cancel the day's ranges, in the tenant's zone.
    (WEEK, ("2027-01-01",), "Europe/Berlin", "2027-01-01T10:00", False),
    (WEEK, ("2027-01-01",), "Europe/Berlin", "2027-01-04T10:00", True),
    # A holiday cancels the shifts starting that day, not one spilling into it.
    ("Thu 22:00-02:00", ("2027-01-01",), "Europe/Berlin", "2026-12-31T23:30", True),
    ("Fri 22:00-02:00", ("2027-01-01",), "Europe/Berlin", "2027-01-01T21:30", False),
]


@pytest.mark.parametrize(("text", "holidays", "tz", "at", "expected"), OPEN_CASES)
def test_is_open(text: str, holidays: tuple[str, ...], tz: str, at: str, expected: bool) -> None:
    assert is_open(parse_hours(text, holidays), utc(at), tz) is expected


NEXT_CASES = [
    # (hours, holidays, zone, instant, next opening in UTC)
    (WEEK, (), "Europe/Berlin", "2027-01-06T10:00", "2027-01-06T10:00"),  # open: now
    (WEEK, (), "Europe/Berlin", "2027-01-06T18:00", "2027-01-07T08:00"),  # evening -> 09:00
    (WEEK, (), "Europe/Berlin", "2027-01-09T13:30", "2027-01-11T08:00"),  # Sat after -> Mon
    (WEEK, (), "Europe/Berlin", "2027-01-08T23:30", "2027-01-09T09:00"),  # Fri night -> Sat
    # The weekend of the spring change: Monday 09:00 is CEST (07:00 UTC), Friday's was CET.
    (WEEK, (), "Europe/Berlin", "2027-03-26T18:00", "2027-03-27T09:00"),
    ("Mon-Fri 09:00-18:00", (), "Europe/Berlin", "2027-03-26T18:00", "2027-03-29T07:00"),
    ("Mon-Fri 09:00-18:00", (), "America/New_York", "2027-11-05T23:00", "2027-11-08T14:00"),
    # New Year: the holiday and the weekend are skipped.
    (
        "Mon-Fri 09:00-18:00",
        ("2027-01-01",),
        "Europe/Berlin",
        "2026-12-31T18:00",
        "2027-01-04T08:00",
    ),
    ("Fri 22:00-02:00", (), "Europe/Berlin", "2027-01-09T02:00", "2027-01-15T21:00"),
]


@pytest.mark.parametrize(("text", "holidays", "tz", "at", "expected"), NEXT_CASES)
def test_next_opening(text: str, holidays: tuple[str, ...], tz: str, at: str, expected: str):
    opening = next_opening(parse_hours(text, holidays), utc(at), tz)
    assert opening is not None
    assert opening.astimezone(UTC) == utc(expected)
    assert is_open(parse_hours(text, holidays), opening, tz)


def test_next_opening_skips_holidays_and_gives_up_past_the_horizon(monkeypatch) -> None:
    hours = parse_hours("Mon 09:00-10:00", ["2027-01-04", "2027-01-11"])
    assert next_opening(hours, utc("2027-01-01T00:00"), "UTC") == utc("2027-01-18T09:00")
    monkeypatch.setattr("perezvon.hours.HORIZON_DAYS", 14)
    assert next_opening(hours, utc("2027-01-01T00:00"), "UTC") is None


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        (WEEK, WEEK),
        ("mon 9:00-18:00", "Mon 09:00-18:00"),
        ("Fri-Mon 10:00-12:00", "Mon 10:00-12:00; Fri-Sun 10:00-12:00"),
        ("Mon-Fri 14:00-18:00, 09:00-13:00", "Mon-Fri 09:00-13:00,14:00-18:00"),
        ("Sat 22:00-02:00;", "Sat 22:00-02:00"),
        ("Sun 00:00-24:00", "Sun 00:00-24:00"),
    ],
)
def test_canonical_text_reads_back(text: str, canonical: str) -> None:
    assert parse_hours(text).text() == canonical
    assert parse_hours(canonical) == parse_hours(text)


@pytest.mark.parametrize(
    ("text", "holidays"),
    [
        ("", ()),
        ("Mon", ()),
        ("Xyz 09:00-10:00", ()),
        ("Mon-Xyz 09:00-10:00", ()),
        ("Mon 25:00-26:00", ()),
        ("Mon 09:00-09:00", ()),
        ("Mon 09:60-10:00", ()),
        ("Mon 24:00-10:00", ()),
        ("Mon 9-10", ()),
        ("Mon 09:00-10:00", ("2027-13-01",)),
        ("Mon 09:00-10:00", ("tomorrow",)),
    ],
)
def test_bad_hours_are_refused(text: str, holidays: tuple[str, ...]) -> None:
    with pytest.raises(BadHours):
        parse_hours(text, holidays)


@pytest.mark.parametrize(
    ("window", "tz", "at", "inside"),
    [
        ("22:00-08:00", "Europe/Berlin", "2027-01-06T22:00", True),  # 23:00
        ("22:00-08:00", "Europe/Berlin", "2027-01-07T06:59", True),  # 07:59
        ("22:00-08:00", "Europe/Berlin", "2027-01-07T07:00", False),  # 08:00
        ("22:00-08:00", "Europe/Berlin", "2027-01-07T11:00", False),
        ("13:00-14:00", "America/New_York", "2027-07-07T17:30", True),  # 13:30 EDT
        ("13:00-14:00", "America/New_York", "2027-01-07T17:30", False),  # 12:30 EST
    ],
)
def test_daily_window(window: str, tz: str, at: str, inside: bool) -> None:
    assert in_window(parse_window(window), utc(at), tz) is inside


def test_window_text_and_refusals() -> None:
    assert window_text(parse_window("22:00-8:00")) == "22:00-08:00"
    for bad in ("22:00", "22:00-22:00", "off", "22:00-08:61"):
        with pytest.raises(BadHours):
            parse_window(bad)


@pytest.mark.parametrize(
    ("text", "seconds", "short"),
    [("0", 0, "0"), ("2h", 7200, "2h"), ("90m", 5400, "1h30m"), ("1h30m", 5400, "1h30m"),
     ("1d", 86_400, "1d"), ("45s", 45, "45s"), ("120", 120, "2m")],
)  # fmt: skip
def test_durations(text: str, seconds: int, short: str) -> None:
    assert parse_duration(text) == seconds
    assert duration_text(seconds) == short
    assert parse_duration(short) == seconds


@pytest.mark.parametrize("bad", ["", "2 hours", "h", "2x", "-1h", "1h 30m"])
def test_bad_durations(bad: str) -> None:
    with pytest.raises(BadHours):
        parse_duration(bad)


@pytest.mark.parametrize(
    ("text", "tz", "start", "end", "seconds"),
    [
        (WEEK, "Europe/Berlin", "2027-01-06T09:00", "2027-01-06T11:00", 7200),  # all in hours
        (WEEK, "Europe/Berlin", "2027-01-06T16:00", "2027-01-07T09:00", 3600 + 3600),
        # Friday 17:00 to Monday 09:30: Friday's last hour, Saturday's four, Monday's half hour.
        (WEEK, "Europe/Berlin", "2027-01-08T16:00", "2027-01-11T08:30", 3600 + 4 * 3600 + 1800),
        ("Sun 01:00-04:00", "Europe/Berlin", "2027-03-28T00:00", "2027-03-28T05:00", 7200),
        ("Fri 22:00-02:00", "UTC", "2027-01-09T00:00", "2027-01-09T12:00", 7200),
        (WEEK, "Europe/Berlin", "2027-01-06T11:00", "2027-01-06T09:00", 0),
    ],
)
def test_open_seconds(text: str, tz: str, start: str, end: str, seconds: float) -> None:
    hours = parse_hours(text)
    assert open_seconds(hours, utc(start).timestamp(), utc(end).timestamp(), tz) == seconds
