"""Detector rules the captures do not cover: voicemail, transfers, pickups, bounds, timeouts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.asterisk.detector import DetectorSettings, MissedCallDetector
from connectors.asterisk.parser import AmiMessage
from connectors.asterisk.verdict import NotMissedError, Verdict, VerdictKind, to_call_event

T0 = 1_795_790_000.0
LID = "1795790000.100"
NOW = 2_000_000_000.0
Leg = dict[str, str]


def leg(channel: str, uid: str, *, state: str = "4", context: str = "from-pstn", **kw: str) -> Leg:
    fields = {
        "Channel": channel,
        "ChannelState": state,
        "CallerIDNum": kw.pop("cid", "<unknown>"),
        "CallerIDName": kw.pop("name", "<unknown>"),
        "Context": context,
        "Exten": kw.pop("exten", "73272000003"),
        "Uniqueid": uid,
        "Linkedid": kw.pop("linkedid", LID),
    }
    return fields | kw


TRUNK = leg("PJSIP/trunk-00000100", LID)
CALLER = {"CallerIDNum": "77011234567", "CallerIDName": "Ivan Petrov"}
A101 = leg("PJSIP/101-00000101", "1795790000.101", state="0", context="from-internal")
A102 = leg("PJSIP/102-00000102", "1795790000.102", state="0", context="from-internal")
A103 = leg("PJSIP/103-00000103", "1795790000.103", state="0", context="from-internal")
PICKER = leg(
    "PJSIP/103-00000110", "1795790003.110", context="from-internal", linkedid="1795790003.110"
)


def ev(name: str, t: float, chan: Leg | None = None, **kw: str) -> AmiMessage:
    headers = [("Event", name), ("Privilege", "call,all"), ("Timestamp", f"{T0 + t:.6f}")]
    headers += list((chan or {}).items())
    headers += list(kw.items())
    return AmiMessage.of(headers)


def dest(chan: Leg) -> dict[str, str]:
    return {f"Dest{k}": v for k, v in chan.items()}


def target(chan: Leg) -> dict[str, str]:
    return {f"Target{k}": v for k, v in chan.items()}


def cel(name: str, t: float, chan: Leg, **kw: str) -> AmiMessage:
    stamp = datetime.fromtimestamp(T0 + t, UTC).strftime("%Y-%m-%d %H:%M:%S")
    headers = [
        ("Event", "CEL"),
        ("Timestamp", f"{T0 + t:.6f}"),
        ("EventName", name),
        ("Channel", chan["Channel"]),
        ("EventTime", stamp),
        ("UniqueID", chan["Uniqueid"]),
        ("LinkedID", chan["Linkedid"]),
    ]
    return AmiMessage.of(headers + list(kw.items()))


def ringing(*agents: Leg) -> list[AmiMessage]:
    out = [ev("Newchannel", 0, TRUNK), ev("NewCallerid", 0.001, TRUNK | CALLER)]
    for agent in agents:
        out += [ev("Newchannel", 0.01, agent), ev("DialBegin", 0.02, TRUNK | CALLER, **dest(agent))]
    return out


def no_answer(t: float, *agents: Leg) -> list[AmiMessage]:
    return [ev("DialEnd", t, TRUNK | CALLER, DialStatus="NOANSWER", **dest(a)) for a in agents]


def ended(t: float) -> list[AmiMessage]:
    return [
        ev("Hangup", t, TRUNK | CALLER, Cause="16"),
        cel("HANGUP", t, TRUNK),
        cel("LINKEDID_END", t + 0.01, TRUNK),
    ]


VOICEMAIL_START = [
    ev("Newexten", 8.001, TRUNK | CALLER, Application="VoiceMail", AppData="100@default,u"),
    ev("Newstate", 8.003, TRUNK | CALLER | {"ChannelState": "6"}),
]
MWI = ev("MessageWaiting", 20.0, TRUNK | CALLER, Mailbox="100@default", Waiting="1", New="1")
VMSTATUS_OK = ev("VarSet", 20.0, TRUNK | CALLER, Variable="VMSTATUS", Value="SUCCESS")
VMSTATUS_FAILED = ev("VarSet", 11.0, TRUNK | CALLER, Variable="VMSTATUS", Value="FAILED")


def seq(*parts: AmiMessage | list[AmiMessage]) -> list[AmiMessage]:
    return [m for part in parts for m in (part if isinstance(part, list) else [part])]


SCENARIOS: dict[str, tuple[list[AmiMessage], VerdictKind, str | None, float]] = {
    "voicemail stored (MessageWaiting + VMSTATUS)": (
        seq(
            ringing(A101, A102),
            no_answer(8, A101, A102),
            VOICEMAIL_START,
            MWI,
            VMSTATUS_OK,
            ended(20.1),
        ),
        VerdictKind.MISSED_WITH_VOICEMAIL,
        None,
        8.003,
    ),
    "voicemail stored, only MessageWaiting (no dialplan class)": (
        seq(ringing(A101), no_answer(8, A101), MWI, ended(20.1)),
        VerdictKind.MISSED_WITH_VOICEMAIL,
        None,
        20.1,
    ),
    "caller hangs up during the greeting": (
        seq(
            ringing(A101, A102),
            no_answer(8, A101, A102),
            VOICEMAIL_START,
            ended(11),
            VMSTATUS_FAILED,
        ),
        VerdictKind.MISSED,
        None,
        11.0,
    ),
    "blind transfer after answer is answered by the first agent": (
        seq(
            ringing(A101),
            ev("DialEnd", 2, TRUNK | CALLER, DialStatus="ANSWER", **dest(A101)),
            ev("BlindTransfer", 5, A101, Result="Success", Extension="103"),
            ev("DialBegin", 5.1, TRUNK | CALLER, **dest(A103)),
            ev("DialEnd", 7, TRUNK | CALLER, DialStatus="ANSWER", **dest(A103)),
            ended(30),
        ),
        VerdictKind.ANSWERED,
        "101",
        2.0,
    ),
    "pickup by a colleague is answered by the picker": (
        seq(
            ringing(A101),
            ev("Newchannel", 2.5, PICKER),
            cel("CHAN_START", 2.5, PICKER),
            ev("Pickup", 3, PICKER, **target(A101 | {"ChannelState": "5"})),
            ev("DialEnd", 3.01, TRUNK | CALLER, DialStatus="ANSWER", **dest(PICKER)),
            cel("LINKEDID_END", 3.02, PICKER),
            ended(30),
        ),
        VerdictKind.ANSWERED,
        "103",
        3.0,
    ),
    "queue abandon followed by a fallback that nobody answers": (
        seq(
            ringing(),
            ev("QueueCallerJoin", 0.1, TRUNK | CALLER, Queue="support", Position="1"),
            ev("AgentCalled", 0.2, TRUNK | CALLER, Interface="PJSIP/101", MemberName="Anna"),
            ev("QueueCallerAbandon", 10, TRUNK | CALLER, Queue="support", HoldTime="10"),
            ev("DialBegin", 10.1, TRUNK | CALLER, **dest(A103)),
            no_answer(25, A103),
            ended(25.01),
        ),
        VerdictKind.MISSED,
        None,
        25.01,
    ),
    "channel going Up (voicemail, IVR) is not an answer": (
        seq(
            ringing(A101),
            ev("Newstate", 1, TRUNK | CALLER | {"ChannelState": "6"}),
            cel("ANSWER", 1, TRUNK),
            no_answer(8, A101),
            ended(9),
        ),
        VerdictKind.MISSED,
        None,
        9.0,
    ),
}


def _run(events: list[AmiMessage], settings: DetectorSettings | None = None) -> list[Verdict]:
    detector = MissedCallDetector(settings)
    out = [v for e in events for v in detector.feed(e, NOW)]
    return out + detector.tick(NOW + 3600)


@pytest.mark.parametrize("label", SCENARIOS)
def test_scenario(label: str) -> None:
    events, kind, answered_by, wait = SCENARIOS[label]
    [verdict] = _run(events)
    assert verdict.kind is kind
    assert verdict.answered_by == answered_by
    assert verdict.voicemail is (kind is VerdictKind.MISSED_WITH_VOICEMAIL)
    assert verdict.wait_seconds == pytest.approx(wait, abs=0.005)
    assert (verdict.caller, verdict.caller_name) == ("77011234567", "Ivan Petrov")
    assert verdict.did == "73272000003"
    assert verdict.linkedid == LID


@pytest.mark.parametrize("label", SCENARIOS)
def test_scenario_without_cel_gives_the_same_verdict(label: str) -> None:
    events, kind, answered_by, _ = SCENARIOS[label]
    [verdict] = _run([e for e in events if e.event != "CEL"])
    assert (verdict.kind, verdict.answered_by) == (kind, answered_by)


def test_without_cel_the_verdict_waits_for_the_grace_period() -> None:
    detector = MissedCallDetector(DetectorSettings(hangup_grace=2.0))
    events = ringing(A101) + no_answer(8, A101) + [ev("Hangup", 8.1, TRUNK | CALLER)]
    assert [v for e in events for v in detector.feed(e, NOW)] == []
    # Voicemail is saved after the caller hangs up; the grace is what lets it count.
    assert detector.feed(MWI, NOW + 0.5) == []
    assert detector.tick(NOW + 1.9) == []
    [verdict] = detector.tick(NOW + 2.0)
    assert verdict.kind is VerdictKind.MISSED_WITH_VOICEMAIL
    assert detector.live_calls == 0


def test_lost_linkedid_end_falls_back_to_the_longer_grace() -> None:
    detector = MissedCallDetector(DetectorSettings(linkedid_end_grace=30.0))
    other = leg("PJSIP/x-1", "9.1", linkedid="9.1", context="from-internal")
    detector.feed(cel("LINKEDID_END", 0, other), NOW)  # CEL with LINKEDID_END is on
    for e in ringing(A101) + no_answer(8, A101) + [ev("Hangup", 8.1, TRUNK | CALLER)]:
        detector.feed(e, NOW)
    assert detector.tick(NOW + 29) == []
    [verdict] = detector.tick(NOW + 30)
    assert verdict.kind is VerdictKind.MISSED


def test_linkedid_end_before_the_hangup_event_still_dates_the_end() -> None:
    events = ringing(A101) + no_answer(8, A101) + [cel("HANGUP", 8, TRUNK)]
    events += [cel("LINKEDID_END", 8.1, TRUNK), ev("Hangup", 8.2, TRUNK | CALLER)]
    [verdict] = _run(events)
    assert verdict.kind is VerdictKind.MISSED
    assert verdict.ended_at == datetime.fromtimestamp(int(T0 + 8), UTC)


def test_outbound_call_is_no_missed_call_and_an_internal_call_has_no_verdict() -> None:
    internal = leg("PJSIP/101-00000200", "5.200", context="from-internal", linkedid="5.200")
    trunk_out = leg("PJSIP/trunk-00000201", "5.201", state="0", linkedid="5.200")
    events = [
        ev("Newchannel", 0, internal),
        ev("Newchannel", 0.1, trunk_out),
        ev("DialBegin", 0.1, internal, **dest(trunk_out)),
        ev("Hangup", 5, trunk_out),
        ev("Hangup", 5, internal),
        cel("LINKEDID_END", 5.1, internal),
    ]
    [verdict] = _run(events)
    assert verdict.kind is VerdictKind.OUTBOUND and not verdict.is_missed
    assert (verdict.callee, verdict.answered_by, verdict.answered_at) == (
        internal["Exten"],
        "101",
        None,
    )
    colleague = {**internal, "Exten": "102"}
    events = [ev("Newchannel", 0, colleague), ev("DialBegin", 0.1, colleague, **dest(A101))]
    assert _run([*events, ev("Hangup", 5, colleague)]) == []


def test_never_ending_call_expires_and_memory_is_freed() -> None:
    detector = MissedCallDetector(DetectorSettings(call_timeout=600))
    for e in ringing(A101):
        detector.feed(e, NOW)
    assert detector.tick(NOW + 599) == []
    [verdict] = detector.tick(NOW + 601)
    assert verdict.kind is VerdictKind.EXPIRED and not verdict.is_missed
    assert (detector.live_calls, detector.stats.expired) == (0, 1)
    assert detector.feed(ev("Hangup", 700, TRUNK | CALLER), NOW + 700) == []


def test_tracked_calls_are_capped_and_eviction_counted() -> None:
    detector = MissedCallDetector(DetectorSettings(max_calls=10))
    verdicts = []
    for n in range(50):
        lid = f"1795790000.{1000 + n}"
        trunk = TRUNK | {"Uniqueid": lid, "Linkedid": lid}
        verdicts += detector.feed(ev("Newchannel", n, trunk), NOW + n)
    assert detector.live_calls == 10
    assert detector.stats.evicted == 40
    assert {v.kind for v in verdicts} == {VerdictKind.EXPIRED}


def test_decided_ids_are_remembered_in_a_bounded_lru() -> None:
    detector = MissedCallDetector(DetectorSettings(max_decided=5))
    for n in range(20):
        lid = f"1795790000.{2000 + n}"
        trunk = TRUNK | {"Uniqueid": lid, "Linkedid": lid}
        detector.feed(ev("Newchannel", n, trunk), NOW)
        detector.feed(cel("LINKEDID_END", n, trunk), NOW)
    assert len(detector._decided) == 5
    assert detector.already_decided("1795790000.2019")
    assert not detector.already_decided("1795790000.2000")


@pytest.mark.parametrize(
    ("groups", "queue", "group"),
    [
        ({"73272000003": "support"}, None, "support"),
        ({}, "sales", "sales"),
        ({"73272000003": "support"}, "sales", "sales"),
        ({}, None, None),
    ],
)
def test_group_from_queue_or_did_mapping(
    groups: dict[str, str], queue: str | None, group: str | None
) -> None:
    events = ringing(A101)
    if queue:
        events.append(ev("QueueCallerJoin", 0.1, TRUNK | CALLER, Queue=queue))
    [verdict] = _run(events + no_answer(8, A101) + ended(8.1), DetectorSettings(did_groups=groups))
    assert verdict.group == group


def test_call_event_from_voicemail_verdict() -> None:
    events, *_ = SCENARIOS["voicemail stored (MessageWaiting + VMSTATUS)"]
    [verdict] = _run(events)
    event = to_call_event(verdict, call_id_prefix="ami:7:")
    assert event.call_id == f"ami:7:{LID}"
    assert (event.caller, event.caller_name, event.called) == (
        "77011234567",
        "Ivan Petrov",
        "73272000003",
    )
    assert event.voicemail is True
    assert event.extensions == ["101", "102"]
    assert event.started_at == datetime.fromtimestamp(T0, UTC)
    assert event.wait_seconds == pytest.approx(8.003, abs=0.001)


def test_anonymous_caller_and_answered_verdicts() -> None:
    anonymous = [ev("Newchannel", 0, TRUNK), ev("Hangup", 1, TRUNK), cel("LINKEDID_END", 1, TRUNK)]
    [verdict] = _run(anonymous)
    assert to_call_event(verdict).caller == "anonymous"
    events, *_ = SCENARIOS["blind transfer after answer is answered by the first agent"]
    [answered] = _run(events)
    with pytest.raises(NotMissedError):
        to_call_event(answered)


def test_settings_validation() -> None:
    with pytest.raises(ValueError):
        DetectorSettings(inbound_contexts=())
    with pytest.raises(ValueError):
        DetectorSettings(max_calls=0)
