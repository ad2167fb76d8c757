"""The embedded redis-server: persistent across restarts, exclusive, never left orphaned."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis as sync_redis

from perezvon.embedded_redis import EmbeddedRedis, EmbeddedRedisError

REPO = Path(__file__).resolve().parents[2]


def _redis_pids(marker: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if "redis-server" in cmd and marker in cmd:
            pids.append(int(entry.name))
    return pids


def _wait_gone(marker: str, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _redis_pids(marker):
            return True
        time.sleep(0.05)
    return False


def test_write_stop_start_read(tmp_path):
    with EmbeddedRedis(tmp_path) as server:
        client = sync_redis.Redis.from_url(server.url)
        client.set("survives", "yes")
        client.close()
    assert not _redis_pids(str(tmp_path))
    with EmbeddedRedis(tmp_path) as server:
        client = sync_redis.Redis.from_url(server.url)
        assert client.get("survives") == b"yes"
        assert client.config_get("appendfsync")["appendfsync"] == "always"
        client.close()


def test_only_one_owner_per_data_dir_but_others_may_attach(tmp_path):
    with EmbeddedRedis(tmp_path) as owner:
        with pytest.raises(EmbeddedRedisError, match="in use by another Perezvon"):
            EmbeddedRedis(tmp_path).start()
        guest = EmbeddedRedis(tmp_path)
        assert guest.attach_or_start() == owner.url
        guest.stop()  # a guest stops nothing
        assert sync_redis.Redis.from_url(owner.url).ping()


def test_long_data_dir_falls_back_to_loopback_tcp(tmp_path):
    deep = tmp_path / ("d" * 90)
    with EmbeddedRedis(deep) as server:
        assert server.url.startswith("redis://127.0.0.1:")
        assert sync_redis.Redis.from_url(server.url).ping()
        guest = EmbeddedRedis(deep)
        assert guest.attach_or_start() == server.url


def _start_service(data_dir: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(DATA_DIR=str(data_dir), SECRET_KEY="s" * 32, LOG_LEVEL="INFO")
    proc = subprocess.Popen(
        [sys.executable, "-m", "perezvon", "run", "--role", "ami"],
        cwd=data_dir.parent,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in proc.stderr:
        if "Perezvon is running" in line:
            return proc
    raise AssertionError(f"service did not start, exit {proc.wait()}")


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_no_orphan_redis_after_the_service_stops(tmp_path, how):
    data_dir = tmp_path / "data"
    proc = _start_service(data_dir)
    try:
        assert len(_redis_pids(str(data_dir))) == 1
        proc.send_signal(how)
        code = proc.wait(20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _wait_gone(str(data_dir)), "redis-server outlived the service"
    if how is not signal.SIGKILL:
        assert code == 0
