"""Header readers: extensions of channels, event times."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from connectors.asterisk.fields import (
    cel_time,
    event_time,
    extension_of,
    extension_of_member,
    known_id,
)
from connectors.asterisk.parser import AmiMessage


@pytest.mark.parametrize(
    ("channel", "ext"),
    [
        ("Local/102@agents-00000008;1", "102"),
        ("Local/101@agents/n", "101"),
        ("PJSIP/101-0000000a", "101"),
        ("PJSIP/101", "101"),
        ("SIP/alice-0000abcd", "alice"),
        ("IAX2/202-1234", "202-1234"),
        ("Local/FMGL-103#@from-internal-00000001;1", "103"),
        ("Local/104#@from-internal", "104"),
        ("", None),
        (None, None),
        ("garbage", None),
    ],
)
def test_extension_of(channel: str | None, ext: str | None) -> None:
    assert extension_of(channel) == ext


@pytest.mark.parametrize(
    ("interface", "member", "ext"),
    [
        ("Local/101@agents/n", "Agent 101", "101"),
        ("", "Agent 102", "102"),
        (None, "Reception", "Reception"),
        (None, None, None),
    ],
)
def test_extension_of_member(interface: str | None, member: str | None, ext: str | None) -> None:
    assert extension_of_member(interface, member) == ext


@pytest.mark.parametrize(
    ("value", "known"),
    [("<unknown>", None), ("", None), (None, None), (" 77011234567 ", "77011234567")],
)
def test_known_id(value: str | None, known: str | None) -> None:
    assert known_id(value) == known


@pytest.mark.parametrize(
    ("headers", "epoch"),
    [
        ([("Timestamp", "1795782534.254744")], 1795782534.254744),
        ([("Timestamp", "soon")], None),
        ([("Timestamp", "0")], None),
        ([], None),
    ],
)
def test_event_time(headers: list[tuple[str, str]], epoch: float | None) -> None:
    assert event_time(AmiMessage.of(headers)) == epoch


@pytest.mark.parametrize(
    ("raw", "tz_hours", "epoch"),
    [
        ("2026-11-27 12:31:21", 0, 1795782681.0),
        ("2026-11-27 15:31:21", 3, 1795782681.0),
        ("2026-11-27 12:31:21.5", 0, 1795782681.5),
        ("1795782681.250000", 0, 1795782681.25),
        ("yesterday", 0, None),
        ("", 0, None),
    ],
)
def test_cel_time(raw: str, tz_hours: int, epoch: float | None) -> None:
    tz = timezone(timedelta(hours=tz_hours))
    assert cel_time(AmiMessage.of([("EventTime", raw)]), tz) == epoch
