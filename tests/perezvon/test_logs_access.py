"""Invite codes and ingest tokens are masked in every log record, like API keys."""

import logging

from perezvon.logs import install_token_filter, redact
from store.crypto import INGEST_TOKEN_PREFIX, INVITE_PREFIX, new_secret


def test_invite_codes_and_ingest_tokens_are_masked(caplog):
    code, token = new_secret(INVITE_PREFIX), new_secret(INGEST_TOKEN_PREFIX, 24)
    assert redact(f"/start {code}") == "/start pzi_<redacted>"
    assert redact(f"Bearer {token}") == "Bearer pzt_<redacted>"
    uninstall = install_token_filter()
    try:
        with caplog.at_level(logging.INFO):
            logging.getLogger("pz.test").info("update: /start %s and %s", code, token)
    finally:
        uninstall()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "pzi_<redacted>" in logged and code not in logged and token not in logged
