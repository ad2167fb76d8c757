"""store/gauges.py on every backend: the intake's length as /metrics shows it."""

from __future__ import annotations

from store import Store, keys


async def test_intake_length_counts_the_entries(store: Store):
    assert await store.gauges.intake_length() == 0
    for i in range(3):
        await store.redis.xadd(keys.INTAKE, {"kind": "service", "n": str(i)})
    assert await store.gauges.intake_length() == 3
