"""store/counters.py on every backend: processes add up, a reader sees the sum."""

from __future__ import annotations

from store import Store
from store.counters import Counters


async def test_two_processes_add_up(store: Store):
    other = Counters(store.redis)  # another process over the same Redis
    await store.counters.add({'sent_total{bot="1"}': 2}, {"0.5": 1, "sum_us": 300_000})
    await other.add({'sent_total{bot="1"}': 3, "queued_total": 1}, {"0.5": 2})
    await other.add({}, {})
    counters, buckets = await store.counters.read()
    assert counters == {'sent_total{bot="1"}': "5", "queued_total": "1"}
    assert buckets == {"0.5": "3", "sum_us": "300000"}
