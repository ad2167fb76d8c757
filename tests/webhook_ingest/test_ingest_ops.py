"""Operations: /healthz, /metrics, Redis outages (503 + Retry-After), OpenAPI, serve()."""

import socket
from pathlib import Path

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from jsonschema import Draft202012Validator

from delivery.intake import Intake
from perezvon.metrics import Metrics
from store import Store, connect
from store.crypto import SecretBox, new_api_key
from webhook_ingest.app import build_app, serve
from webhook_ingest.errors import CATALOGUE

EVENT = {"call_id": "c-1", "caller": "100"}


async def test_healthz_ok(ingest, conformance):
    resp = await ingest.client.get("/healthz")
    body = conformance.check("/healthz", "GET", resp.status, resp.content_type, await resp.read())
    assert (resp.status, body) == (200, {"status": "ok"})


async def test_metrics_count_outcomes_and_show_gauges(store, conformance):
    _, key = await store.tenants.create("Acme", "UTC", "en", new_groups=False)

    async def engine_gauges():
        return {"delivery_pending": ("Messages waiting to be sent", 7.0)}

    app = build_app(store, Intake(store), Metrics(store.redis), gauges=engine_gauges)
    async with TestClient(TestServer(app)) as client:
        auth = {"X-API-Key": key}
        await client.post("/v1/events", json=EVENT, headers=auth)
        await client.post("/v1/events", json=EVENT, headers=auth)
        await client.post("/v1/events", json={**EVENT, "call_id": "2", "group": "x"}, headers=auth)
        await client.post("/v1/events", json={"caller": "1"}, headers=auth)
        await client.post("/v1/events", json=EVENT, headers={"X-API-Key": new_api_key()})
        resp = await client.get("/metrics")
        text = conformance.check("/metrics", "GET", resp.status, resp.content_type,
                                 await resp.read())  # fmt: skip
    assert resp.status == 200 and resp.headers["Content-Type"].startswith("text/plain")
    assert "perezvon_events_accepted_total 1" in text
    assert "perezvon_events_duplicate_total 1" in text
    assert "perezvon_events_ignored_total 1" in text
    assert 'perezvon_events_rejected_total{code="invalid_event"} 1' in text
    assert 'perezvon_events_rejected_total{code="invalid_key"} 1' in text
    # One call and one "new group x" entry wait in the intake stream.
    assert "perezvon_intake_stream_length 2.0" in text
    assert "perezvon_delivery_pending 7.0" in text


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_redis_down_is_503_with_retry_after(conformance):
    redis = connect(f"redis://127.0.0.1:{_dead_port()}/0", socket_connect_timeout=0.5)
    store = Store(redis, SecretBox("test-secret-key-not-for-production"))
    app = build_app(store, Intake(store), Metrics(redis))
    try:
        async with TestClient(TestServer(app)) as client:
            for method, path, kwargs in [
                ("GET", "/healthz", {}),
                ("GET", "/metrics", {}),
                ("POST", "/v1/events", {"json": EVENT, "headers": {"X-API-Key": new_api_key()}}),
            ]:
                resp = await client.request(method, path, **kwargs)
                body = conformance.check(path, method, resp.status, resp.content_type,
                                         await resp.read())  # fmt: skip
                assert resp.status == 503, path
                assert body["error"]["code"] == "unavailable"
                assert int(resp.headers["Retry-After"]) > 0
    finally:
        await redis.aclose()


async def test_routes_added_later_keep_working_and_errors_stay_json(store):
    app = build_app(store, Intake(store), Metrics(store.redis))

    async def telegram(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def forbidden(request: web.Request) -> web.Response:
        raise web.HTTPForbidden(text="no")

    app.router.add_post("/tg/{secret}", telegram)
    app.router.add_get("/tg-forbidden", forbidden)
    async with TestClient(TestServer(app)) as client:
        ok = await client.post("/tg/abc")
        assert (ok.status, await ok.json()) == (200, {"ok": True})
        assert "X-Request-Id" in ok.headers
        other = await client.get("/tg-forbidden")
        assert other.status == 403 and "X-Request-Id" in other.headers
        missing = await client.get("/tg")
        assert (await missing.json())["error"]["code"] == "not_found"


async def test_openapi_document_is_served_and_sound(ingest):
    resp = await ingest.client.get("/v1/openapi.json")
    doc = await resp.json()
    assert resp.status == 200 and doc["openapi"] == "3.1.0"
    for schema in doc["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    event = doc["components"]["schemas"]["CallEvent"]
    assert set(event["properties"]) >= {"call_id", "caller", "voicemail", "extensions"}
    assert event["required"] == ["call_id", "caller"]


async def test_serve_binds_answers_and_stops(store):
    served = await serve(build_app(store, Intake(store), Metrics(store.redis)), "127.0.0.1", 0)
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{served.url}/healthz") as resp:
                assert resp.status == 200
    finally:
        await served.stop()
    async with aiohttp.ClientSession() as session:
        try:
            await session.get(f"{served.url}/healthz")
            raise AssertionError("the server still answers after stop()")
        except aiohttp.ClientConnectionError:
            pass


def test_docs_name_every_error_code_and_metric():
    text = (Path(__file__).resolve().parents[2] / "docs" / "ingest.md").read_text()
    for code, entry in CATALOGUE.items():
        assert f"| {entry.status} | `{code}` |" in text, code
    for name in ("events_accepted_total", "events_rejected_total", "intake_stream_length"):
        assert f"perezvon_{name}" in text
