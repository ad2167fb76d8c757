"""`perezvon tenant set` working-hour flags, on an embedded Redis (see test_cli.py)."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from perezvon.cli import main


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SECRET_KEY", "cli-test-secret-key-0123")
    monkeypatch.chdir(tmp_path)
    assert main(["tenant", "create", "--name", "Acme", "--tz", "Europe/Berlin"]) == 0
    return tmp_path


def run_json(capsys, *argv):
    capsys.readouterr()
    code = main([*argv, "--json"])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if out.out.strip() else None), out.err


def test_hours_holidays_mode_and_silence_alert(env, capsys):
    code, data, _ = run_json(
        capsys, "tenant", "set", "1", "--hours", "mon-fri 9:00-18:00; Sat 10:00-14:00",
        "--holiday", "2027-01-01", "--holiday", "2026-12-25", "--off-hours", "digest",
        "--silence-alert", "2h",
    )  # fmt: skip
    assert code == 0
    assert data == {
        "hours": "Mon-Fri 09:00-18:00; Sat 10:00-14:00",
        "holidays": ["2026-12-25", "2027-01-01"],
        "off_hours": "digest",
        "silence_alert": 7200,
    }
    # Other settings and hour settings in one command; what is not given stays.
    code, data, _ = run_json(capsys, "tenant", "set", "1", "--lang", "en", "--off-hours", "quiet")
    assert code == 0 and data["lang"] == "en" and data["off_hours"] == "quiet"
    assert data["hours"] == "Mon-Fri 09:00-18:00; Sat 10:00-14:00"
    code, data, _ = run_json(capsys, "tenant", "set", "1", "--holiday", "none")
    assert code == 0 and data["holidays"] == []


def test_human_output_says_what_the_hours_are(env, capsys):
    capsys.readouterr()
    assert main(["tenant", "set", "1", "--hours", "Mon 09:00-10:00", "--silence-alert", "90m"]) == 0
    out = capsys.readouterr().out
    assert "Working hours of tenant 1: Mon 09:00-10:00" in out and "silence alert: 1h30m" in out


def test_a_groups_own_hours(env, capsys):
    assert main(["group", "add", "1", "night"]) == 0
    code, data, _ = run_json(
        capsys, "tenant", "set", "1", "--group", "night", "--hours", "Sat 22:00-06:00"
    )
    assert code == 0 and data["group"] == "night" and data["hours"] == "Sat 22:00-06:00"
    code, data, _ = run_json(capsys, "tenant", "set", "1", "--group", "night", "--hours", "")
    assert code == 0 and data["hours"] == ""


@pytest.mark.parametrize(
    ("argv", "code", "fragment"),
    [
        (["--hours", "Mon 25:00-26:00"], 2, "not a time of day"),
        (["--holiday", "2027-02-30"], 2, "not a date"),
        (["--off-hours", "loud"], 2, "invalid choice"),
        (["--silence-alert", "2 hours"], 2, "not a duration"),
        (["--silence-alert", "8d"], 2, "between 0 and 7 days"),
        (["--group", "night", "--off-hours", "quiet"], 2, "give --hours"),
        (["--group", "nope", "--hours", "Mon 09:00-10:00"], 1, "no group"),
    ],
)
def test_mistakes(env, capsys, argv, code, fragment):
    capsys.readouterr()
    assert main(["tenant", "set", "1", *argv]) == code
    assert fragment in capsys.readouterr().err


def test_binding_a_group_to_a_forum(env, capsys):
    assert main(["group", "add", "1", "support"]) == 0
    code, data, _ = run_json(
        capsys, "tenant", "set", "1", "--group", "support", "--forum", "-1001234567890"
    )
    assert code == 0 and data == {"group": "support", "forum": -1001234567890}
    code, data, _ = run_json(capsys, "tenant", "set", "1", "--group", "support", "--forum", "off")
    assert code == 0 and data["forum"] is None
    for argv, fragment in (
        (["--forum", "-1001234567890"], "give --group"),
        (["--group", "support", "--forum", "here"], "a chat id like"),
        (["--group", "support", "--forum", "-4001"], "supergroup"),
    ):
        capsys.readouterr()
        assert main(["tenant", "set", "1", *argv]) == 2
        assert fragment in capsys.readouterr().err


def test_the_weekly_report_on_and_off(env, capsys):
    code, data, _ = run_json(capsys, "tenant", "set", "1", "--weekly-report", "on")
    assert code == 0 and data["weekly_report"] is True
    due = datetime.fromisoformat(data["weekly_report_next"])
    local = due.astimezone(ZoneInfo("Europe/Berlin"))
    assert (local.weekday(), local.hour, local.minute) == (0, 9, 0)  # a Monday, 09:00 Berlin
    code, rows, _ = run_json(capsys, "tenant", "list")
    assert rows[0]["weekly_report"] is True
    # With working hours the report comes at the Monday opening.
    run_json(capsys, "tenant", "set", "1", "--weekly-report", "off")
    code, data, _ = run_json(capsys, "tenant", "set", "1", "--hours", "Mon-Fri 10:30-18:00",
                             "--weekly-report", "on")  # fmt: skip
    local = datetime.fromisoformat(data["weekly_report_next"]).astimezone(ZoneInfo("Europe/Berlin"))
    assert (local.weekday(), local.hour, local.minute) == (0, 10, 30)
    code, data, _ = run_json(capsys, "tenant", "set", "1", "--weekly-report", "off")
    assert code == 0 and data == {"weekly_report": False, "weekly_report_next": None}
    code, rows, _ = run_json(capsys, "tenant", "list")
    assert rows[0]["weekly_report"] is False
    capsys.readouterr()
    assert main(["tenant", "set", "1", "--weekly-report", "maybe"]) == 2
