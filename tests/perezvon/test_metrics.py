"""Metrics add up across processes through Redis and render as Prometheus text."""

import asyncio

import pytest

from perezvon.metrics import Metrics


@pytest.fixture(params=["fakeredis", "real-redis", "cluster", "sentinel"])
def redis_backend(request: pytest.FixtureRequest) -> str:
    """Raw Redis users outside the store must hold on a Cluster and behind Sentinel too."""
    return request.param


async def test_two_processes_add_up_and_render(redis):
    one, two = Metrics(redis), Metrics(redis)
    one.inc("events_accepted_total", by=3)
    two.inc("events_accepted_total")
    one.inc("telegram_429_total", {"bot": "acme_bot"})
    one.observe(0.004)
    two.observe(0.2)
    two.observe(100)
    await two.flush()

    async def gauges():
        return {"queue_depth": ("Messages waiting", 7)}

    text = await one.render(gauges)
    assert "perezvon_events_accepted_total 4" in text
    assert 'perezvon_telegram_429_total{bot="acme_bot"} 1' in text
    assert 'perezvon_delivery_latency_seconds_bucket{le="0.005"} 1' in text
    assert 'perezvon_delivery_latency_seconds_bucket{le="0.25"} 2' in text
    assert 'perezvon_delivery_latency_seconds_bucket{le="+Inf"} 3' in text
    assert "perezvon_delivery_latency_seconds_count 3" in text
    assert "perezvon_queue_depth 7" in text
    assert "perezvon_messages_sent_total 0" in text


def test_unknown_counter_is_a_bug(redis):
    with pytest.raises(KeyError):
        Metrics(redis).inc("made_up_total")


async def test_the_flusher_writes_periodically_and_on_stop(redis):
    metrics = Metrics(redis, flush_every=0.01)
    metrics.start()
    metrics.inc("messages_sent_total")
    async with asyncio.timeout(5):
        while not await redis.hget("pz:metrics:counters", "messages_sent_total"):  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    metrics.inc("messages_sent_total")
    await metrics.stop()
    assert await redis.hget("pz:metrics:counters", "messages_sent_total") == "2"
