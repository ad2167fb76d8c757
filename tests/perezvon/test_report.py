"""Reports: the figures of a period from the follow-up cards (tables of cases), the report over
every store backend, and `perezvon report` on the command line."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import pytest

from perezvon.cli import main
from perezvon.hours import parse_hours
from perezvon.report import (
    CSV_COLUMNS,
    BadPeriod,
    csv_bytes,
    figures,
    next_weekly,
    p90,
    report,
    series,
    since_epoch,
    summary,
)
from store.cards import Card, Resolution, State

NOW = 1_800_000_000.0  # 2027-01-15 08:00 UTC
DAY = 86_400.0
MIN = 60.0
REQUIRED = {
    "missed", "callers", "repeat_calls", "open", "resolved", "callback_rate",
    "median_time_to_callback_s", "p90_time_to_callback_s", "by_group", "by_employee",
}  # fmt: skip


def _utc(text: str) -> float:
    return datetime.fromisoformat(text + "+00:00").timestamp()


def card(
    cid: str,
    caller: str,
    at: float,
    *,
    group: str = "default",
    count: int = 1,
    res: Resolution | None = None,
    after: float = 0.0,
    claimed: str = "",
    resolver: str = "",
    ext: str = "",
    escalated: bool = False,
) -> Card:
    """A card first seen at `at`, resolved `after` seconds later by `res` (None: unresolved)."""
    state = State.RESOLVED if res else State.CLAIMED if claimed else State.OPEN
    return Card(
        "1", cid, f"call-{cid}", caller, group, state, at, at, count, 1, res,
        claimed_by=1 if claimed else 0, claimed_name=claimed,
        resolved_at=at + after if res else 0.0, resolved_name=resolver, extension=ext,
        escalated=escalated,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        ("7d", "UTC", NOW - 7 * DAY),
        ("30d", "Europe/Moscow", NOW - 30 * DAY),
        ("2027-01-01", "UTC", _utc("2027-01-01T00:00")),
        ("2027-01-01", "Europe/Moscow", _utc("2026-12-31T21:00")),
    ],
)  # fmt: skip
def test_since(text: str, tz: str, expected: float) -> None:
    assert since_epoch(text, tz, NOW) == expected


@pytest.mark.parametrize("bad", ["", "7", "0d", "-3d", "week", "2027-13-01"])
def test_bad_since(bad: str) -> None:
    with pytest.raises(BadPeriod):
        since_epoch(bad, "UTC", NOW)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], None),
        ([5.0], 5.0),
        ([1.0, 2.0], 2.0),
        ([float(v) for v in range(1, 11)], 9.0),
        ([float(v) for v in range(1, 12)], 10.0),
        ([30.0, 10.0, 20.0], 30.0),
    ],
)  # fmt: skip
def test_p90_is_the_nearest_rank(values: list[float], expected: float | None) -> None:
    assert p90(values) == expected


A, B, C, D = "+74951111111", "+74952222222", "+74953333333", "+74954444444"

# (cards, expected figures): one row per arithmetic rule.
SUMMARY_CASES = [
    ([], {"missed": 0, "callers": 0, "repeat_calls": 0, "open": 0, "callback_rate": None,
          "median_time_to_callback_s": None, "p90_time_to_callback_s": None}),
    # A caller who rang 3 times on one card: 3 missed, 1 caller, 2 repeats, still open.
    ([card("1", A, NOW, count=3)],
     {"missed": 3, "callers": 1, "repeat_calls": 2, "open": 1, "callback_rate": 0.0}),
    # The same caller's second card (after the first was resolved) is a repeat too.
    ([card("1", A, NOW, res=Resolution.GOT_THROUGH, after=MIN), card("2", A, NOW + DAY)],
     {"missed": 2, "callers": 1, "repeat_calls": 1, "open": 1, "callback_rate": 0.0}),
    # Hidden numbers are never one caller.
    ([card("1", "", NOW), card("2", "", NOW)], {"callers": 2, "repeat_calls": 0}),
    # Called back (PBX) and marked done both count as callbacks, with their waiting times;
    # got_through and expired do not.
    ([card("1", A, NOW, res=Resolution.CALLED_BACK, after=2 * MIN),
      card("2", B, NOW, res=Resolution.MANUAL, after=10 * MIN),
      card("3", C, NOW, res=Resolution.GOT_THROUGH, after=MIN),
      card("4", D, NOW, res=Resolution.EXPIRED, after=DAY)],
     {"open": 0, "callback_rate": 0.5, "median_time_to_callback_s": 6 * MIN,
      "p90_time_to_callback_s": 10 * MIN,
      "resolved": {"called_back": 1, "got_through": 1, "manual": 1, "expired": 1}}),
    # Claimed is still open; escalations are counted per card.
    ([card("1", A, NOW, claimed="Ольга", escalated=True), card("2", B, NOW, escalated=True),
      card("3", C, NOW)],
     {"open": 3, "claimed": 1, "escalations": 2, "callback_rate": 0.0}),
    # Ten callbacks of 1..10 minutes: the median between the 5th and 6th, p90 the 9th.
    ([card(str(i), f"+7495000000{i}", NOW, res=Resolution.CALLED_BACK, after=i * MIN)
      for i in range(10)],
     {"callback_rate": 1.0, "median_time_to_callback_s": 4.5 * MIN,
      "p90_time_to_callback_s": 8 * MIN}),
]  # fmt: skip


@pytest.mark.parametrize(("cards", "expected"), SUMMARY_CASES)
def test_summary_arithmetic(cards: list[Card], expected: dict) -> None:
    got = summary(cards)
    assert {k: got[k] for k in expected} == expected


def test_figures_per_period_group_employee_and_the_callers_nobody_called_back() -> None:
    cards = [
        card("1", A, NOW - 3600, count=2, res=Resolution.CALLED_BACK, after=3 * MIN,
             claimed="Ольга", resolver="Ольга"),
        card("2", B, NOW - DAY - 60, group="sales", res=Resolution.CALLED_BACK, after=20 * MIN,
             ext="102"),
        card("3", C, NOW - 2 * DAY, group="sales", res=Resolution.EXPIRED, after=DAY),
        card("4", D, NOW - 1800, claimed="Иван"),
        card("5", B, NOW - 10 * DAY),  # before the period
    ]  # fmt: skip
    data = figures(cards, "UTC", NOW - 7 * DAY, NOW)
    assert REQUIRED <= set(data)
    assert (data["missed"], data["callers"], data["repeat_calls"], data["open"]) == (5, 4, 1, 1)
    assert data["resolved"] == {"called_back": 2, "got_through": 0, "manual": 0, "expired": 1}
    assert data["callback_rate"] == 0.5
    assert data["median_time_to_callback_s"] == 11.5 * MIN
    assert data["by_group"]["default"]["missed"] == 3
    assert data["by_group"]["sales"]["resolved"]["expired"] == 1
    assert data["by_group"]["sales"]["callback_rate"] == 0.5
    assert data["by_employee"] == {
        "#102": {"claimed": 0, "called_back": 1, "manual": 0, "median_time_to_callback_s": 1200.0},
        "Иван": {"claimed": 1, "called_back": 0, "manual": 0, "median_time_to_callback_s": None},
        "Ольга": {"claimed": 1, "called_back": 1, "manual": 0, "median_time_to_callback_s": 180.0},
    }
    assert [(n["caller"], n["state"]) for n in data["not_called_back"]] == [
        (C, "expired"),
        (D, "open"),
    ]
    assert data["per_day"] == {"2027-01-13": 1, "2027-01-14": 1, "2027-01-15": 3}
    assert data["top_callers"] == [{"caller": A, "calls": 2}]
    assert data["complete"] is True


def test_a_period_beyond_what_the_store_keeps_is_marked_incomplete() -> None:
    assert figures([], "UTC", NOW - 70 * DAY, NOW)["complete"] is False
    assert figures([], "UTC", NOW - 30 * DAY, NOW)["complete"] is True
    assert figures([], "UTC", NOW - 7 * DAY, NOW)["missed"] == 0


async def test_report_over_the_store(store, clock):
    tenant, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    fu = store.followups
    first = (await fu.open_call(tenant.id, "c1", A, "default", clock.now)).card
    await fu.open_call(tenant.id, "c2", A, "default", clock.now + 60)  # joins A's card
    second = (await fu.open_call(tenant.id, "c3", B, "default", clock.now + 120)).card
    await fu.claim(tenant.id, first.id, 7, "Ольга")
    clock.advance(300)
    await fu.resolve(tenant.id, first.id, Resolution.CALLED_BACK, extension="102")
    result = await report(store, tenant.id, "7d", clock.now)
    data = result.data
    assert (data["missed"], data["callers"], data["repeat_calls"], data["open"]) == (3, 2, 1, 1)
    assert data["resolved"]["called_back"] == 1 and data["callback_rate"] == 0.5
    assert data["median_time_to_callback_s"] == 300.0
    assert data["by_employee"]["Ольга"]["called_back"] == 1
    assert [n["card"] for n in data["not_called_back"]] == [second.id]
    assert data["tenant"] == tenant.id
    assert any("Missed calls: 3" in line for line in result.lines)
    assert any("Callback rate: 50%" in line for line in result.lines)


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SECRET_KEY", "cli-test-secret-key-0123")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_command_line(env, capsys):
    assert main(["tenant", "create", "--name", "Acme"]) == 0
    capsys.readouterr()
    assert main(["report", "1", "--since", "30d", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert REQUIRED <= set(data) and data["missed"] == 0
    assert set(data["resolved"]) == {"called_back", "got_through", "manual", "expired"}
    assert main(["report", "1", "--since", "week"]) == 2
    assert "use 7d, 30d" in capsys.readouterr().err
    assert main(["report", "42"]) == 1
    assert "no tenant 42" in capsys.readouterr().err


def test_series_per_day_in_the_tenants_zone_every_day_present() -> None:
    cards = [
        card("1", A, _utc("2027-01-14T20:59"), count=2, res=Resolution.CALLED_BACK, after=MIN),
        card("2", A, _utc("2027-01-14T21:00"), res=Resolution.EXPIRED, after=DAY),  # 00:00 MSK
        card("3", A, _utc("2027-01-12T10:00")),
    ]
    s = series(cards, "Europe/Moscow", NOW - 4 * DAY, NOW)
    assert not s.hourly
    assert [b.strftime("%m-%d") for b in s.buckets] == [
        "01-11", "01-12", "01-13", "01-14", "01-15"
    ]  # fmt: skip
    assert s.counts["called_back"] == [0, 0, 0, 2, 0]
    assert s.counts["expired"] == [0, 0, 0, 0, 1]
    assert s.counts["open"] == [0, 1, 0, 0, 0]
    assert s.total == 4


def test_series_per_hour_for_one_day_across_a_dst_change() -> None:
    # 2027-03-28: Europe/Berlin skips 02:00-03:00; the day has 23 hours, each bucket one hour.
    since = _utc("2027-03-27T23:00")  # 00:00 CET
    now = _utc("2027-03-28T22:00")  # 24:00 CEST
    cards = [card("1", A, _utc("2027-03-28T01:30")), card("2", A, _utc("2027-03-28T00:10"))]
    s = series(cards, "Europe/Berlin", since, now)
    assert s.hourly and len(s.buckets) == 24  # 00:00 .. 23:00, and the next day's 00:00
    hours = [b.strftime("%H") for b in s.buckets]
    assert "02" not in hours and hours[:4] == ["00", "01", "03", "04"]
    assert s.counts["open"][1] == 1 and s.counts["open"][2] == 1  # 01:10 CET, 03:30 CEST


def test_csv_one_row_per_card() -> None:
    cards = [
        card("2", A, NOW - 600, count=3, res=Resolution.CALLED_BACK, after=300, claimed="Ольга",
             resolver="Ольга", ext="101"),
        card("1", A, NOW - 7200, escalated=True),
        card("0", A, NOW - 40 * DAY),  # outside the period
    ]  # fmt: skip
    body = csv_bytes(cards, "Europe/Moscow", NOW - 7 * DAY, NOW)
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == list(CSV_COLUMNS)
    assert [r[0] for r in rows[1:]] == ["1", "2"]
    one, two = (dict(zip(rows[0], r, strict=True)) for r in rows[1:])
    assert one["state"] == "open" and one["escalated"] == "1" and one["time_to_callback_s"] == ""
    assert one["first_seen"] == "2027-01-15T09:00:00+03:00"
    assert (two["resolution"], two["claimed_by"], two["resolved_by"]) == (
        "called_back", "Ольга", "Ольга"
    )  # fmt: skip
    assert (two["time_to_callback_s"], two["repeat_count"], two["extension"]) == ("300", "3", "101")


MON_0900_MSK = _utc("2027-01-18T06:00")  # Monday 18 January 2027, 09:00 in Moscow


@pytest.mark.parametrize(
    ("after", "tz", "hours", "expected"),
    [
        # Friday -> the coming Monday 09:00 in the tenant's zone.
        (NOW, "Europe/Moscow", None, MON_0900_MSK),
        (NOW, "Asia/Almaty", None, _utc("2027-01-18T04:00")),
        # Monday before 09:00 -> that day; at 09:00 or later -> the next Monday.
        (MON_0900_MSK - 60, "Europe/Moscow", None, MON_0900_MSK),
        (MON_0900_MSK, "Europe/Moscow", None, MON_0900_MSK + 7 * DAY),
        # With working hours: that Monday's opening.
        (NOW, "Europe/Moscow", "Mon-Fri 10:30-18:00", MON_0900_MSK + 90 * MIN),
        (NOW, "Europe/Moscow", "Mon-Fri 07:00-18:00", MON_0900_MSK - 2 * 60 * MIN),
        # A holiday Monday: the next opening, Tuesday.
        (NOW, "Europe/Moscow", "Mon-Fri 10:00-18:00|2027-01-18", MON_0900_MSK + DAY + 60 * MIN),
        # A Monday across a DST change keeps 09:00 local (Berlin, 2027-03-29 is after it).
        (_utc("2027-03-26T12:00"), "Europe/Berlin", None, _utc("2027-03-29T07:00")),
    ],
)  # fmt: skip
def test_next_weekly(after: float, tz: str, hours: str | None, expected: float) -> None:
    schedule = None
    if hours is not None:
        text, _, holiday = hours.partition("|")
        schedule = parse_hours(text, [holiday] if holiday else [])
    assert next_weekly(after, tz, schedule) == expected
