"""One live AMI connection: login, keepalive, reconnect, and missed calls handed to a callback."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from connectors.asterisk import protocol
from connectors.asterisk.backoff import backoff_delay
from connectors.asterisk.detector import MissedCallDetector
from connectors.asterisk.errors import (
    AmiConnectionLost,
    AmiError,
    AmiKeepaliveTimeout,
    AmiLoginError,
    AmiProtocolError,
)
from connectors.asterisk.originate import Originate, Outcome, outcome_of
from connectors.asterisk.outbox import OnMissed, Outbox
from connectors.asterisk.parser import AmiMessage, AmiParser
from connectors.asterisk.settings import AmiSettings
from connectors.asterisk.verdict import Verdict, to_call_event, to_followup_event

READ_SIZE = 65_536
LOGGER = logging.getLogger("perezvon.ami")


@dataclass(slots=True)
class ConnectionStats:
    """Counters an operator looks at when a PBX seems silent."""

    sessions: int = 0
    login_failures: int = 0
    disconnects: int = 0
    pings: int = 0
    # The delay before the latest reconnect, seconds.
    last_backoff: float = 0.0


class AmiConnection:
    """Keeps one AMI session alive and turns its events into `on_missed(CallEvent)` calls."""

    def __init__(
        self,
        settings: AmiSettings,
        on_missed: OnMissed,
        *,
        detector: MissedCallDetector | None = None,
        wall_clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        self.settings = settings
        self.detector = detector or MissedCallDetector(settings.detector)
        self.stats = ConnectionStats()
        self.connected = False
        self.last_error: AmiError | None = None
        self._wall = wall_clock
        self._monotonic = monotonic
        self._logged_in_at: float | None = None
        self._rng = rng or random.Random()
        self._log = logger or LOGGER
        self._ids = itertools.count(1)
        self._writer: asyncio.StreamWriter | None = None
        self._originating: dict[str, asyncio.Future[Outcome]] = {}
        self.outbox = Outbox(
            on_missed,
            retry_min=settings.delivery_retry_min,
            retry_max=settings.delivery_retry_max,
            max_pending=settings.max_outbox,
            rng=self._rng,
            log=self._log,
            label=settings.label,
        )

    async def run(self) -> None:
        """Connect, log in, read and deliver until cancelled; failures only cause retries."""
        async with asyncio.TaskGroup() as group:
            group.create_task(self.outbox.run())
            group.create_task(self._connect_forever())

    async def _connect_forever(self) -> None:
        attempt = 0
        while True:
            try:
                await self._session()
            except asyncio.CancelledError:
                raise
            except AmiLoginError as exc:
                self.stats.login_failures += 1
                self.last_error = exc
                self._log.error("ami[%s] %s", self.settings.label, exc)
            except (AmiError, OSError, TimeoutError) as exc:
                self.last_error = exc if isinstance(exc, AmiError) else AmiConnectionLost(str(exc))
                self._log.warning(
                    "ami[%s] connection lost: %s", self.settings.label, _describe(exc)
                )
            except Exception:
                self.last_error = AmiConnectionLost("internal error")
                self._log.exception("ami[%s] unexpected failure", self.settings.label)
            finally:
                if self.connected:
                    self.stats.disconnects += 1
                self.connected = False
            s = self.settings
            if self._stayed_up() >= s.healthy_after:
                attempt = 0
            self._logged_in_at = None
            delay = backoff_delay(attempt, s.backoff_min, s.backoff_max, self._rng)
            self.stats.last_backoff = delay
            attempt += 1
            self._log.info("ami[%s] reconnecting in %.1fs", s.label, delay)
            await asyncio.sleep(delay)

    def _stayed_up(self) -> float:
        """How long the session that just ended was logged in (0 if it never was)."""
        if self._logged_in_at is None:
            return 0.0
        return self._monotonic() - self._logged_in_at

    async def _session(self) -> None:
        s = self.settings
        # asyncio.timeout, not wait_for: Python 3.11's wait_for loses a cancellation that
        # arrives as the awaited call completes, and the connection would then never stop.
        async with asyncio.timeout(s.connect_timeout):
            reader, writer = await asyncio.open_connection(
                s.host,
                s.port,
                ssl=s.tls_context(),
                server_hostname=s.host if s.tls else None,
            )
        try:
            parser = AmiParser()
            async with asyncio.timeout(s.connect_timeout):
                leftover = await self._login(reader, writer, parser)
            self.connected = True
            self._writer = writer
            self._logged_in_at = self._monotonic()
            self.last_error = None
            self.stats.sessions += 1
            self._log.info("ami[%s] logged in", s.label)
            for msg in leftover:
                self._handle(msg)
            await self._pump(reader, writer, parser)
        except asyncio.CancelledError:
            # Shutting down: say goodbye so Asterisk does not log a broken session.
            with contextlib.suppress(Exception):
                writer.write(protocol.logoff(f"logoff-{next(self._ids)}"))
            raise
        finally:
            self._writer = None
            for future in self._originating.values():
                if not future.done():
                    future.set_result(Outcome.LOST)
            writer.close()
            with contextlib.suppress(Exception):
                async with asyncio.timeout(1.0):
                    await writer.wait_closed()

    async def _login(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, parser: AmiParser
    ) -> list[AmiMessage]:
        action_id = f"login-{next(self._ids)}"
        writer.write(protocol.login(self.settings.username, self.settings.secret, action_id))
        await writer.drain()
        while True:
            data = await reader.read(READ_SIZE)
            if not data:
                raise AmiConnectionLost("closed during login")
            messages = parser.feed(data)
            for index, msg in enumerate(messages):
                if msg.get("ActionID") != action_id:
                    continue
                if parser.banner is None:
                    raise AmiProtocolError("peer sent no 'Asterisk Call Manager' banner")
                if msg.response != "Success":
                    raise AmiLoginError(self.settings.username, msg.get("Message") or "refused")
                return messages[index + 1 :]

    async def _pump(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, parser: AmiParser
    ) -> None:
        s = self.settings
        loop = asyncio.get_running_loop()
        next_ping = loop.time() + s.keepalive_interval
        ping_id: str | None = None
        ping_deadline = 0.0
        while True:
            now = loop.time()
            if ping_id is not None and now >= ping_deadline:
                raise AmiKeepaliveTimeout(f"no pong within {s.keepalive_timeout}s")
            if ping_id is None and now >= next_ping:
                ping_id = f"ping-{next(self._ids)}"
                ping_deadline = now + s.keepalive_timeout
                writer.write(protocol.ping(ping_id))
                await writer.drain()
                self.stats.pings += 1
            wake = ping_deadline if ping_id is not None else next_ping
            timeout = max(0.001, min(s.tick_interval, wake - loop.time()))
            try:
                async with asyncio.timeout(timeout):
                    data = await reader.read(READ_SIZE)
            except TimeoutError:
                data = None
            if data == b"":
                raise AmiConnectionLost("closed by peer")
            for msg in parser.feed(data) if data else ():
                if msg.get("ActionID") in self._originating:
                    self._on_originate_reply(msg)
                elif ping_id is not None and msg.get("ActionID") == ping_id:
                    ping_id = None
                    next_ping = loop.time() + s.keepalive_interval
                elif msg.event is not None:
                    self._handle(msg)
            self._deliver(self.detector.tick(self._wall()))

    async def originate(self, call: Originate, *, grace: float = 15.0) -> Outcome:
        """Place one call on the live session and wait for Asterisk's verdict on it; LOST when
        there is no session, it ends first, or no answer comes within the timeout + `grace`.
        Sent at most once: a lost session is never followed by a resend."""
        writer = self._writer
        if writer is None or not self.connected:
            return Outcome.LOST
        action_id = f"originate-{next(self._ids)}"
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._originating[action_id] = future
        try:
            writer.write(protocol.originate(action_id, call.fields()))
            await writer.drain()
            async with asyncio.timeout(call.timeout_ms / 1000 + grace):
                return await future
        except (TimeoutError, OSError):
            return Outcome.LOST
        finally:
            self._originating.pop(action_id, None)

    def _on_originate_reply(self, msg: AmiMessage) -> None:
        future = self._originating.get(msg.get("ActionID") or "")
        outcome = outcome_of(msg)
        if future is not None and outcome is not None and not future.done():
            future.set_result(outcome)

    def _handle(self, msg: AmiMessage) -> None:
        self._deliver(self.detector.feed(msg, self._wall()))

    def _deliver(self, verdicts: list[Verdict]) -> None:
        label = self.settings.label
        for verdict in verdicts:
            if not verdict.is_missed:
                self._log.debug("ami[%s] %s %s", label, verdict.kind, verdict.linkedid)
                try:  # answered and outbound calls tell the follow-up loop what happened next
                    follow = to_followup_event(verdict, call_id_prefix=self.settings.call_id_prefix)
                except ValueError as exc:
                    self._log.error("ami[%s] unusable call %s: %s", label, verdict.linkedid, exc)
                    continue
                if follow is not None:
                    self.outbox.put(follow)
                continue
            try:
                event = to_call_event(verdict, call_id_prefix=self.settings.call_id_prefix)
            except ValueError as exc:
                # A PBX value CallEvent refuses must not take the whole session down.
                self._log.error("ami[%s] unusable call %s: %s", label, verdict.linkedid, exc)
                continue
            self._log.info("ami[%s] missed call %s", label, event.call_id)
            self.outbox.put(event)


def _describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
