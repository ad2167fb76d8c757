"""Tenant keys: both header forms, refusals that reveal nothing, rotation, and no key in logs."""

import logging

import pytest

from store.crypto import new_api_key
from webhook_ingest.auth import TenantKeys, redact
from webhook_ingest.errors import IngestError

EVENT = {"call_id": "c-1", "caller": "100"}


async def test_bearer_and_x_api_key_both_work(ingest):
    bearer = await ingest.client.post(
        "/v1/events", json=EVENT, headers={"Authorization": f"bearer  {ingest.key}"}
    )
    header = await ingest.client.post("/v1/events", json=EVENT, headers={"X-API-Key": ingest.key})
    assert [(await r.json())["status"] for r in (bearer, header)] == ["accepted", "duplicate"]


# (headers, code): every refusal is 401 and says nothing about whether a tenant exists.
REFUSALS = [
    ({}, "missing_key"),
    ({"X-API-Key": "  "}, "missing_key"),
    ({"Authorization": "Basic dXNlcjpwYXNz"}, "missing_key"),
    ({"Authorization": "Bearer"}, "missing_key"),
    ({"Authorization": "Bearer not-a-key"}, "invalid_key"),
    ({"X-API-Key": "pzv_short"}, "invalid_key"),
]


@pytest.mark.parametrize(("headers", "code"), REFUSALS)
async def test_refusals_are_401_with_a_code(ingest, conformance, headers, code):
    resp = await ingest.client.post("/v1/events", json=EVENT, headers=headers)
    body = conformance.check("/v1/events", "POST", resp.status, resp.content_type,
                             await resp.read())  # fmt: skip
    assert (resp.status, body["error"]["code"]) == (401, code)
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


async def test_unknown_key_and_deleted_tenant_look_the_same(ingest):
    stranger = await ingest.post(EVENT, headers=ingest.auth(new_api_key()))
    await ingest.store.delete_tenant(ingest.tenant.id)
    fresh_app_key = new_api_key()
    deleted = await ingest.post(EVENT, headers=ingest.auth(fresh_app_key))
    one, two = await stranger.json(), await deleted.json()
    for body in (one, two):
        del body["error"]["request_id"]
    assert stranger.status == deleted.status == 401
    assert one == two == {"error": {"code": "invalid_key", "message": "the API key is not valid"}}


async def test_rotated_key_stops_working_within_the_cache_bound(store):
    tenant, old = await store.tenants.create("A", "UTC", "en")
    now = [0.0]
    keys = TenantKeys(store, ttl=1.0, clock=lambda: now[0])
    assert (await keys.tenant(old)).id == tenant.id
    _, new, _ = await store.rotate_key(tenant.id)
    now[0] = 0.99
    assert (await keys.tenant(old)).id == tenant.id  # the documented staleness bound
    now[0] = 1.0
    with pytest.raises(IngestError) as refused:
        await keys.tenant(old)
    assert refused.value.code == "invalid_key"
    assert (await keys.tenant(new)).id == tenant.id


async def test_no_cache_means_rotation_is_immediate(store):
    tenant, old = await store.tenants.create("A", "UTC", "en")
    keys = TenantKeys(store, ttl=0)
    await keys.tenant(old)
    await store.rotate_key(tenant.id)
    with pytest.raises(IngestError):
        await keys.tenant(old)


async def test_cache_is_bounded(store):
    made = [await store.tenants.create(f"T{i}", "UTC", "en") for i in range(5)]
    keys = TenantKeys(store, ttl=60, max_entries=3)
    for _, key in made:
        await keys.tenant(key)
    assert len(keys._cache) == 3


def test_redact_blanks_key_shaped_text():
    key = new_api_key()
    assert key not in redact(f"/v1/events/{key}?x=1")
    assert redact("/healthz") == "/healthz"


async def test_no_key_reaches_logs_or_bodies(ingest, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = new_api_key()
    bodies = []
    attempts = [
        ("/v1/events", {"Authorization": f"Bearer {ingest.key}"}, EVENT),
        ("/v1/events", {"X-API-Key": ingest.key}, {"call_id": "x", "caller": ""}),
        ("/v1/events", {"X-API-Key": wrong}, EVENT),
        ("/v1/events", {"Authorization": f"Basic {wrong}"}, EVENT),
        ("/v1/events", {"X-API-Key": ingest.key}, {"call_id": "x", "caller": "1", wrong: 1}),
        ("/v1/events", {"X-API-Key": ingest.key}, [EVENT, {"api_key": ingest.key}]),
        (f"/v1/events/{ingest.key}", {}, EVENT),
        (f"/v1/events?api_key={ingest.key}", {}, EVENT),
    ]
    for path, headers, body in attempts:
        resp = await ingest.client.post(path, json=body, headers=headers)
        bodies.append(await resp.text())
        bodies.append(str(dict(resp.headers)))
    text = caplog.text + "".join(r.getMessage() for r in caplog.records)
    assert "refused" in text and "/v1/events" in text  # the logs did record the attempts
    for secret in (ingest.key, wrong, ingest.key[4:], wrong[4:]):
        assert secret not in text
        assert all(secret not in b for b in bodies)
