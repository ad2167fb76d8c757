"""The seam: nothing outside the store and the delivery queue reaches for the Redis client."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "connectors", "delivery", "perezvon", "webhook_ingest")
# The delivery queue owns its part of the protocol (lanes, buckets, claims, the intake's
# consumer group, dead letters, pacing): these modules take the client from the store.
QUEUE = {
    f"delivery/{name}.py"
    for name in (
        "deadletters", "edits", "engine", "fanout", "intake", "keys", "outbox", "pacing",
        "queue", "scripts", "sender", "standalone",
    )
}  # fmt: skip


def _reaches_for_redis(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(), str(path))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "redis"
    ]


def test_only_the_store_and_the_queue_touch_store_redis() -> None:
    offenders = []
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            name = path.relative_to(REPO).as_posix()
            if name in QUEUE:
                continue
            offenders += [f"{name}:{line}" for line in _reaches_for_redis(path)]
    assert not offenders, "raw Redis outside the store and the queue:\n" + "\n".join(offenders)


def test_the_check_sees_a_raw_use() -> None:
    sample = REPO / "tests" / "data" / "seam_sample.py.txt"
    assert _reaches_for_redis(sample) == [2, 3]
