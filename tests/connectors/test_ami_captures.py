"""Every real Asterisk capture in tests/data/asterisk, replayed through parser and detector."""

from __future__ import annotations

import json
import random
from datetime import datetime
from pathlib import Path

import pytest

from connectors.asterisk.detector import MissedCallDetector
from connectors.asterisk.parser import AmiMessage, AmiParser
from connectors.asterisk.verdict import Verdict, to_call_event

REPO = Path(__file__).resolve().parents[2]
CAPTURES = REPO / "tests" / "data" / "asterisk"
NOW = 1_900_000_000.0


def _expected() -> dict[str, dict]:
    path = CAPTURES / "expected.json"
    if not path.is_file():
        raise FileNotFoundError(f"shared captures missing: {path} ")
    return {entry["file"]: entry for entry in json.loads(path.read_text())}


EXPECTED = _expected()
FILES = sorted(p.name for p in CAPTURES.glob("*.ami"))


def _messages(name: str, chunk: int | None = None) -> list[AmiMessage]:
    data = (CAPTURES / name).read_bytes()
    parser = AmiParser()
    if chunk is None:
        return parser.feed(data)
    rng = random.Random(chunk)
    out: list[AmiMessage] = []
    pos = 0
    while pos < len(data):
        step = rng.randint(1, chunk)
        out += parser.feed(data[pos : pos + step])
        pos += step
    return out


def _run(messages: list[AmiMessage], *, drop_cel: bool = False) -> list[Verdict]:
    detector = MissedCallDetector()
    verdicts: list[Verdict] = []
    for msg in messages:
        if drop_cel and msg.event == "CEL":
            continue
        verdicts += detector.feed(msg, NOW)
    verdicts += detector.tick(NOW + detector.settings.hangup_grace + 0.1)
    assert detector.live_calls == 0
    return verdicts


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _tolerance(name: str) -> float:
    # File 13 was recorded without Timestamp headers: CEL EventTime has 1 s resolution.
    return 1.0 if "no-timestamps" in name else 0.05


def test_every_capture_has_an_expectation() -> None:
    assert FILES, f"no captures found in {CAPTURES}"
    assert set(FILES) == set(EXPECTED)


def _check(name: str, verdicts: list[Verdict], *, times: bool = True) -> None:
    calls = EXPECTED[name]["calls"]
    by_id = {v.linkedid: v for v in verdicts}
    assert len(verdicts) == len(calls) == len(by_id), verdicts
    tol = _tolerance(name)
    for call in calls:
        got = by_id[call["linkedid"]]
        assert got.kind.value == call["verdict"]
        assert got.caller == call["caller"]
        assert got.did == call["did"]
        assert got.answered_by == call["answered_by"]
        assert got.voicemail is (call["verdict"] == "missed_with_voicemail")
        if not times:
            continue
        assert got.ring_started_at is not None and got.ended_at is not None
        assert abs((got.ring_started_at - _at(call["ring_started_at"])).total_seconds()) <= tol
        assert abs((got.ended_at - _at(call["ended_at"])).total_seconds()) <= tol
        assert got.wait_seconds == pytest.approx(call["wait_seconds"], abs=tol)


@pytest.mark.parametrize("name", FILES)
def test_capture_with_cel(name: str) -> None:
    _check(name, _run(_messages(name)))


@pytest.mark.parametrize("name", FILES)
def test_capture_without_cel_decides_after_hangup_grace(name: str) -> None:
    # Without Timestamp and CEL nothing dates the events but the receive clock.
    _check(name, _run(_messages(name), drop_cel=True), times="no-timestamps" not in name)


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("chunk", [1, 7, 300, 4096])
def test_capture_fed_in_random_chunks_gives_the_same_verdicts(name: str, chunk: int) -> None:
    assert _run(_messages(name, chunk)) == _run(_messages(name))


@pytest.mark.parametrize("name", FILES)
def test_replaying_a_capture_does_not_decide_twice(name: str) -> None:
    detector = MissedCallDetector()
    first = [v for m in _messages(name) for v in detector.feed(m, NOW)]
    again = [v for m in _messages(name) for v in detector.feed(m, NOW + 60)]
    again += detector.tick(NOW + 10_000)
    assert len(first) == len(EXPECTED[name]["calls"])
    assert again == []


@pytest.mark.parametrize("name", FILES)
def test_missed_calls_become_call_events(name: str) -> None:
    for verdict in _run(_messages(name)):
        if not verdict.is_missed:
            continue
        event = to_call_event(verdict)
        assert event.call_id == f"ami:{verdict.linkedid}"
        assert event.caller == verdict.caller
        assert event.called == verdict.did
        assert event.started_at == verdict.ring_started_at
        assert event.ended_at == verdict.ended_at
        assert event.extensions == list(verdict.extensions) != []
        assert event.voicemail is False
