"""Group commit: concurrent requests share a submit, answers stay per request and in order."""

import asyncio

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from delivery.intake import Intake, Outcome, Receipt
from store.errors import InvalidInput
from store.events import CallEvent
from store.models import Tenant
from webhook_ingest.batcher import Batcher, GroupCommit

TENANT = Tenant("1", "A", "UTC", "en", "pzv_abcd…", 0.0)


def _events(*ids: str) -> list[CallEvent]:
    return [CallEvent(call_id=i, caller="1") for i in ids]


class GatedIntake:
    """Records each submit_many; the first waits for `gate`; ids starting with 'bad' fail."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.gate = asyncio.Event()
        self.error: BaseException | None = None

    async def submit_many(self, tenant, events):
        self.calls.append([e.call_id for e in events])
        if len(self.calls) == 1:
            await self.gate.wait()
        if self.error is not None:
            raise self.error
        if any(e.call_id.startswith("bad") for e in events):
            raise InvalidInput("bad group")
        return [Receipt(e.call_id, Outcome.ACCEPTED) for e in events]


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_requests_arriving_during_a_submit_go_together_next():
    intake = GatedIntake()
    batcher = Batcher(intake)
    first = asyncio.create_task(batcher.submit(TENANT, _events("a")))
    await _settle()
    rest = [asyncio.create_task(batcher.submit(TENANT, _events(*ids))) for ids in ("b", "cd", "e")]
    await _settle()
    intake.gate.set()
    answers = await asyncio.gather(first, *rest)
    assert intake.calls == [["a"], ["b", "c", "d", "e"]]
    assert [[r.call_id for r in a] for a in answers] == [["a"], ["b"], ["c", "d"], ["e"]]


async def test_a_submit_never_exceeds_max_events():
    intake = GatedIntake()
    batcher = Batcher(intake, max_events=3)
    first = asyncio.create_task(batcher.submit(TENANT, _events("a")))
    await _settle()
    rest = [asyncio.create_task(batcher.submit(TENANT, _events(*ids))) for ids in ("bc", "d", "ef")]
    await _settle()
    intake.gate.set()
    await asyncio.gather(first, *rest)
    assert intake.calls == [["a"], ["b", "c", "d"], ["e", "f"]]


async def test_a_storage_failure_reaches_every_waiter_and_the_next_request_works():
    intake = GatedIntake()
    intake.error = RedisConnectionError("down")
    batcher = Batcher(intake)
    tasks = [asyncio.create_task(batcher.submit(TENANT, _events(i))) for i in "xyz"]
    await _settle()
    intake.gate.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, RedisConnectionError) for r in results)
    intake.error = None
    assert (await batcher.submit(TENANT, _events("w")))[0].outcome is Outcome.ACCEPTED


async def test_only_the_request_with_bad_input_is_refused():
    intake = GatedIntake()
    batcher = Batcher(intake)
    first = asyncio.create_task(batcher.submit(TENANT, _events("a")))
    await _settle()
    good = asyncio.create_task(batcher.submit(TENANT, _events("b")))
    bad = asyncio.create_task(batcher.submit(TENANT, _events("bad1")))
    await _settle()
    intake.gate.set()
    await first
    assert [r.call_id for r in await good] == ["b"]
    with pytest.raises(InvalidInput):
        await bad


async def test_concurrent_requests_keep_arrival_order_semantics(store):
    tenant, _ = await store.tenants.create("A", "UTC", "en")
    batcher = Batcher(Intake(store))
    batches = [_events("a", "b"), _events("b", "c"), _events("a"), _events("d")]
    answers = await asyncio.gather(*(batcher.submit(tenant, b) for b in batches))
    got = [[r.outcome.value for r in a] for a in answers]
    assert got == [
        ["accepted", "accepted"],
        ["duplicate", "accepted"],
        ["duplicate"],
        ["accepted"],
    ]
    await batcher.close()


async def test_any_batch_operation_shares_one_call_with_answers_per_request():
    calls: list[list[int]] = []
    gate = asyncio.Event()

    async def flush(tenant, items):
        calls.append(list(items))
        if len(calls) == 1:
            await gate.wait()
        return [i * 10 for i in items]

    commit = GroupCommit(flush, name="test-fold")
    first = asyncio.create_task(commit.submit(TENANT, [1]))
    await _settle()
    rest = [asyncio.create_task(commit.submit(TENANT, items)) for items in ([2, 3], [], [4])]
    await _settle()
    gate.set()
    assert await asyncio.gather(first, *rest) == [[10], [20, 30], [], [40]]
    assert calls == [[1], [2, 3, 4]]
    await commit.close()
