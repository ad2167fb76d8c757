"""The token filter masks bot tokens and API keys in messages, arguments and tracebacks."""

from __future__ import annotations

import logging
import secrets

import pytest

from bot.logfilter import install_token_filter, redact


def fake_token() -> str:
    return f"{secrets.randbelow(10**9) + 10**9}:{secrets.token_urlsafe(27)[:35]}"


@pytest.fixture
def filtered():
    uninstall = install_token_filter()
    yield
    uninstall()


def test_redact_keeps_the_bot_id_and_hides_the_secret():
    token = fake_token()
    bot_id, secret = token.split(":")
    key = "pzv_" + secrets.token_urlsafe(24)
    text = redact(f"POST http://api/bot{token}/getMe with key {key}")
    assert secret not in text and key not in text
    assert f"bot{bot_id}:<redacted>/getMe" in text
    assert "pzv_<redacted>" in text


def test_records_are_scrubbed_in_message_args_and_traceback(filtered, caplog):
    token = fake_token()
    log = logging.getLogger("httpx")
    # httpx's own level too: the service's log setup (run by CLI tests) quiets it to WARNING.
    with caplog.at_level(logging.DEBUG), caplog.at_level(logging.DEBUG, logger="httpx"):
        log.info('HTTP Request: %s %s "%s"', "POST", f"http://h/bot{token}/getUpdates", "200 OK")
        try:
            raise RuntimeError(f"The token `{token}` was rejected by the server.")
        except RuntimeError:
            logging.getLogger("telegram.ext").exception("polling failed")
    secret = token.split(":")[1]
    assert "getUpdates" in caplog.text and "polling failed" in caplog.text
    assert secret not in caplog.text
    assert all(secret not in (r.exc_text or "") for r in caplog.records)


def test_install_is_idempotent():
    undo_first = install_token_filter()  # a no-op if a runtime already installed it
    factory = logging.getLogRecordFactory()
    undo_second = install_token_filter()
    assert logging.getLogRecordFactory() is factory
    undo_second()
    assert logging.getLogRecordFactory() is factory  # the second install changed nothing
    token = fake_token()
    record = logging.getLogger("x").makeRecord("x", logging.INFO, "f", 1, "%s", (token,), None)
    assert record.getMessage() == token.split(":")[0] + ":<redacted>"
    undo_first()


def _invalid_token_record(level: int) -> None:
    from telegram.error import InvalidToken

    try:
        raise InvalidToken("The token `1234:<redacted>` was rejected by the server.")
    except InvalidToken:
        logging.getLogger("telegram.ext").log(
            level, "Network Retry Loop (Polling Updates): Invalid token.", exc_info=True
        )


def test_ptbs_rejected_token_report_is_one_info_line_without_traceback(caplog):
    from bot.logfilter import quiet_rejected_tokens

    quiet_rejected_tokens()
    quiet_rejected_tokens()  # idempotent
    with caplog.at_level(logging.INFO):
        _invalid_token_record(logging.ERROR)
    (record,) = caplog.records
    assert record.levelno == logging.INFO and record.exc_info is None and not record.exc_text
    assert "Invalid token" in record.getMessage() and "rejected by the server" in caplog.text
    assert "Traceback" not in caplog.text and len(caplog.text.strip().splitlines()) == 1


def test_at_warning_ptbs_rejected_token_report_is_not_shown(caplog):
    from bot.logfilter import quiet_rejected_tokens

    quiet_rejected_tokens()
    with caplog.at_level(logging.WARNING):
        _invalid_token_record(logging.ERROR)
        logging.getLogger("telegram.ext").error("another failure")
    assert [r.getMessage() for r in caplog.records] == ["another failure"]
