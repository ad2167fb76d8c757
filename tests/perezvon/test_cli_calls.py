"""`perezvon calls list` and the follow-up settings of `tenant set`."""

import json

import pytest

from perezvon.cli import main
from perezvon.cli_calls import calls_list
from store.cards import Resolution


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SECRET_KEY", "cli-test-secret-key-0123")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _json(capsys, *argv):
    code = main([*argv, "--json"])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if out.out.strip() else None), out.err


def test_follow_up_settings_and_an_empty_call_list(env, capsys):
    code, created, _ = _json(capsys, "tenant", "create", "--name", "Acme")
    assert (created["escalate_after"], created["callback_window"]) == (15, 24)
    code, changed, _ = _json(
        capsys, "tenant", "set", "1", "--escalate-after", "0", "--callback-window", "48"
    )
    assert code == 0 and (changed["escalate_after"], changed["callback_window"]) == (0, 48)
    _, listed, _ = _json(capsys, "tenant", "list")
    assert (listed[0]["escalate_after"], listed[0]["callback_window"]) == (0, 48)
    assert _json(capsys, "calls", "list", "1", "--open")[:2] == (0, [])
    assert main(["calls", "list", "42"]) == 1
    assert "no tenant 42" in capsys.readouterr().err
    assert main(["tenant", "set", "1", "--callback-window", "0"]) == 2
    assert "callback-window" in capsys.readouterr().err


async def test_calls_list_shows_state_and_who(store, clock):
    tenant, _ = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    fu = store.followups
    first = (await fu.open_call(tenant.id, "c1", "+74951234567", "default", clock.now)).card
    await fu.open_call(tenant.id, "c2", "+74951234567", "default", clock.now + 5)
    await fu.claim(tenant.id, first.id, 7, "Ольга")
    clock.advance(120)
    await fu.resolve(tenant.id, first.id, Resolution.CALLED_BACK, extension="102")
    await fu.open_call(tenant.id, "c3", "+74957654321", "default", clock.now)
    everything = await calls_list(store, tenant.id, False, 50)
    newest, oldest = everything.data
    assert (oldest["resolution"], oldest["claimed_by"], oldest["resolved_by"]) == (
        "called_back", "Ольга", "Ольга"
    )  # fmt: skip
    assert (oldest["repeat_count"], oldest["time_to_callback_s"]) == (2, 120)
    assert (newest["state"], newest["caller"]) == ("open", "+74957654321")
    only_open = await calls_list(store, tenant.id, True, 50)
    assert [r["caller"] for r in only_open.data] == ["+74957654321"]
    assert "called_back Ольга" in everything.lines[1]
