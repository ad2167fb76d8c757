"""`perezvon run` mistakes: each is one line on stderr naming what to change, exit 2.

With LOG_LEVEL=WARNING (no start-up narration) stderr must be exactly that line; at INFO the
service may narrate what it started, but the mistake is still the only line at WARNING or above.
"""

import os
import re
import socket
import subprocess
import sys
import time

import pytest

SECRET = "s" * 32


def _env(tmp_path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "BOT_TOKEN")}
    env.update(DATA_DIR=str(tmp_path / "data"), SECRET_KEY=SECRET, INGEST_PORT="0")
    env.update(extra)
    return env


def _run(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "perezvon", "run", *args],
        env=_env(tmp_path, **env), cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def _one_line(run: subprocess.CompletedProcess[str], fragment: str) -> str:
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert fragment in lines[0] and "Traceback" not in run.stderr, run.stderr
    return lines[0]


def _loud_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if re.search(r" (WARNING|ERROR|CRITICAL) ", line)]


@pytest.fixture
def emulator():
    proc = subprocess.Popen(
        [sys.executable, "-u", "-m", "tg_emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        yield re.search(r"on (http://\S+) ", proc.stdout.readline()).group(1)
    finally:
        proc.terminate()
        proc.wait(10)


# Shaped like a token, known to nobody: the emulator answers 401 as Telegram does.
UNKNOWN = "1234:" + "x" * 35


@pytest.mark.parametrize("role", ["bot", "all"])
def test_a_bot_token_telegram_refuses_is_one_clear_line(tmp_path, emulator, role):
    run = _run(tmp_path, "--role", role, BOT_TOKEN=UNKNOWN, TELEGRAM_API_URL=emulator)
    assert run.returncode == 2
    errors = _loud_lines(run.stderr)
    assert len(errors) == 1 and "BOT_TOKEN: " in errors[0], run.stderr
    assert "Traceback" not in run.stderr and UNKNOWN not in run.stderr
    quiet = _run(
        tmp_path, "--role", role, BOT_TOKEN=UNKNOWN, TELEGRAM_API_URL=emulator, LOG_LEVEL="WARNING"
    )
    assert quiet.returncode == 2
    _one_line(quiet, "BOT_TOKEN: ")


@pytest.mark.parametrize("token", ["garbage", "1234", "abc:" + "x" * 35, "1234:short"])
def test_a_bot_token_that_is_not_shaped_like_one_is_one_line(tmp_path, token):
    # Refused from the settings, before anything starts (no Redis, no Telegram).
    run = _run(tmp_path, BOT_TOKEN=token)
    assert run.returncode == 2
    line = _one_line(run, "BOT_TOKEN: does not look like a bot token")
    assert token not in line.removeprefix("perezvon: BOT_TOKEN:")
    assert not (tmp_path / "data" / "redis").exists()


@pytest.mark.parametrize("role", ["all", "ingest"])
def test_a_port_in_use_is_one_line_naming_the_variable(tmp_path, role):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = _run(tmp_path, "--role", role, INGEST_PORT=str(port))
    assert run.returncode == 2
    _one_line(run, f"INGEST_PORT: port {port} on 127.0.0.1 is already in use")


def test_a_host_that_cannot_be_listened_on_names_ingest_host(tmp_path):
    run = _run(tmp_path, "--role", "ingest", INGEST_HOST="192.0.2.1", INGEST_PORT="18080")
    assert run.returncode == 2
    _one_line(run, "INGEST_HOST: cannot listen on 192.0.2.1:18080")


def test_a_second_run_on_the_same_data_dir_is_one_line(tmp_path):
    first = subprocess.Popen(
        [sys.executable, "-m", "perezvon", "run", "--role", "ingest"],
        env=_env(tmp_path), cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while "HTTP: POST" not in (line := first.stdout.readline()):
            assert line and time.monotonic() < deadline, first.stderr.read()
        second = _run(tmp_path, "--role", "ingest")
    finally:
        first.terminate()
        first.wait(30)
    assert second.returncode == 2
    _one_line(second, "DATA_DIR: ")
    assert "in use by another Perezvon" in second.stderr
    assert first.returncode == 0  # the first one was left alone and stopped cleanly
