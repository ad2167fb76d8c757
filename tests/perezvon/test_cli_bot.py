"""`perezvon bot list` and `perezvon bot pace` on an embedded Redis (see test_cli.py)."""

import asyncio
import json

import pytest

from delivery.pacing import BotPace, Pace
from perezvon.cli import main
from perezvon.redis_runtime import open_store
from perezvon.settings import load

ACME_BOT = 222
DEFAULT_BOT = 111


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SECRET_KEY", "cli-test-secret-key-0123")
    monkeypatch.chdir(tmp_path)
    assert main(["tenant", "create", "--name", "Acme"]) == 0
    return tmp_path


def in_store(work):
    async def run():
        async with open_store(load()) as store:
            return await work(store)

    return asyncio.run(run())


@pytest.fixture
def bots(env):
    """The default bot as the service learnt it, and Acme's active @AcmeBot."""

    async def seed(store):
        await store.default_bot.remember(DEFAULT_BOT, "PerezvonBot")
        bot = await store.bots.add("1", "Acme", f"{ACME_BOT}:AAAA-acme", "AcmeBot", ACME_BOT)
        await store.bots.activate("1", bot.id)

    in_store(seed)


def run_json(capsys, *argv):
    capsys.readouterr()
    code = main([*argv, "--json"])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if out.out.strip() else None), out.err


def pace_of(bot_id):
    return in_store(lambda store: BotPace.of(store).get(bot_id))


def audit(log):
    return in_store(lambda store: store.audit.recent(log))


def test_list_shows_every_bot_with_its_tenant_flags_and_rate(bots, capsys):
    in_store(lambda store: BotPace.of(store).set(ACME_BOT, Pace(300.0, paid=True)))
    code, rows, _ = run_json(capsys, "bot", "list")
    assert code == 0
    assert rows == [
        {"bot": DEFAULT_BOT, "username": "PerezvonBot", "tenant": None, "tenant_name": None,
         "default": True, "status": "active", "active": True, "rate": 30.0, "paid": False,
         "own_rate": False},
        {"bot": ACME_BOT, "username": "AcmeBot", "tenant": "1", "tenant_name": "Acme",
         "default": False, "status": "active", "active": True, "rate": 300.0, "paid": True,
         "own_rate": True},
    ]  # fmt: skip
    capsys.readouterr()
    assert main(["bot", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "@PerezvonBot (111)  default bot  active  30 msg/s (the default), paid broadcasts off",
        "@AcmeBot (222)  tenant 1 (Acme)  active  300 msg/s, paid broadcasts on (charged in "
        "Telegram Stars)",
    ]
    assert "AAAA-acme" not in json.dumps(rows)  # a token is never shown


def test_the_default_rate_comes_from_the_settings(bots, capsys, monkeypatch):
    monkeypatch.setenv("BOT_RATE_PER_SECOND", "12")
    code, data, _ = run_json(capsys, "bot", "pace", "@AcmeBot")
    assert code == 0 and data["rate"] == 12.0 and data["own_rate"] is False


def test_a_paid_rate_is_set_shown_audited_and_read_by_the_engine(bots, capsys):
    code, data, _ = run_json(capsys, "bot", "pace", "AcmeBot", "--rate", "1000", "--paid", "on")
    assert code == 0 and (data["rate"], data["paid"], data["own_rate"]) == (1000.0, True, True)
    assert pace_of(ACME_BOT) == Pace(1000.0, paid=True)
    (entry,) = audit("1")
    assert (entry.name, entry.action, entry.detail) == (
        "cli",
        "bot.pace",
        "@AcmeBot (222) 1000/s paid",
    )
    # Without flags: shown, nothing written.
    capsys.readouterr()
    assert main(["bot", "pace", str(ACME_BOT)]) == 0
    out = capsys.readouterr().out
    assert out == (
        "Bot @AcmeBot (222): 1000 msg/s, paid broadcasts on (charged in Telegram Stars).\n"
    )
    assert len(audit("1")) == 1
    # A new rate keeps the paid flag; a free rate may switch it off.
    assert run_json(capsys, "bot", "pace", "AcmeBot", "--rate", "100")[0] == 0
    assert pace_of(ACME_BOT) == Pace(100.0, paid=True)
    assert run_json(capsys, "bot", "pace", "AcmeBot", "--rate", "20", "--paid", "off")[0] == 0
    assert pace_of(ACME_BOT) == Pace(20.0, paid=False)
    assert [e.detail for e in audit("1")][:2] == [
        "@AcmeBot (222) 20/s",
        "@AcmeBot (222) 100/s paid",
    ]


def test_above_the_free_ceiling_without_paid_is_refused_in_one_line(bots, capsys):
    code, data, err = run_json(capsys, "bot", "pace", "AcmeBot", "--rate", "31")
    assert code == 2
    assert data == {
        "error": "a rate above 30/s needs paid broadcasts on (charged in Telegram Stars)"
    }
    assert err.count("\n") == 1 and err.startswith("perezvon: a rate above 30/s")
    assert pace_of(ACME_BOT) is None and audit("1") == []
    # Switching paid off under a paid rate above 30 is the same mistake.
    assert run_json(capsys, "bot", "pace", "AcmeBot", "--rate", "100", "--paid", "on")[0] == 0
    assert run_json(capsys, "bot", "pace", "AcmeBot", "--paid", "off")[0] == 2
    assert pace_of(ACME_BOT) == Pace(100.0, paid=True)


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--rate", "0"], "more than 0 and at most 1000"),
        (["--rate", "-5"], "more than 0 and at most 1000"),
        (["--rate", "1001", "--paid", "on"], "more than 0 and at most 1000"),
        (["--rate", "fast"], "must be a number"),
        (["--paid", "maybe"], "must be on or off"),
        (["--reset", "--rate", "10"], "give no --rate or --paid"),
    ],
)
def test_usage_errors_exit_2_and_write_nothing(bots, capsys, argv, needle):
    code, _, err = run_json(capsys, "bot", "pace", "AcmeBot", *argv)
    assert code == 2 and needle in err and err.count("\n") == 1
    assert pace_of(ACME_BOT) is None and audit("1") == []


def test_reset_returns_to_the_default(bots, capsys):
    assert run_json(capsys, "bot", "pace", "AcmeBot", "--rate", "300", "--paid", "on")[0] == 0
    code, data, _ = run_json(capsys, "bot", "pace", "AcmeBot", "--reset")
    assert code == 0 and (data["rate"], data["paid"], data["own_rate"]) == (30.0, False, False)
    assert pace_of(ACME_BOT) is None
    assert audit("1")[0].detail == "@AcmeBot (222) default"


def test_the_default_bots_pace_is_audited_in_the_service_log(bots, capsys):
    code, data, _ = run_json(capsys, "bot", "pace", "default", "--rate", "10")
    assert code == 0 and data["default"] is True and data["rate"] == 10.0
    assert pace_of(DEFAULT_BOT) == Pace(10.0)
    code, rows, _ = run_json(capsys, "audit", "service")
    assert code == 0 and [(r["action"], r["detail"]) for r in rows] == [
        ("bot.pace", "@PerezvonBot (111) 10/s")
    ]
    assert audit("1") == []


def test_the_default_bot_is_known_by_its_token_too(env, capsys, monkeypatch):
    assert run_json(capsys, "bot", "pace", "default")[0] == 1  # neither a token nor a getMe yet
    monkeypatch.setenv("BOT_TOKEN", "333:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw")
    code, data, _ = run_json(capsys, "bot", "pace", "default", "--rate", "5")
    assert code == 0 and data["bot"] == 333 and pace_of(333) == Pace(5.0)


def test_an_unknown_bot_is_a_failure(bots, capsys):
    for ref in ("@NoSuchBot", "999"):
        code, _, err = run_json(capsys, "bot", "pace", ref, "--rate", "10")
        assert code == 1 and f"no bot {ref}" in err


def test_deleting_a_tenant_clears_its_bots_paces(bots, capsys):
    assert run_json(capsys, "bot", "pace", "AcmeBot", "--rate", "1000", "--paid", "on")[0] == 0
    assert run_json(capsys, "bot", "pace", "default", "--rate", "20")[0] == 0
    assert main(["tenant", "delete", "1", "--yes"]) == 0
    assert pace_of(ACME_BOT) is None
    assert pace_of(DEFAULT_BOT) == Pace(20.0)  # the service's own bot is no tenant's
    code, rows, _ = run_json(capsys, "bot", "list")
    assert code == 0 and [r["bot"] for r in rows] == [DEFAULT_BOT]
