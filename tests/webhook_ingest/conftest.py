"""Ingest fixtures: an app over the `store` fixture, a live server in a thread, an OpenAPI check."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import fakeredis
import pytest
from aiohttp.test_utils import TestClient, TestServer
from jsonschema import Draft202012Validator

from delivery.intake import Intake
from perezvon.metrics import Metrics
from store import Store
from store.crypto import SecretBox
from store.models import Tenant
from webhook_ingest.app import RUNNER_OPTIONS, build_app, serve
from webhook_ingest.openapi import document

SECRET = "test-secret-key-not-for-production"


@dataclass
class Ingest:
    client: TestClient
    store: Store
    metrics: Metrics
    tenant: Tenant
    key: str

    def auth(self, key: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {key or self.key}"}

    async def post(self, body: object, **kwargs):
        headers = {**self.auth(), **kwargs.pop("headers", {})}
        return await self.client.post("/v1/events", json=body, headers=headers, **kwargs)


@pytest.fixture
async def ingest(store: Store) -> AsyncIterator[Ingest]:
    """The app on a loopback test server, over fakeredis and a real Redis in turn."""
    tenant, key = await store.tenants.create("Acme", "Europe/Moscow", "ru")
    metrics = Metrics(store.redis)
    app = build_app(store, Intake(store), metrics)
    server = TestServer(app)
    await server.start_server(**RUNNER_OPTIONS)
    client = TestClient(server)
    yield Ingest(client, store, metrics, tenant, key)
    await client.close()


class Conformance:
    """Checks a response against the published OpenAPI document (status, type, body schema)."""

    def __init__(self) -> None:
        self.doc = document()

    def _response(self, path: str, method: str, status: int) -> dict:
        op = self.doc["paths"].get(path, {}).get(method.lower())
        if op is None:
            assert status in (404, 405), f"{method} {path} is undocumented but got {status}"
            return self.doc["components"]["responses"]["Refused"]
        spec = op["responses"].get(str(status))
        assert spec is not None, f"{method} {path}: status {status} is not documented"
        return spec

    def check(self, path: str, method: str, status: int, ctype: str, body: bytes) -> object:
        spec = self._response(path, method, status)
        media = ctype.split(";")[0].strip()
        assert media in spec["content"], f"{status}: {media} is not a documented type"
        if media != "application/json":
            return body.decode()
        data = json.loads(body)
        schema = {**spec["content"][media]["schema"], "components": self.doc["components"]}
        errors = list(Draft202012Validator(schema).iter_errors(data))
        assert not errors, f"{status} body does not match the schema: {errors[0].message}"
        return data


@pytest.fixture(scope="session")
def conformance() -> Conformance:
    return Conformance()


@dataclass
class Live:
    host: str
    port: int
    key: str
    loop: asyncio.AbstractEventLoop
    store: Store

    def run(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    def send(self, data: bytes) -> tuple[int, dict[str, str], bytes]:
        """Send raw bytes (ending with Connection: close) and split the answer."""
        with socket.create_connection((self.host, self.port), timeout=10) as conn:
            conn.sendall(data)
            chunks = []
            while chunk := conn.recv(65536):
                chunks.append(chunk)
        head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return int(lines[0].split(" ")[1]), headers, body

    def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> tuple[int, dict[str, str], bytes]:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        lines.append(f"Content-Length: {len(body)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        return self.send(head + body)


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    """One server on fakeredis in its own thread, so hypothesis can drive it synchronously."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def start():
        redis = fakeredis.FakeAsyncRedis(server=fakeredis.FakeServer(), decode_responses=True)
        store = Store(redis, SecretBox(SECRET))
        _, key = await store.tenants.create("Fuzz", "UTC", "en")
        await store.groups.ensure("1", "on", notify=True)
        served = await serve(build_app(store, Intake(store), Metrics(redis)), "127.0.0.1", 0)
        return served, store, key

    served, store, key = asyncio.run_coroutine_threadsafe(start(), loop).result(10)
    yield Live(served.host, served.port, key, loop, store)
    asyncio.run_coroutine_threadsafe(served.stop(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    loop.close()
