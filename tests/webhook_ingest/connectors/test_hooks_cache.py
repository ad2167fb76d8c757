"""webhook_ingest/hooks.py: the connector cache (version-skip) and the per-call folds shared by
concurrent requests, on fakeredis and a real Redis."""

from __future__ import annotations

import asyncio

import pytest

from store.errors import NotFound
from tests.webhook_ingest.connectors.conftest import Hook
from tests.webhook_ingest.connectors.signing import ROWS
from webhook_ingest.connectors import rostelecom
from webhook_ingest.hooks import CHECK_SECONDS, HOOKS, MAX_AGE, ConnectorCache

ROW = next(r for r in ROWS if r.vendor == "rostelecom")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_burst_on_a_cold_cache_reads_the_connector_once(ingest):
    c = await ingest.store.connectors.add(ingest.tenant.id, "sipuni", {})
    cache = ConnectorCache(ingest.store, Clock())
    got = await asyncio.gather(*(cache.get(c.id) for _ in range(20)))
    # One read: every request holds the very same objects.
    assert all(g[0] is got[0][0] and g[1] is got[0][1] for g in got)
    assert got[0][0].id == c.id and got[0][1].id == ingest.tenant.id


async def test_kept_while_nothing_changes_then_re_read_after_max_age(ingest):
    c = await ingest.store.connectors.add(ingest.tenant.id, "sipuni", {})
    clock = Clock()
    cache = ConnectorCache(ingest.store, clock)
    first, _ = await cache.get(c.id)
    clock.now += CHECK_SECONDS * 3  # the version is read again, and has not moved
    assert (await cache.get(c.id))[0] is first
    clock.now += MAX_AGE
    again, _ = await cache.get(c.id)
    assert again is not first and again == first


async def test_a_removal_elsewhere_is_seen_within_the_check_interval(ingest):
    c = await ingest.store.connectors.add(ingest.tenant.id, "sipuni", {})
    other = await ingest.store.connectors.add(ingest.tenant.id, "telphin", {})
    clock = Clock()
    cache = ConnectorCache(ingest.store, clock)
    await cache.get(c.id)
    kept, _ = await cache.get(other.id)
    await ingest.store.connectors.remove(c.id)  # by the CLI, say: another process
    clock.now += CHECK_SECONDS
    with pytest.raises(NotFound):
        await cache.get(c.id)
    # A change drops every entry; the others are read again, and still there.
    again, _ = await cache.get(other.id)
    assert again is not kept and again.id == other.id


async def test_an_unknown_connector_is_asked_for_again_each_time(ingest):
    cache = ConnectorCache(ingest.store, Clock())
    with pytest.raises(NotFound):
        await cache.get("no-such-id")
    c = await ingest.store.connectors.add(ingest.tenant.id, "sipuni", {})
    with pytest.raises(NotFound):
        await cache.get(c.id + "x")
    assert (await cache.get(c.id))[0].id == c.id


async def test_a_removed_connector_answers_404_over_http(ingest):
    c = await ingest.store.connectors.add(ingest.tenant.id, "sipuni", {})
    hooks = ingest.client.server.app[HOOKS]
    await hooks.connectors.get(c.id)  # warm
    await ingest.store.connectors.remove(c.id)
    hooks.connectors._checked_at -= CHECK_SECONDS  # as if the interval had passed
    resp = await ingest.client.post(f"/v1/hooks/sipuni/{c.id}", data={"a": "b"})
    assert resp.status == 404


@pytest.fixture
async def hook(ingest) -> Hook:
    c = await ingest.store.connectors.add(
        ingest.tenant.id, "rostelecom", ROW.options, secret_names=rostelecom.VENDOR.secrets
    )
    return Hook(ingest, ROW, c)


def _call(leg: dict, session: str) -> dict:
    return {**leg, "json": {**leg["json"], "session_id": session}}


async def test_concurrent_posts_of_many_calls_each_get_their_own_verdict_once(hook):
    new, end = ROW.cases()["missed"]
    a_new, a_up, a_end = ROW.cases()["answered"]
    legs = []
    for i in range(12):
        legs += [_call(new, f"M{i}"), _call(end, f"M{i}"), _call(end, f"M{i}")]
    for i in range(4):  # answered calls, every leg at once: folded in the order they arrive
        legs += [_call(a_new, f"A{i}"), _call(a_up, f"A{i}")]
    responses = await asyncio.gather(*(hook.post(leg) for leg in legs))
    assert all(r.status == 200 for r in responses)
    results = [x for r in responses for x in (await r.json())["results"]]
    accepted = sorted(r["call_id"] for r in results if r["status"] == "accepted")
    assert accepted == sorted(f"rostelecom:M{i}" for i in range(12))
    assert sum(r["status"] == "duplicate" for r in results) == 12
    ends = await asyncio.gather(*(hook.post(_call(a_end, f"A{i}")) for i in range(4)))
    answered = [x for r in ends for x in (await r.json())["results"]]
    assert [r["status"] for r in answered] == ["accepted"] * 4
    calls = await hook.ingest.store.calls.recent(hook.ingest.tenant.id, limit=50)
    assert sorted(c.call_id for c in calls) == accepted  # the answered ones are no cards
