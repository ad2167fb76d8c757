"""`perezvon invite`, `token`, `audit` and `tenant set --key-activation` on an embedded Redis."""

import json

import pytest

from perezvon.cli import main


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SECRET_KEY", "cli-test-secret-key-0123")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_json(capsys, *argv):
    code = main([*argv, "--json"])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if out.out.strip() else None), out.err


def test_invites_create_list_revoke(env, capsys):
    run_json(capsys, "tenant", "create", "--name", "Acme")
    run_json(capsys, "group", "add", "1", "sales")
    code, inv, _ = run_json(
        capsys, "invite", "create", "1", "--group", "sales", "--uses", "3", "--expires", "2"
    )
    assert code == 0 and inv["code"].startswith("pzi_") and inv["uses_left"] == 3
    assert inv["group"] == "sales" and inv["state"] == "live"
    # No service ran yet: no bot username is known, so no link (the text says what to do).
    assert inv["link"] is None
    assert main(["invite", "create", "1"]) == 0
    human = capsys.readouterr().out
    assert "Code, shown only now: pzi_" in human and "/start pzi_" in human

    code, listed, _ = run_json(capsys, "invite", "list", "1")
    assert code == 0 and len(listed) == 2 and inv["code"] not in json.dumps(listed)
    code, revoked, _ = run_json(capsys, "invite", "revoke", "1", inv["code"])
    assert code == 0 and revoked["state"] == "revoked" and revoked["id"] == inv["id"]
    other = next(r for r in listed if r["id"] != inv["id"])
    assert run_json(capsys, "invite", "revoke", "1", other["id"])[1]["state"] == "revoked"
    code, _, err = run_json(capsys, "invite", "revoke", "1", "nothing")
    assert code == 1 and "no invite" in err


def test_the_link_names_the_delivering_bot(env, capsys):
    import asyncio

    from perezvon.redis_runtime import open_store
    from perezvon.settings import load

    run_json(capsys, "tenant", "create", "--name", "Acme")

    async def remember() -> None:
        async with open_store(load()) as store:
            await store.default_bot.remember(111, "PerezvonBot")

    asyncio.run(remember())
    _, inv, _ = run_json(capsys, "invite", "create", "1")
    assert inv["link"] == f"https://t.me/PerezvonBot?start={inv['code']}"


def test_ingest_tokens(env, capsys):
    run_json(capsys, "tenant", "create", "--name", "Acme")
    code, tok, _ = run_json(capsys, "token", "create", "1", "--name", "pbx1")
    assert code == 0 and tok["token"].startswith("pzt_") and tok["name"] == "pbx1"
    code, _, err = run_json(capsys, "token", "create", "1", "--name", "pbx1")
    assert code == 1 and "already has a token" in err
    code, _, err = run_json(capsys, "token", "create", "1", "--name", "bad name")
    assert code == 2 and "token name" in err
    code, listed, _ = run_json(capsys, "token", "list", "1")
    assert [t["name"] for t in listed] == ["pbx1"] and tok["token"] not in json.dumps(listed)
    code, revoked, _ = run_json(capsys, "token", "revoke", "1", "pbx1")
    assert code == 0 and revoked["revoked"] is True
    code, _, err = run_json(capsys, "token", "revoke", "1", "pbx9")
    assert code == 1 and "no ingest token" in err


def test_key_activation_switch_and_the_audit_log(env, capsys):
    run_json(capsys, "tenant", "create", "--name", "Acme")
    code, t, _ = run_json(capsys, "tenant", "set", "1", "--key-activation", "off")
    assert code == 0 and t["key_activation"] is False
    code, _, err = run_json(capsys, "tenant", "set", "1", "--key-activation", "maybe")
    assert code == 2 and "on or off" in err
    run_json(capsys, "group", "add", "1", "sales", "--notify", "off")
    run_json(capsys, "tenant", "rotate-key", "1")
    run_json(capsys, "token", "create", "1", "--name", "pbx1")
    code, log, _ = run_json(capsys, "audit", "1")
    assert code == 0
    assert [e["action"] for e in log] == ["token.create", "key.rotate", "group.set", "tenant.set"]
    assert {e["name"] for e in log} == {"cli"} and "key_activation=False" in log[-1]["detail"]
    assert "notify=False" in log[2]["detail"]
    assert "pzv_" not in json.dumps(log) and "pzt_" not in json.dumps(log)
    assert main(["audit", "1"]) == 0
    assert "cli  token.create  pbx1" in capsys.readouterr().out
    code, _, err = run_json(capsys, "audit", "1", "--limit", "0")
    assert code == 2 and "more than 0" in err
