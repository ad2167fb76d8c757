"""webhook_ingest/hooks.py: a folded vendor's missed call costs one script, the fold that also
records it, counted by a real Redis (fakeredis keeps no command statistics)."""

from __future__ import annotations

import pytest

from store import keys
from tests.intake_view import intake_fields
from tests.webhook_ingest.connectors.conftest import Hook
from tests.webhook_ingest.connectors.signing import ROWS
from webhook_ingest.connectors import rostelecom

ROW = next(r for r in ROWS if r.vendor == "rostelecom")


@pytest.fixture(params=["real-redis"])
def redis_backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
async def hook(ingest) -> Hook:
    c = await ingest.store.connectors.add(
        ingest.tenant.id, "rostelecom", ROW.options, secret_names=rostelecom.VENDOR.secrets
    )
    return Hook(ingest, ROW, c)


def _call(leg: dict, session: str) -> dict:
    return {**leg, "json": {**leg["json"], "session_id": session}}


async def _scripts(hook: Hook) -> int:
    """Scripts run so far (EVALSHA, and EVAL when one was not loaded yet)."""
    stats = await hook.ingest.store.redis.info("commandstats")
    return sum(stats.get(f"cmdstat_{c}", {}).get("calls", 0) for c in ("evalsha", "eval"))


async def test_a_missed_call_is_durable_after_one_script(hook):
    new, end = ROW.cases()["missed"]
    tid = hook.ingest.tenant.id
    for leg in (new, end):  # the first call of the line creates its group, through intake
        assert (await hook.post(_call(leg, "first"))).status == 200
    await hook.post(_call(new, "second"))
    before = await _scripts(hook)
    resp = await hook.post(_call(end, "second"))
    assert (await resp.json())["results"] == [
        {"call_id": "rostelecom:second", "status": "accepted"}
    ]
    assert await _scripts(hook) - before == 1
    assert await hook.ingest.store.redis.exists(keys.call(tid, "rostelecom:second"))
    calls = [f["call_id"] for f in await intake_fields(hook.ingest.store.redis, tid)
             if f["kind"] == "call"]  # fmt: skip
    assert calls == ["rostelecom:first", "rostelecom:second"]
    # Its retry too: one script, which finds the call recorded.
    before = await _scripts(hook)
    again = await hook.post(_call(end, "second"))
    assert (await again.json())["results"][0]["status"] == "duplicate"
    assert await _scripts(hook) - before == 1
