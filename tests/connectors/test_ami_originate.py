"""AMI Originate over a live session against FakeAmiServer: the packet sent, and each outcome
Asterisk reports (queued, then OriginateResponse; refused at once; session gone)."""

from __future__ import annotations

import asyncio

import pytest

from connectors.asterisk.connection import AmiConnection
from connectors.asterisk.fake_ami import FakeAmiServer
from connectors.asterisk.originate import Originate, Outcome
from tests.connectors.test_ami_connection import SECRET, Recorder, _settings, running, until

CALL = Originate(
    channel="PJSIP/102",
    caller_id='"Perezvon" <87011234567>',
    context="from-internal",
    exten="87011234567",
    timeout_ms=2_000,
)


@pytest.mark.parametrize(
    ("reason", "outcome"),
    [("4", Outcome.ANSWERED), ("3", Outcome.NO_ANSWER), ("5", Outcome.BUSY),
     ("8", Outcome.FAILED)],
)  # fmt: skip
async def test_originate_reports_what_asterisk_answered(reason: str, outcome: Outcome) -> None:
    async with FakeAmiServer(secret=SECRET, originate_reason=reason) as server:
        conn = AmiConnection(_settings(server), Recorder())
        async with running(conn):
            await until(lambda: conn.connected)
            assert await conn.originate(CALL) is outcome
    [sent] = server.stats.originates
    assert sent["Channel"] == "PJSIP/102" and sent["Async"] == "true"
    assert (sent["Context"], sent["Exten"], sent["Priority"]) == (
        "from-internal",
        "87011234567",
        "1",
    )
    assert sent["CallerID"] == '"Perezvon" <87011234567>' and sent["Timeout"] == "2000"
    assert sent["ActionID"].startswith("originate-")


async def test_refused_originate_is_failed_and_application_form_is_sent() -> None:
    call = Originate(channel="SIP/102", application="Dial", data="SIP/trunk/87011234567")
    async with FakeAmiServer(secret=SECRET, originate_refused=True) as server:
        conn = AmiConnection(_settings(server), Recorder())
        async with running(conn):
            await until(lambda: conn.connected)
            assert await conn.originate(call) is Outcome.FAILED
    [sent] = server.stats.originates
    assert (sent["Application"], sent["Data"]) == ("Dial", "SIP/trunk/87011234567")
    assert "Context" not in sent


async def test_originate_without_a_session_or_when_it_drops_is_lost_and_not_resent() -> None:
    async with FakeAmiServer(secret=SECRET, originate_reason="4") as server:
        conn = AmiConnection(_settings(server), Recorder())
        assert await conn.originate(CALL) is Outcome.LOST  # never connected
        server.originate_reason = "3"
        async with running(conn):
            await until(lambda: conn.connected)
            # The session drops before the OriginateResponse arrives.
            server._originate_response = _never  # type: ignore[method-assign]
            task = asyncio.ensure_future(conn.originate(CALL))
            await until(lambda: len(server.stats.originates) == 1)
            await server.drop_sessions()
            assert await task is Outcome.LOST
            await until(lambda: conn.connected)
    assert len(server.stats.originates) == 1


async def _never(writer, action) -> None:
    return None
