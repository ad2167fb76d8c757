"""The AMI stream parser: table of well-formed inputs, then hostile ones."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.asterisk.parser import AmiMessage, AmiParser

BANNER = b"Asterisk Call Manager/11.0.0\r\n"

CASES = [
    (
        "event with CRLF",
        b"Event: Hangup\r\nChannel: PJSIP/101-00000001\r\nCause: 16\r\n\r\n",
        [[("Event", "Hangup"), ("Channel", "PJSIP/101-00000001"), ("Cause", "16")]],
    ),
    (
        "bare LF line ends",
        b"Response: Success\nActionID: 1\nPing: Pong\n\n",
        [[("Response", "Success"), ("ActionID", "1"), ("Ping", "Pong")]],
    ),
    (
        "repeated keys kept in order",
        b"Event: Newchannel\r\nChanVariable: A=1\r\nChanVariable: B=2\r\n\r\n",
        [[("Event", "Newchannel"), ("ChanVariable", "A=1"), ("ChanVariable", "B=2")]],
    ),
    (
        "empty values and colons inside values",
        b"Event: CEL\r\nAccountCode: \r\nEventTime: 2026-11-27 12:28:54\r\n\r\n",
        [[("Event", "CEL"), ("AccountCode", ""), ("EventTime", "2026-11-27 12:28:54")]],
    ),
    (
        "several blank lines between packets",
        b"Event: A\r\n\r\n\r\n\r\nEvent: B\r\n\r\n",
        [[("Event", "A")], [("Event", "B")]],
    ),
    (
        "garbage line skipped, packet kept",
        b"Event: A\r\nthis is not a header\r\nX: 1\r\n\r\n",
        [[("Event", "A"), ("X", "1")]],
    ),
    (
        "old command output up to --END COMMAND--, blank lines inside",
        b"Response: Follows\r\nPrivilege: Command\r\nActionID: c1\r\nline one\r\n\r\n"
        b"Name: x\r\n--END COMMAND--\r\n\r\nEvent: After\r\n\r\n",
        [
            [
                ("Response", "Follows"),
                ("Privilege", "Command"),
                ("ActionID", "c1"),
                ("Output", "line one"),
                ("Output", ""),
                ("Output", "Name: x"),
            ],
            [("Event", "After")],
        ],
    ),
    (
        "modern command output as Output headers",
        b"Response: Success\r\nActionID: c2\r\nOutput: a\r\nOutput: b\r\n\r\n",
        [[("Response", "Success"), ("ActionID", "c2"), ("Output", "a"), ("Output", "b")]],
    ),
    (
        "unterminated command output does not swallow the next packet",
        b"Response: Follows\r\nActionID: c3\r\nout\r\n\r\nEvent: Next\r\n\r\n",
        [
            [("Response", "Follows"), ("ActionID", "c3"), ("Output", "out"), ("Output", "")],
            [("Event", "Next")],
        ],
    ),
    ("only garbage", b"\x00\x01 hello\r\n\r\n", []),
]


@pytest.mark.parametrize(("label", "data", "expected"), CASES, ids=[c[0] for c in CASES])
def test_parses(label: str, data: bytes, expected: list[list[tuple[str, str]]]) -> None:
    parser = AmiParser()
    got = parser.feed(BANNER + data)
    assert parser.banner == "Asterisk Call Manager/11.0.0"
    assert [list(m.headers) for m in got] == expected


def test_message_accessors() -> None:
    msg = AmiMessage.of([("Event", "X"), ("V", "1"), ("V", "2")])
    assert (msg.event, msg.response, msg.get("V"), msg.get_all("V")) == ("X", None, "1", ["1", "2"])
    assert msg.get("missing", "d") == "d"


def test_banner_only_on_first_line() -> None:
    parser = AmiParser()
    assert parser.feed(b"Event: A\r\n\r\nAsterisk Call Manager/1.1\r\n\r\n") == [
        AmiMessage.of([("Event", "A")])
    ]
    assert parser.banner is None
    assert parser.stats.garbage_lines == 1


def test_stream_cut_mid_line_resumes_with_next_feed() -> None:
    parser = AmiParser()
    assert parser.feed(b"Event: Hangup\r\nChan") == []
    assert parser.feed(b"nel: PJSIP/1-00000001\r") == []
    assert parser.feed(b"\n\r\n") == [
        AmiMessage.of([("Event", "Hangup"), ("Channel", "PJSIP/1-00000001")])
    ]


def test_megabyte_header_line_is_dropped_and_memory_stays_bounded() -> None:
    parser = AmiParser(max_line_bytes=4096)
    assert parser.feed(b"Event: Big\r\nVariable: " + b"x" * 200_000) == []
    for _ in range(4):
        assert parser.feed(b"y" * 200_000) == []
        assert len(parser._tail) <= 4096
    got = parser.feed(b"\r\nValue: 1\r\n\r\nEvent: Next\r\n\r\n")
    assert [list(m.headers) for m in got] == [
        [("Event", "Big"), ("Value", "1")],
        [("Event", "Next")],
    ]
    assert parser.stats.dropped_lines == 1


def test_megabyte_line_in_one_chunk_is_dropped() -> None:
    parser = AmiParser()
    got = parser.feed(b"Event: A\r\nX: " + b"z" * 1_048_576 + b"\r\n\r\nEvent: B\r\n\r\n")
    assert [m.event for m in got] == ["A", "B"]
    assert parser.stats.dropped_lines == 1


def test_oversized_packet_is_dropped_whole() -> None:
    parser = AmiParser(max_headers=10)
    lines = b"".join(b"H%d: v\r\n" % i for i in range(50))
    got = parser.feed(b"Event: Huge\r\n" + lines + b"\r\nEvent: Small\r\n\r\n")
    assert [m.event for m in got] == ["Small"]
    assert parser.stats.dropped_packets == 1


def test_non_utf8_bytes_are_replaced() -> None:
    got = AmiParser().feed(b"Event: X\r\nCallerIDName: \xff\xfe\xd0\xb8\xd0\r\n\r\n")
    assert got[0].get("CallerIDName") == "\ufffd\ufffdи\ufffd"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000), st.lists(st.integers(min_value=1, max_value=64), max_size=60))
def test_any_bytes_any_chunking_never_crash_and_agree(data: bytes, cuts: list[int]) -> None:
    whole = AmiParser(max_line_bytes=64, max_headers=8).feed(data)
    parser = AmiParser(max_line_bytes=64, max_headers=8)
    pieces: list[AmiMessage] = []
    pos = 0
    for cut in [*cuts, len(data)]:
        pieces += parser.feed(data[pos : pos + cut])
        pos += cut
    pieces += parser.feed(data[pos:])
    assert pieces == whole
    assert len(parser._tail) <= 64


ami_line = st.one_of(
    st.tuples(st.sampled_from(["Event", "Linkedid", "Response", "X"]), st.text(max_size=20)).map(
        lambda kv: f"{kv[0]}: {kv[1]}".encode(errors="replace")
    ),
    st.just(b""),
    st.just(b"--END COMMAND--"),
    st.binary(max_size=30),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(ami_line, max_size=40), st.sampled_from([b"\r\n", b"\n"]))
def test_ami_like_streams_never_crash(lines: list[bytes], eol: bytes) -> None:
    parser = AmiParser()
    for msg in parser.feed(eol.join(lines) + eol + eol):
        assert msg.headers
