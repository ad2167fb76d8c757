"""Every accepted request counts as a sign of life of the tenant's PBX (the silent-PBX watch);
a refused one does not."""

from __future__ import annotations


async def test_events_record_when_the_pbx_was_last_heard(ingest, clock):
    assert await ingest.store.heartbeats.last_event(ingest.tenant.id) is None
    resp = await ingest.post({"call_id": "c-1", "caller": "100"})
    assert resp.status == 202
    assert await ingest.store.heartbeats.last_event(ingest.tenant.id) == clock.now
    # Answered calls are signs of life too, even though they notify nobody.
    clock.advance(60)
    resp = await ingest.post({"type": "answered", "call_id": "c-2", "caller": "100"})
    assert resp.status == 202
    assert await ingest.store.heartbeats.last_event(ingest.tenant.id) == clock.now


async def test_a_refused_request_is_not_a_sign_of_life(ingest):
    resp = await ingest.post({"call_id": "c-1"})
    assert resp.status == 422
    assert await ingest.store.heartbeats.last_event(ingest.tenant.id) is None
