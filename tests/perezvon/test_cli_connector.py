"""`perezvon connector add|list|remove` on an embedded Redis: URL, sealed secrets, errors."""

import json

import pytest

from perezvon.cli import main


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SECRET_KEY", "cli-test-secret-key-0123")
    monkeypatch.setenv("INGEST_PORT", "8123")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_json(capsys, *argv):
    code = main([*argv, "--json"])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if out.out.strip() else None), out.err


def test_add_list_remove(env, capsys):
    assert run_json(capsys, "tenant", "create", "--name", "Acme")[0] == 0
    code, made, _ = run_json(
        capsys, "connector", "add", "1", "--vendor", "zadarma",
        "--option", "secret=zd-very-secret", "--option", "allow_ip=185.45.152.42",
    )  # fmt: skip
    assert code == 0 and made["vendor"] == "zadarma" and len(made["id"]) >= 20
    assert made["url"] == f"http://127.0.0.1:8123/v1/hooks/zadarma/{made['id']}"
    assert made["allow_ip"] == ["185.45.152.42/32"]
    assert "zd-very-secret" not in json.dumps(made)

    code, listed, _ = run_json(capsys, "connector", "list", "1")
    assert code == 0 and [c["id"] for c in listed] == [made["id"]]
    assert listed[0]["last_event_at"] is None
    assert "zd-very-secret" not in json.dumps(listed)

    code, gone, _ = run_json(capsys, "connector", "remove", made["id"])
    assert code == 0 and gone == {"id": made["id"], "removed": True}
    assert run_json(capsys, "connector", "list", "1")[1] == []
    assert run_json(capsys, "connector", "remove", made["id"])[0] == 1
    code, journal, _ = run_json(capsys, "audit", "1")
    actions = [(e["action"], e["detail"]) for e in journal]
    assert ("connector.add", f"zadarma {made['id'][:6]}") in actions
    assert ("connector.remove", made["id"][:6]) in actions


def test_public_url_builds_the_url(env, capsys, monkeypatch):
    monkeypatch.setenv("PUBLIC_URL", "https://pbx.example.com/")
    run_json(capsys, "tenant", "create", "--name", "Acme")
    code, made, _ = run_json(
        capsys, "connector", "add", "1", "--vendor", "mango",
        "--option", "api_key=k", "--option", "api_salt=s",
    )  # fmt: skip
    assert code == 0
    assert made["url"] == f"https://pbx.example.com/v1/hooks/mango/{made['id']}"


def test_the_secret_is_sealed_at_rest(env, capsys):
    run_json(capsys, "tenant", "create", "--name", "Acme")
    run_json(
        capsys, "connector", "add", "1", "--vendor", "twilio", "--option", "auth_token=tw-plain-9"
    )
    dump = b"".join(p.read_bytes() for p in (env / "data").rglob("*") if p.is_file())
    assert b"twilio" in dump and b"tw-plain-9" not in dump


def test_a_rostelecom_connector_takes_its_client_id_and_key(env, capsys):
    run_json(capsys, "tenant", "create", "--name", "Acme")
    code, made, _ = run_json(
        capsys, "connector", "add", "1", "--vendor", "rostelecom",
        "--option", "client_id=rt-id-plain-1", "--option", "client_key=rt-key-plain-2",
    )  # fmt: skip
    assert code == 0 and made["url"].endswith(f"/v1/hooks/rostelecom/{made['id']}")
    dump = b"".join(p.read_bytes() for p in (env / "data").rglob("*") if p.is_file())
    assert b"rostelecom" in dump
    assert b"rt-id-plain-1" not in dump and b"rt-key-plain-2" not in dump
    code, out, _ = run_json(
        capsys, "connector", "add", "1", "--vendor", "rostelecom", "--option", "client_id=x"
    )
    assert code == 2 and "client_key" in out["error"]


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--vendor", "mango", "--option", "api_key=k"], "api_salt"),
        (["--vendor", "zadarma", "--option", "secret=s", "--option", "colour=red"], "colour"),
        (["--vendor", "zadarma", "--option", "secret=s", "--option", "allow_ip=nope"], "allow_ip"),
        (["--vendor", "nosuch"], "invalid choice"),
        (["--vendor", "zadarma", "--option", "secret"], "KEY=VALUE"),
    ],
)
def test_mistakes_are_usage_errors(env, capsys, argv, needle):
    run_json(capsys, "tenant", "create", "--name", "Acme")
    code, out, err = run_json(capsys, "connector", "add", "1", *argv)
    assert code == 2 and needle in err and needle in out["error"]


def test_unknown_tenant_fails(env, capsys):
    code, out, _ = run_json(
        capsys, "connector", "add", "9", "--vendor", "zadarma", "--option", "secret=s"
    )
    assert code == 1 and "no tenant 9" in out["error"]
