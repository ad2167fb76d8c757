"""Contract: every Telegram answer, as python-telegram-bot raises it, maps to one verdict."""

from __future__ import annotations

import json
import secrets

import httpx
import pytest
from telegram import Bot
from telegram.error import TimedOut
from telegram.request import BaseRequest

from delivery.outcome import Verdict, classify

ENVELOPES = [
    # (HTTP status, Telegram's body, verdict)
    (200, {"ok": True, "result": True}, Verdict.SENT),
    (429, {"description": "Too Many Requests: retry after 7", "parameters": {"retry_after": 7}},
     Verdict.RETRY_AFTER),
    (403, {"description": "Forbidden: bot was blocked by the user"}, Verdict.GONE),
    (403, {"description": "Forbidden: user is deactivated"}, Verdict.GONE),
    (403, {"description": "Forbidden: bot was kicked from the group chat"}, Verdict.GONE),
    (403, {"description": "Forbidden: bot was kicked from the supergroup chat"}, Verdict.GONE),
    (403, {"description": "Forbidden: bot can't initiate conversation with a user"},
     Verdict.NO_ACCESS),
    (403, {"description": "Forbidden: bot is not a member of the supergroup chat"},
     Verdict.NO_ACCESS),
    (400, {"description": "Bad Request: chat not found"}, Verdict.NO_ACCESS),
    (400, {"description": "Bad Request: group chat was upgraded to a supergroup chat",
           "parameters": {"migrate_to_chat_id": -1001234}}, Verdict.MIGRATED),
    (400, {"description": "Bad Request: message is too long"}, Verdict.REJECTED),
    (400, {"description": "Bad Request: can't parse entities: unclosed tag"}, Verdict.REJECTED),
    (400, {"description": "Bad Request: message is not modified: specified new message content"},
     Verdict.SENT),
    (401, {"description": "Unauthorized"}, Verdict.BAD_TOKEN),
    (404, {"description": "Not Found"}, Verdict.BAD_TOKEN),
    (409, {"description": "Conflict: terminated by other getUpdates request"}, Verdict.TRANSIENT),
    (500, {"description": "Internal Server Error"}, Verdict.TRANSIENT),
    (502, "<html><body>502 Bad Gateway</body></html>", Verdict.TRANSIENT),
    (503, {"description": "Service Unavailable"}, Verdict.TRANSIENT),
]  # fmt: skip


class Canned(BaseRequest):
    """A transport answering with one fixed HTTP status and body, or raising."""

    def __init__(self, status: int = 200, body: object = None, exc: Exception | None = None):
        self.status, self.body, self.exc = status, body, exc

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    @property
    def read_timeout(self) -> float:
        return 1.0

    async def do_request(self, url, method, request_data=None, **kwargs):
        if self.exc is not None:
            raise self.exc
        if isinstance(self.body, str):
            return self.status, self.body.encode()
        body = {"ok": self.status == 200, "error_code": self.status, **self.body}
        return self.status, json.dumps(body).encode()


def _token() -> str:
    return f"{secrets.randbelow(10**9) + 10**8}:{secrets.token_urlsafe(27)[:35]}"


async def _outcome(request: Canned):
    bot = Bot(_token(), request=request, get_updates_request=request)
    try:
        await bot.send_message(1, "hi")
    except Exception as exc:
        return classify(exc)
    return classify(None)


@pytest.mark.parametrize(("status", "body", "verdict"), ENVELOPES)
async def test_every_telegram_answer_has_one_verdict(status, body, verdict):
    if status == 200:
        body = {"result": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}}
    outcome = await _outcome(Canned(status, body))
    assert outcome.verdict is verdict


async def test_retry_after_and_new_chat_id_are_carried():
    flood = await _outcome(Canned(*ENVELOPES[1][:2]))
    assert flood.retry_after == 7
    migrated = await _outcome(Canned(*ENVELOPES[9][:2]))
    assert migrated.new_chat_id == -1001234


@pytest.mark.parametrize(
    ("exc", "verdict"),
    [
        (httpx.ReadTimeout("read"), Verdict.MAYBE_SENT),
        (httpx.WriteTimeout("write"), Verdict.MAYBE_SENT),
        (httpx.ConnectTimeout("connect"), Verdict.TRANSIENT),
        (httpx.PoolTimeout("pool"), Verdict.TRANSIENT),
        (httpx.ConnectError("refused"), Verdict.TRANSIENT),
        (httpx.RemoteProtocolError("closed"), Verdict.TRANSIENT),
    ],
)
async def test_transport_failures(exc, verdict):
    # The way PTB's HTTPXRequest wraps httpx's exceptions, reproduced on the canned transport.
    wrapped = TimedOut() if isinstance(exc, httpx.TimeoutException) else exc
    if wrapped is not exc:
        wrapped.__cause__ = exc
    outcome = await _outcome(Canned(exc=wrapped))
    assert outcome.verdict is verdict


async def test_unknown_bugs_are_not_swallowed():
    with pytest.raises(ZeroDivisionError):
        classify(ZeroDivisionError())
