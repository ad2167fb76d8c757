"""The operator CLI on an embedded Redis: outputs, --json, exit codes, one-line errors."""

import json
import subprocess
import sys

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


def test_tenant_lifecycle(env, capsys):
    code, created, _ = run_json(capsys, "tenant", "create", "--name", "Acme", "--lang", "en")
    assert code == 0 and created["id"] == "1" and created["api_key"].startswith("pzv_")
    assert created["tz"] == "Europe/Moscow" and created["lang"] == "en"

    code, listed, _ = run_json(capsys, "tenant", "list")
    assert code == 0 and [t["name"] for t in listed] == ["Acme"]
    assert created["api_key"] not in json.dumps(listed)

    code, rotated, _ = run_json(capsys, "tenant", "rotate-key", "1")
    assert code == 0 and rotated["api_key"] != created["api_key"]

    code, _, err = run_json(capsys, "tenant", "delete", "1")
    assert code == 2 and "--yes" in err
    code, deleted, _ = run_json(capsys, "tenant", "delete", "1", "--yes")
    assert code == 0 and deleted == {"id": "1", "deleted": True}
    code, listed, _ = run_json(capsys, "tenant", "list")
    assert listed == []


def test_human_output_shows_the_key_once(env, capsys):
    assert main(["tenant", "create", "--name", "Acme"]) == 0
    out = capsys.readouterr().out
    assert "API key, shown only now" in out and "pzv_" in out
    assert main(["tenant", "list"]) == 0
    listing = capsys.readouterr().out
    assert "Acme" in listing and out.split()[-1] not in listing


def test_groups(env, capsys):
    run_json(capsys, "tenant", "create", "--name", "Acme")
    code, g, _ = run_json(
        capsys, "group", "add", "1", "sales", "--name", "Sales", "--notify", "off"
    )
    assert code == 0 and g["notify"] is False and g["created"] is True
    code, g, _ = run_json(capsys, "group", "add", "1", "sales", "--notify", "on")
    assert code == 0 and g["notify"] is True and g["name"] == "Sales" and g["created"] is False
    code, groups, _ = run_json(capsys, "group", "list", "1")
    assert [(x["id"], x["notify"]) for x in groups] == [("default", True), ("sales", True)]
    code, _, err = run_json(capsys, "group", "list", "42")
    assert code == 1 and "no tenant 42" in err

    code, g, _ = run_json(capsys, "group", "set", "1", "sales", "--escalation-chat", "-1001234")
    assert code == 0 and g == {"tenant": "1", "id": "sales", "escalation_chat": -1001234}
    code, groups, _ = run_json(capsys, "group", "list", "1")
    assert [x["escalation_chat"] for x in groups] == [None, -1001234]
    code, g, _ = run_json(capsys, "group", "set", "1", "sales", "--escalation-chat", "0")
    assert code == 0 and g["escalation_chat"] is None
    code, _, err = run_json(capsys, "group", "set", "1", "nope", "--escalation-chat", "-1")
    assert code == 1 and "no group" in err


def test_ami_links(env, capsys):
    run_json(capsys, "tenant", "create", "--name", "Acme")
    argv = ["ami", "add", "1", "--host", "pbx.local", "--username", "perezvon"]
    extra = ["--did-group", "74950001122=sales", "--context", "from-sip", "--tls"]
    code, link, _ = run_json(capsys, *argv, "--secret", "hunter22", *extra)
    assert code == 0 and link["port"] == 5038 and link["tls"] is True
    assert link["did_groups"] == {"74950001122": "sales"} and link["contexts"] == ["from-sip"]
    assert link["dial"] is False
    code, dialler, _ = run_json(capsys, *argv, "--secret", "s", "--dial", "--dial-tech", "SIP")
    assert code == 0 and dialler["dial"] is True
    assert run_json(capsys, "ami", "remove", dialler["id"])[0] == 0
    code, _, err = run_json(capsys, *argv, "--secret", "x", "--did-group", "nogroup")
    assert code == 2 and "DID=GROUP" in err
    code, links, _ = run_json(capsys, "ami", "list")
    assert [x["host"] for x in links] == ["pbx.local"] and "hunter22" not in json.dumps(links)
    assert run_json(capsys, "ami", "remove", link["id"])[0] == 0
    code, _, err = run_json(capsys, "ami", "remove", link["id"])
    assert code == 1 and "no AMI link" in err


@pytest.mark.parametrize(
    "argv,code,fragment",
    [
        (["tenant"], 2, "required"),
        (["tenant", "frobnicate"], 2, "invalid choice"),
        (["tenant", "create"], 2, "--name"),
        # A malformed argument is a usage error (2), whether argparse or the store refuses it.
        (["tenant", "create", "--name", "A", "--tz", "Nowhere/City"], 2, "unknown time zone"),
        (["tenant", "create", "--name", "A", "--lang", "de"], 2, "invalid choice"),
        (["tenant", "create", "--name", "  "], 2, "name must be 1 to 128"),
        (["group", "add", "1", "g", "--notify", "maybe"], 2, "on or off"),
        (["group", "add", "1", "a:b"], 2, "group id must be"),
        (["ami", "add", "1", "--host", "h", "--port", "0", "--username", "u", "--secret", "s"],
         2, "a port 1-65535"),
        (["ami", "add", "1", "--host", "h", "--username", "u", "--secret", "s",
          "--tls-ca", "/no/such/ca.pem"], 2, "cannot read /no/such/ca.pem"),
        # A well-formed id of nothing is "other failure" (1).
        (["tenant", "rotate-key", "77"], 1, "no tenant 77"),
        (["group", "list", "77"], 1, "no tenant 77"),
        (["ami", "remove", "9"], 1, "no AMI link 9"),
    ],
)  # fmt: skip
def test_errors_are_one_line_with_the_right_exit_code(env, capsys, argv, code, fragment):
    assert main(["tenant", "create", "--name", "Acme"]) == 0
    capsys.readouterr()
    assert main(argv) == code
    err = capsys.readouterr().err.strip()
    assert fragment in err and err.startswith("perezvon: ") and len(err.splitlines()) == 1


def test_configuration_error_exits_2_without_traceback(env):
    proc = subprocess.run(
        [sys.executable, "-m", "perezvon", "tenant", "list"],
        env={"PATH": "/usr/bin:/bin", "INGEST_PORT": "nope", "DATA_DIR": str(env / "d")},
        capture_output=True,
        text=True,
        cwd=env,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("perezvon: INGEST_PORT: ")
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "argv", [[], ["run"], ["tenant", "create"], ["group", "add"], ["ami", "add"], ["sandbox"]]
)
def test_help_everywhere(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--help"])
    assert exit_.value.code == 0 and "usage: perezvon" in capsys.readouterr().out


def test_another_secret_key_on_the_same_data_is_a_configuration_error(env, capsys, monkeypatch):
    assert main(["tenant", "create", "--name", "Acme"]) == 0
    capsys.readouterr()
    monkeypatch.setenv("SECRET_KEY", "a-different-key-0123456789")
    assert main(["tenant", "list"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("perezvon: SECRET_KEY: differs from the key") and "\n" not in err


def test_tenant_set_changes_only_what_it_is_given(env, capsys):
    code, created, _ = run_json(capsys, "tenant", "create", "--name", "Acme")
    assert code == 0 and created["new_groups"] is True  # PBX-named groups notify by default
    code, changed, _ = run_json(
        capsys, "tenant", "set", "1", "--new-groups", "off", "--name", "Acme Ltd", "--lang", "en"
    )
    assert code == 0
    assert (changed["name"], changed["lang"], changed["new_groups"]) == ("Acme Ltd", "en", False)
    assert changed["tz"] == "Europe/Moscow"  # not given: unchanged
    code, listed, _ = run_json(capsys, "tenant", "list")
    assert listed[0]["new_groups"] is False and listed[0]["name"] == "Acme Ltd"
    assert main(["tenant", "set", "1", "--tz", "Asia/Almaty"]) == 0
    assert capsys.readouterr().out.strip() == "Tenant 1 «Acme Ltd»: tz=Asia/Almaty."
    code, created, _ = run_json(capsys, "tenant", "create", "--name", "B", "--new-groups", "off")
    assert created["new_groups"] is False


@pytest.mark.parametrize(
    "argv,code,fragment",
    [
        (["tenant", "set", "1"], 2, "nothing to change"),
        (["tenant", "set", "1", "--tz", "Mars/Base"], 2, "unknown time zone"),
        (["tenant", "set", "1", "--new-groups", "yes"], 2, "on or off"),
        (["tenant", "set", "1", "--name", ""], 2, "name must be 1 to 128"),
        (["tenant", "set", "42", "--lang", "en"], 1, "no tenant 42"),
    ],
)
def test_tenant_set_mistakes(env, capsys, argv, code, fragment):
    assert main(["tenant", "create", "--name", "Acme"]) == 0
    capsys.readouterr()
    assert main(argv) == code
    err = capsys.readouterr().err.strip()
    assert fragment in err and len(err.splitlines()) == 1
