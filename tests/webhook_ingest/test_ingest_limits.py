"""Slow and greedy clients over real sockets: slow headers and bodies are cut off, one address
cannot hold more than its share, and each condition is logged once per interval."""

import asyncio
import json
import logging
import time

import fakeredis
import pytest

from delivery.intake import Intake
from perezvon.metrics import Metrics
from store import Store
from store.crypto import SecretBox
from webhook_ingest.app import build_app, serve
from webhook_ingest.limits import ClientLimits

SECRET = "test-secret-key-not-for-production"


@pytest.fixture
async def server(request):
    limits = getattr(request, "param", None) or ClientLimits(header_timeout=0.5, body_timeout=0.5)
    redis = fakeredis.FakeAsyncRedis(server=fakeredis.FakeServer(), decode_responses=True)
    store = Store(redis, SecretBox(SECRET))
    _, key = await store.tenants.create("A", "UTC", "en")
    app = build_app(store, Intake(store), Metrics(redis), body_timeout=limits.body_timeout)
    served = await serve(app, "127.0.0.1", 0, limits=limits)
    yield served, key
    await served.stop()
    await redis.aclose()


async def _open(served):
    return await asyncio.open_connection(served.host, served.port)


async def _closed_within(reader: asyncio.StreamReader, seconds: float) -> bytes:
    """Everything the server sent until it closed; fails if it kept the connection longer."""
    async with asyncio.timeout(seconds):
        return await reader.read()


def _head(key: str, length: int) -> bytes:
    return (
        "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {key}\r\nContent-Length: {length}\r\n\r\n"
    ).encode()


async def test_headers_that_never_end_are_cut_off(server):
    served, _ = server
    reader, writer = await _open(served)
    writer.write(b"POST /v1/events HTTP/1.1\r\nHost: x\r\n")
    started = time.monotonic()
    assert await _closed_within(reader, 10) == b""
    assert time.monotonic() - started >= 0.3
    writer.close()


async def test_a_connection_that_says_nothing_is_cut_off(server):
    served, _ = server
    reader, writer = await _open(served)
    assert await _closed_within(reader, 10) == b""
    writer.close()


async def test_a_body_that_stalls_is_408_and_the_connection_closed(server):
    served, key = server
    reader, writer = await _open(served)
    writer.write(_head(key, 100) + b'{"call_id":')
    answer = await _closed_within(reader, 10)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408")
    assert json.loads(body)["error"]["code"] == "request_timeout"
    writer.close()


async def test_slow_connections_do_not_stop_a_normal_request(server):
    served, key = server
    idle = [await _open(served) for _ in range(50)]
    for _, writer in idle:
        writer.write(b"POST /v1/events HTTP/1.1\r\n")
    body = json.dumps({"call_id": "n1", "caller": "1"}).encode()
    reader, writer = await _open(served)
    writer.write(
        _head(key, len(body)).replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n") + body
    )
    answer = await _closed_within(reader, 10)
    assert answer.startswith(b"HTTP/1.1 202")
    for idle_reader, idle_writer in idle:
        assert await _closed_within(idle_reader, 10) == b""
        idle_writer.close()


@pytest.mark.parametrize("server", [ClientLimits(header_timeout=30, max_per_ip=5)], indirect=True)
async def test_one_address_gets_its_cap_and_the_refusals_are_logged_once(server, caplog):
    served, _ = server
    caplog.set_level(logging.INFO)
    held = [await _open(served) for _ in range(5)]
    refused = [await _open(served) for _ in range(20)]
    for reader, writer in refused:
        assert await _closed_within(reader, 10) == b""
        writer.close()
    lines = [r.getMessage() for r in caplog.records if "refusing new connections" in r.getMessage()]
    assert lines == ["refusing new connections: 127.0.0.1 holds 5 connections already (cap 5)"]
    # Those within the cap still work, and a freed place is taken again.
    held[0][1].close()
    await asyncio.sleep(0.1)
    reader, writer = await _open(served)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert (await _closed_within(reader, 10)).startswith(b"HTTP/1.1 200")
    for _, writer in held[1:]:
        writer.close()


@pytest.mark.parametrize("server", [ClientLimits(header_timeout=30, max_total=8)], indirect=True)
async def test_the_whole_server_keeps_below_its_descriptor_budget(server):
    served, _ = server
    held = [await _open(served) for _ in range(8)]
    reader, writer = await _open(served)
    assert await _closed_within(reader, 10) == b""
    for _, w in [*held, (reader, writer)]:
        w.close()


def test_the_total_cap_follows_the_descriptor_limit(monkeypatch):
    import resource

    monkeypatch.setattr(resource, "getrlimit", lambda _: (1024, 4096))
    assert ClientLimits().total() == 1024 - 256
