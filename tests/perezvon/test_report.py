"""Reports: the figures of a period from the calls the store keeps (a table of cases), the
report over every store backend, and `perezvon report` on the command line."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from delivery.intake import Intake
from perezvon.cli import main
from perezvon.report import BadPeriod, figures, report, since_epoch
from store.events import CallEvent
from store.models import RecordedCall

NOW = 1_800_000_000.0  # 2027-01-15 08:00 UTC
DAY = 86_400.0
REQUIRED = {
    "missed", "callers", "repeat_calls", "open", "resolved", "callback_rate",
    "median_time_to_callback_s", "p90_time_to_callback_s", "by_group", "by_employee",
}  # fmt: skip


def _utc(text: str) -> float:
    return datetime.fromisoformat(text + "+00:00").timestamp()


def _rec(cid: str, caller: str, at: float, group: str = "default") -> RecordedCall:
    payload = CallEvent(call_id=cid, caller=caller).model_dump_json()
    return RecordedCall("1", cid, group, payload, at)


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


def test_figures_count_calls_callers_and_repeats_per_group_and_day() -> None:
    calls = [
        _rec("a", "+74951111111", NOW - 3600),
        _rec("b", "+74951111111", NOW - 1800),
        _rec("c", "+74952222222", NOW - DAY - 60, "sales"),
        _rec("d", "+74953333333", NOW - 10 * DAY),  # before the period
    ]
    data = figures(calls, "UTC", NOW - 7 * DAY, NOW)
    assert REQUIRED <= set(data)
    assert (data["missed"], data["callers"], data["repeat_calls"]) == (3, 2, 1)
    assert data["by_group"] == {
        "default": {"missed": 2, "callers": 1, "repeat_calls": 1},
        "sales": {"missed": 1, "callers": 1, "repeat_calls": 0},
    }
    assert data["per_day"] == {"2027-01-14": 1, "2027-01-15": 2}
    assert data["top_callers"] == [{"caller": "+74951111111", "calls": 2}]
    assert data["complete"] is True
    # What needs the follow-up loop is there, empty, and said to be pending.
    assert data["resolved"] == dict.fromkeys(("called_back", "got_through", "manual", "expired"))
    assert data["callback_rate"] is None and "by_employee" in data["pending"]["fields"]


def test_a_period_beyond_what_the_store_keeps_is_marked_incomplete() -> None:
    assert figures([], "UTC", NOW - 40 * DAY, NOW)["complete"] is False
    assert figures([], "UTC", NOW - 7 * DAY, NOW)["missed"] == 0


async def test_report_over_the_store(store, clock):
    tenant, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    intake = Intake(store)
    for cid, caller in (("c1", "+74951111111"), ("c2", "+74951111111"), ("c3", "+74952222222")):
        await intake.submit(tenant, CallEvent(call_id=cid, caller=caller))
        clock.advance(60)
    result = await report(store, tenant.id, "7d", clock.now)
    assert (result.data["missed"], result.data["callers"], result.data["repeat_calls"]) == (3, 2, 1)
    assert result.data["tenant"] == tenant.id
    assert any("Missed calls: 3" in line for line in result.lines)


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
    assert main(["report", "1", "--since", "week"]) == 2
    assert "use 7d, 30d" in capsys.readouterr().err
    assert main(["report", "42"]) == 1
    assert "no tenant 42" in capsys.readouterr().err
