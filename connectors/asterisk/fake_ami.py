"""A fake Asterisk Manager Interface on loopback that replays a recorded capture after login."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from dataclasses import dataclass, field

from connectors.asterisk.parser import BANNER_PREFIX, AmiParser

DEFAULT_BANNER = b"Asterisk Call Manager/11.0.0\r\n"


def capture_body(data: bytes) -> bytes:
    """A capture minus what belongs to its own session: banner, Login response, Goodbye."""
    if data.startswith(BANNER_PREFIX.encode()):
        data = data.split(b"\n", 1)[1] if b"\n" in data else b""
    packets = data.split(b"\r\n\r\n")
    if packets and b"ActionID: login" in packets[0] and packets[0].startswith(b"Response:"):
        packets = packets[1:]
    while packets and (not packets[-1].strip() or packets[-1].startswith(b"Response: Goodbye")):
        packets.pop()
    return b"".join(p + b"\r\n\r\n" for p in packets)


@dataclass
class FakeAmiStats:
    """What clients did to the fake server."""

    sessions: int = 0
    logins: list[tuple[str, bool]] = field(default_factory=list)
    pings: int = 0
    actions: list[str] = field(default_factory=list)
    originates: list[dict[str, str]] = field(default_factory=list)


class FakeAmiServer:
    """Speaks just enough AMI (banner, Login, Ping, Originate, Logoff) to test a client end to
    end; the OriginateResponse follows the shape of the captures' (tests/data/asterisk/03)."""

    def __init__(
        self,
        *,
        username: str = "perezvon",
        secret: str = "secret",
        replay: bytes = b"",
        cut_first_session_at: int | None = None,
        answer_pings: bool = True,
        chunk_size: int = 1_400,
        banner: bytes = DEFAULT_BANNER,
        ssl_context: ssl.SSLContext | None = None,
        hang_up_after_login: bool = False,
        originate_reason: str = "4",
        originate_refused: bool = False,
    ) -> None:
        self.username = username
        self.secret = secret
        self.replay = replay
        self.cut_first_session_at = cut_first_session_at
        self.answer_pings = answer_pings
        self.chunk_size = chunk_size
        self.banner = banner
        self.ssl_context = ssl_context
        # A PBX that accepts the login and then drops the session straight away.
        self.hang_up_after_login = hang_up_after_login
        # Originate: "Response: Success" (queued), then an OriginateResponse whose Reason is
        # this (4 = the phone answered; 3 no answer, 5 busy, 0/8 failure); or refused at once.
        self.originate_reason = originate_reason
        self.originate_refused = originate_refused
        self.stats = FakeAmiStats()
        self.host = "127.0.0.1"
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> FakeAmiServer:
        """Listen on an ephemeral loopback port."""
        self._server = await asyncio.start_server(self._session, self.host, 0, ssl=self.ssl_context)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        """Stop listening and drop every client."""
        if self._server is not None:
            self._server.close()
        await self.drop_sessions()
        for task in list(self._tasks):
            task.cancel()
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 1.0)

    async def __aenter__(self) -> FakeAmiServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def drop_sessions(self) -> None:
        """Close every client connection, as an Asterisk restart would."""
        for writer in list(self._writers):
            writer.close()
        self._writers.clear()

    async def send(self, data: bytes) -> None:
        """Push raw bytes to every logged-in client."""
        for writer in list(self._writers):
            writer.write(data)
            with contextlib.suppress(ConnectionError):
                await writer.drain()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.stats.sessions += 1
        number = self.stats.sessions
        parser = AmiParser()
        writer.write(self.banner)
        try:
            while data := await reader.read(65_536):
                for msg in parser.feed(data):
                    action = (msg.get("Action") or "").lower()
                    action_id = msg.get("ActionID") or ""
                    self.stats.actions.append(action)
                    if action == "login":
                        ok = (
                            msg.get("Username") == self.username
                            and msg.get("Secret") == self.secret
                        )
                        self.stats.logins.append((msg.get("Username") or "", ok))
                        if not ok:
                            writer.write(_response("Error", action_id, "Authentication failed"))
                            await writer.drain()
                            return
                        writer.write(_response("Success", action_id, "Authentication accepted"))
                        if self.hang_up_after_login:
                            await writer.drain()
                            return
                        self._writers.add(writer)
                        self._spawn(self._replay(writer, number))
                    elif action == "ping":
                        self.stats.pings += 1
                        if self.answer_pings:
                            writer.write(_pong(action_id))
                    elif action == "originate":
                        self.stats.originates.append(dict(msg.first))
                        if self.originate_refused:
                            writer.write(_response("Error", action_id, "Originate failed"))
                        else:
                            writer.write(
                                _response("Success", action_id, "Originate successfully queued")
                            )
                            self._spawn(self._originate_response(writer, msg.first))
                    elif action == "logoff":
                        writer.write(_response("Goodbye", action_id, "Thanks for all the fish."))
                        await writer.drain()
                        return
                    else:
                        writer.write(_response("Error", action_id, "Invalid/unknown command"))
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _replay(self, writer: asyncio.StreamWriter, number: int) -> None:
        body = self.replay
        cut = self.cut_first_session_at if number == 1 else None
        if cut is not None:
            body = body[:cut]
        try:
            # Whole packets per write, so a pong answered meanwhile never lands mid-packet.
            for batch in _batches(body, self.chunk_size):
                writer.write(batch)
                await writer.drain()
            if cut is not None:
                writer.close()
        except ConnectionError:
            writer.close()

    async def _originate_response(self, writer: asyncio.StreamWriter, action: dict) -> None:
        await asyncio.sleep(0.05)  # the phone rings for a moment
        ok = self.originate_reason == "4"
        lines = [
            "Event: OriginateResponse",
            "Privilege: call,all",
            f"Timestamp: {time.time():.6f}",
            f"ActionID: {action.get('ActionID', '')}",
            f"Response: {'Success' if ok else 'Failure'}",
            f"Channel: {action.get('Channel', '')}",
            f"Context: {action.get('Context', '')}",
            f"Exten: {action.get('Exten', '')}",
            f"Reason: {self.originate_reason}",
            "Uniqueid: 1795790100.60" if ok else "Uniqueid: <null>",
            f"CallerIDNum: {action.get('CallerID', '<unknown>')}",
            "CallerIDName: <unknown>",
        ]
        with contextlib.suppress(ConnectionError):
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
            await writer.drain()

    def _spawn(self, coro: object) -> None:
        task = asyncio.ensure_future(coro)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _batches(body: bytes, size: int) -> list[bytes]:
    out: list[bytes] = []
    start = 0
    while start < len(body):
        end = body.find(b"\r\n\r\n", start + size)
        end = len(body) if end < 0 else end + 4
        out.append(body[start:end])
        start = end
    return out


def _response(status: str, action_id: str, message: str) -> bytes:
    return f"Response: {status}\r\nActionID: {action_id}\r\nMessage: {message}\r\n\r\n".encode()


def _pong(action_id: str) -> bytes:
    return (
        f"Response: Success\r\nActionID: {action_id}\r\nPing: Pong\r\n"
        f"Timestamp: {time.time():.6f}\r\n\r\n"
    ).encode()
