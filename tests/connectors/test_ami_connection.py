"""AmiConnection end to end against FakeAmiServer on loopback, replaying real captures."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import ssl
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from connectors.asterisk.connection import AmiConnection
from connectors.asterisk.detector import DetectorSettings, MissedCallDetector
from connectors.asterisk.errors import AmiKeepaliveTimeout, AmiLoginError
from connectors.asterisk.fake_ami import FakeAmiServer, capture_body
from connectors.asterisk.parser import AmiParser
from connectors.asterisk.settings import AmiSettings
from connectors.asterisk.verdict import Verdict, VerdictKind, to_call_event
from store.events import AnsweredEvent, CallEvent

CAPTURES = Path(__file__).resolve().parents[1] / "data" / "asterisk"
MISSED = "01-ringgroup-noanswer.ami"
ANSWERED = "05-queue-answered.ami"
SECRET = "s3cret-do-not-log"


def _body(name: str) -> bytes:
    path = CAPTURES / name
    if not path.is_file():
        raise FileNotFoundError(f"capture missing: {path}")
    return capture_body(path.read_bytes())


def _expected_events(name: str) -> list[CallEvent]:
    detector = MissedCallDetector()
    verdicts = [v for m in AmiParser().feed(_body(name)) for v in detector.feed(m, 0.0)]
    return [to_call_event(v, call_id_prefix="ami:t:") for v in verdicts if v.is_missed]


def _settings(server: FakeAmiServer, **overrides: object) -> AmiSettings:
    values: dict[str, object] = {
        "host": server.host,
        "port": server.port,
        "username": "perezvon",
        "secret": SECRET,
        "name": "t",
        "call_id_prefix": "ami:t:",
        "keepalive_interval": 5.0,
        "keepalive_timeout": 5.0,
        "connect_timeout": 2.0,
        "backoff_min": 0.01,
        "backoff_max": 0.05,
        "delivery_retry_min": 0.01,
        "delivery_retry_max": 0.02,
        "tick_interval": 0.02,
    }
    values.update(overrides)
    return AmiSettings(**values)  # type: ignore[arg-type]


class Recorder:
    """An on_missed callback that records calls and can fail the first few."""

    def __init__(self, fail_first: int = 0) -> None:
        self.calls: list[CallEvent] = []
        self.fail_first = fail_first

    async def __call__(self, event: CallEvent) -> None:
        self.calls.append(event)
        if len(self.calls) <= self.fail_first:
            raise RuntimeError("store is down")


@contextlib.asynccontextmanager
async def running(connection: AmiConnection) -> AsyncIterator[AmiConnection]:
    task = asyncio.create_task(connection.run())
    try:
        yield connection
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def until(condition: Callable[[], bool], within: float = 5.0) -> None:
    # Polling: the conditions read counters of several objects, no single event to await.
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def test_missed_capture_calls_back_once_with_the_call_event() -> None:
    recorder = Recorder()
    async with FakeAmiServer(secret=SECRET, replay=_body(MISSED)) as server:
        conn = AmiConnection(_settings(server), recorder)
        async with running(conn):
            await until(lambda: len(recorder.calls) == 1)
            await asyncio.sleep(0.1)
    assert recorder.calls == _expected_events(MISSED)
    assert recorder.calls[0].call_id == "ami:t:1795782534.0"
    assert server.stats.logins == [("perezvon", True)]


async def test_answered_capture_is_no_missed_call_only_a_follow_up() -> None:
    recorder = Recorder()
    async with FakeAmiServer(secret=SECRET, replay=_body(ANSWERED)) as server:
        conn = AmiConnection(_settings(server), recorder)
        async with running(conn):
            await until(lambda: conn.detector.stats.decided == 1)
            await asyncio.sleep(0.05)
    # The follow-up loop hears of it (the caller got through); nobody is notified.
    assert [type(e) for e in recorder.calls] == [AnsweredEvent]


async def test_failed_login_is_typed_logged_without_secret_and_retried(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    recorder = Recorder()
    async with FakeAmiServer(secret="other", replay=_body(MISSED)) as server:
        conn = AmiConnection(_settings(server), recorder)
        async with running(conn):
            await until(lambda: len(server.stats.logins) >= 3)
            assert isinstance(conn.last_error, AmiLoginError)
            assert SECRET not in str(conn.last_error)
            assert conn.stats.login_failures >= 3
            assert recorder.calls == []
            server.secret = SECRET  # the operator fixes the PBX side
            await until(lambda: len(recorder.calls) == 1)
    assert conn.last_error is None
    assert "login refused" in caplog.text
    assert SECRET not in caplog.text
    assert SECRET not in repr(conn.settings)
    assert all(SECRET not in str(r.args) for r in caplog.records)


async def test_reconnect_replaying_the_same_capture_does_not_call_back_twice() -> None:
    offline = MissedCallDetector()
    for _ in range(2):
        for msg in AmiParser().feed(_body(MISSED)):
            offline.feed(msg, 0.0)
    recorder = Recorder()
    async with FakeAmiServer(secret=SECRET, replay=_body(MISSED)) as server:
        conn = AmiConnection(_settings(server), recorder)
        async with running(conn):
            await until(lambda: len(recorder.calls) == 1)
            await server.drop_sessions()
            # Wait until the second replay has been read in full.
            late = offline.stats.late_events
            await until(lambda: conn.detector.stats.late_events == late)
            await asyncio.sleep(0.1)
    assert len(recorder.calls) == 1
    assert server.stats.sessions == 2


async def test_stream_cut_mid_message_then_full_replay_loses_nothing() -> None:
    body = _body("09-concurrent-missed-and-answered.ami")
    cut = body.index(b"Event: Hangup", len(body) // 2) + 20  # inside a Hangup packet
    recorder = Recorder()
    async with FakeAmiServer(secret=SECRET, replay=body, cut_first_session_at=cut) as server:
        conn = AmiConnection(_settings(server), recorder)
        async with running(conn):
            await until(lambda: conn.detector.stats.decided == 2)
            await asyncio.sleep(0.1)
    assert conn.stats.sessions == 2
    missed = [e for e in recorder.calls if isinstance(e, CallEvent)]
    assert missed == _expected_events("09-concurrent-missed-and-answered.ami")
    assert [type(e) for e in recorder.calls].count(AnsweredEvent) == 1


async def test_failing_callback_keeps_the_call_and_retries() -> None:
    recorder = Recorder(fail_first=2)
    async with FakeAmiServer(secret=SECRET, replay=_body(MISSED)) as server:
        conn = AmiConnection(_settings(server), recorder)
        async with running(conn):
            await until(lambda: conn.outbox.stats.delivered == 1)
    assert len(recorder.calls) == 3
    assert len({e.call_id for e in recorder.calls}) == 1
    assert conn.outbox.stats.failures == 2
    assert conn.outbox.pending() == []


async def test_decided_call_survives_the_stream_closing_before_delivery() -> None:
    gate = asyncio.Event()
    delivered: list[CallEvent] = []

    async def slow(event: CallEvent) -> None:
        await gate.wait()
        delivered.append(event)

    async with FakeAmiServer(secret=SECRET, replay=_body(MISSED)) as server:
        conn = AmiConnection(_settings(server), slow)
        async with running(conn):
            await until(lambda: conn.detector.stats.decided == 1)
            await server.drop_sessions()
            await until(lambda: conn.stats.disconnects >= 1)
            gate.set()
            await until(lambda: len(delivered) == 1)
    assert delivered == _expected_events(MISSED)


async def test_no_pong_means_reconnect() -> None:
    async with FakeAmiServer(secret=SECRET, answer_pings=False) as server:
        settings = _settings(server, keepalive_interval=0.05, keepalive_timeout=0.05)
        conn = AmiConnection(settings, Recorder())
        async with running(conn):
            await until(lambda: server.stats.sessions >= 2)
    assert server.stats.pings >= 1
    assert isinstance(conn.last_error, AmiKeepaliveTimeout) or conn.stats.disconnects >= 1


async def test_pongs_keep_the_session() -> None:
    async with FakeAmiServer(secret=SECRET) as server:
        settings = _settings(server, keepalive_interval=0.02, keepalive_timeout=0.5)
        conn = AmiConnection(settings, Recorder())
        async with running(conn):
            await until(lambda: server.stats.pings >= 5)
    assert server.stats.sessions == 1


async def test_unreachable_port_backs_off_and_retries() -> None:
    server = await FakeAmiServer(secret=SECRET).start()
    port = server.port
    await server.close()
    settings = AmiSettings(
        host="127.0.0.1", port=port, username="u", secret=SECRET, backoff_min=0.01, backoff_max=0.02
    )
    conn = AmiConnection(settings, Recorder(), rng=random.Random(1))
    async with running(conn):
        await until(lambda: conn.last_error is not None)
    assert conn.connected is False


async def test_connections_in_one_process_are_independent() -> None:
    first, second = Recorder(), Recorder()
    groups = DetectorSettings(did_groups={"73272000000": "main-line"})
    async with (
        FakeAmiServer(secret=SECRET, replay=_body(MISSED)) as one,
        FakeAmiServer(username="other", secret="x2", replay=_body("04-queue-abandon.ami")) as two,
    ):
        a = AmiConnection(_settings(one, detector=groups, call_id_prefix="ami:a:"), first)
        b = AmiConnection(
            _settings(two, username="other", secret="x2", call_id_prefix="ami:b:"), second
        )
        async with running(a), running(b):
            await until(lambda: len(first.calls) == 1 and len(second.calls) == 1)
    assert first.calls[0].call_id == "ami:a:1795782534.0"
    assert first.calls[0].group == "main-line"
    assert second.calls[0].call_id == "ami:b:1795782564.18"
    assert second.calls[0].group == "sales"
    assert a.detector is not b.detector


def test_settings_refuse_bad_values() -> None:
    with pytest.raises(ValueError):
        AmiSettings(host="h", username="u", secret="a\r\nAction: Originate")
    with pytest.raises(ValueError):
        AmiSettings(host="h", username="u", secret="s", port=0)
    with pytest.raises(ValueError):
        AmiSettings(host="h", username="u", secret="s", backoff_min=5, backoff_max=1)
    assert AmiSettings(host="h", username="u", secret="s").tls_context() is None
    assert AmiSettings(host="h", username="u", secret="s", tls=True).tls_context() is not None


def test_a_verdict_callevent_refuses_is_logged_not_fatal(caplog: pytest.LogCaptureFixture) -> None:
    conn = AmiConnection(AmiSettings(host="h", username="u", secret=SECRET), Recorder())
    bad = Verdict(
        kind=VerdictKind.MISSED,
        linkedid="1.1",
        caller="   ",
        caller_name=None,
        did=None,
        group=None,
        answered_by=None,
        ring_started_at=None,
        ended_at=None,
        answered_at=None,
        wait_seconds=None,
        extensions=(),
        voicemail=False,
    )
    conn._deliver([bad])
    assert conn.outbox.pending() == []
    assert "unusable call 1.1" in caplog.text


def _self_signed(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "ami.pem", tmp_path / "ami.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return server, client


async def test_tls_connection_delivers_the_missed_call(tmp_path: Path) -> None:
    server_ctx, client_ctx = _self_signed(tmp_path)
    recorder = Recorder()
    async with FakeAmiServer(secret=SECRET, replay=_body(MISSED), ssl_context=server_ctx) as srv:
        settings = _settings(srv, host="localhost", tls=True, ssl_context=client_ctx)
        conn = AmiConnection(settings, recorder)
        async with running(conn):
            await until(lambda: len(recorder.calls) == 1)
    assert recorder.calls == _expected_events(MISSED)


class Clock:
    """A monotonic clock the test moves: how long a session 'stayed up'."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_pbx_that_hangs_up_after_each_login_is_backed_off_further_each_time() -> None:
    clock = Clock()
    async with FakeAmiServer(secret=SECRET, hang_up_after_login=True) as server:
        settings = _settings(server, backoff_min=0.01, backoff_max=0.08, healthy_after=30.0)
        conn = AmiConnection(settings, Recorder(), monotonic=clock, rng=random.Random(7))
        async with running(conn):
            await until(lambda: server.stats.sessions >= 6, within=10)
    assert [ok for _, ok in server.stats.logins][:6] == [True] * 6
    # Doubling from 0.01 s, capped at 0.08 s (jittered within the upper half): not reset.
    assert conn.stats.last_backoff >= 0.04


async def test_a_session_that_stayed_up_long_enough_starts_the_backoff_over() -> None:
    clock = Clock()
    async with FakeAmiServer(secret=SECRET, hang_up_after_login=True) as server:
        settings = _settings(server, backoff_min=0.01, backoff_max=0.08, healthy_after=30.0)
        conn = AmiConnection(settings, Recorder(), monotonic=clock, rng=random.Random(7))
        async with running(conn):
            await until(lambda: server.stats.sessions >= 6, within=10)
            assert conn.stats.last_backoff >= 0.04
            server.hang_up_after_login = False
            sessions = server.stats.sessions
            await until(lambda: conn.connected and server.stats.sessions > sessions, within=10)
            clock.now += 31  # the link stayed up for 31 s
            await server.drop_sessions()
            await until(lambda: conn.stats.disconnects >= 7 and conn.connected, within=10)
    assert conn.stats.last_backoff <= 0.01
