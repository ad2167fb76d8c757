"""Secrets never reach the logs, whoever logs them (our code, PTB, httpx)."""

import logging
import secrets

from perezvon.logs import MASK, RedactingFilter, redact


def _token() -> str:
    return f"{secrets.randbelow(10**9) + 10**8}:{secrets.token_urlsafe(27)[:35]}"


def test_redact_masks_tokens_and_keys_anywhere():
    token, key = _token(), "pzv_" + secrets.token_urlsafe(24)
    text = f"POST https://api.telegram.org/bot{token}/sendMessage key={key} chat=12345"
    clean = redact(text)
    assert token not in clean and key not in clean
    assert clean.count(MASK) == 2 and "chat=12345" in clean


def test_filter_cleans_args_and_tracebacks(caplog):
    token = _token()
    logger = logging.getLogger("test.redaction")
    logger.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO, logger="test.redaction"):
        logger.info("calling %s", f"https://x/bot{token}/getMe")
        try:
            raise RuntimeError(f"boom with {token}")
        except RuntimeError:
            logger.exception("failed")
    assert token not in caplog.text
    assert MASK in caplog.text and "failed" in caplog.text
