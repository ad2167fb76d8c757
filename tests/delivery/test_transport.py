"""The aiohttp transport: PTB's answer parsing on top, transport failures wrapped like httpx's."""

from __future__ import annotations

import asyncio
import json
import secrets
import socket
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import Forbidden

from delivery.outcome import Verdict, classify
from delivery.transport import AiohttpRequest


def _token() -> str:
    return f"{secrets.randbelow(10**9) + 10**8}:{secrets.token_urlsafe(27)[:35]}"


class Server:
    """A loopback HTTP server that answers a canned body, or reads the request and stalls."""

    def __init__(self, status: int = 200, body: dict | None = None, stall: bool = False):
        self.status, self.body, self.stall = status, body or {}, stall
        self.requests: list[tuple[str, bytes]] = []
        self.release = asyncio.Event()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )
        self.requests.append((head.decode(), await reader.readexactly(length)))
        if self.stall:
            await self.release.wait()
        payload = json.dumps({"ok": self.status == 200, **self.body}).encode()
        writer.write(
            f"HTTP/1.1 {self.status} X\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n".encode()
            + payload
        )
        await writer.drain()
        writer.close()


@pytest.fixture
async def serve() -> AsyncIterator:
    servers: list[asyncio.Server] = []
    handlers: list[Server] = []

    async def start(handler: Server) -> str:
        server = await asyncio.start_server(handler.handle, "127.0.0.1", 0)
        servers.append(server)
        handlers.append(handler)
        return f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"

    yield start
    for h in handlers:
        h.release.set()
    for s in servers:
        s.close()


async def _send(base: str, request: AiohttpRequest, token: str | None = None):
    bot = Bot(token or _token(), base_url=f"{base}/bot", request=request)
    try:
        await bot.send_message(5, "привет", parse_mode="HTML")
    except Exception as exc:
        return classify(exc)
    return classify(None)


async def test_a_sent_message_goes_as_json_and_ptb_parses_the_answer(serve):
    server = Server(
        200, {"result": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}}}
    )
    base = await serve(server)
    request = AiohttpRequest(2, read_timeout=2)
    await request.initialize()
    assert (await _send(base, request)).verdict is Verdict.SENT
    await request.shutdown()
    head, body = server.requests[0]
    assert "/sendMessage" in head.split("\r\n")[0]
    assert json.loads(body) == {"chat_id": 5, "text": "привет", "parse_mode": "HTML"}


async def test_telegram_errors_keep_ptbs_exception_types(serve):
    body = {"error_code": 403, "description": "Forbidden: bot was blocked by the user"}
    base = await serve(Server(403, body))
    request = AiohttpRequest(2, read_timeout=2)
    await request.initialize()
    bot = Bot(_token(), base_url=f"{base}/bot", request=request)
    with pytest.raises(Forbidden):
        await bot.send_message(5, "x")
    assert (await _send(base, request)).verdict is Verdict.GONE
    await request.shutdown()


async def test_a_read_timeout_may_have_been_sent(serve):
    base = await serve(Server(stall=True))
    request = AiohttpRequest(2, read_timeout=0.2)
    await request.initialize()
    assert (await _send(base, request)).verdict is Verdict.MAYBE_SENT
    await request.shutdown()


async def test_waiting_for_a_pooled_connection_never_sent(serve):
    base = await serve(Server(stall=True))
    request = AiohttpRequest(1, read_timeout=5, connect_timeout=0.1, pool_timeout=0.1)
    await request.initialize()
    first = asyncio.create_task(_send(base, request))
    await asyncio.sleep(0.05)  # the only connection is now taken by a stalled request
    assert (await _send(base, request)).verdict is Verdict.TRANSIENT
    first.cancel()
    await request.shutdown()


async def test_a_refused_connection_is_transient_and_hides_the_token():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nobody listens there
    request = AiohttpRequest(1, read_timeout=1)
    await request.initialize()
    token = _token()
    outcome = await _send(f"http://127.0.0.1:{port}", request, token)
    await request.shutdown()
    assert outcome.verdict is Verdict.TRANSIENT
    assert token not in outcome.detail and token.split(":")[1] not in outcome.detail


async def test_an_http_proxy_from_the_environment_is_used_like_httpx_would(serve, monkeypatch):
    server = Server(
        200, {"result": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}}}
    )
    proxy = await serve(server)
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    request = AiohttpRequest(2, read_timeout=2)
    await request.initialize()
    # Not reached directly (nothing listens there): the proxy, our loopback server, answers.
    assert (await _send("http://127.0.0.2:9", request)).verdict is Verdict.SENT
    await request.shutdown()
    request_line = server.requests[0][0].split("\r\n")[0]
    assert request_line.startswith("POST http://127.0.0.2:9/bot")
