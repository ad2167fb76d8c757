"""The bot's names for the one secret-masking implementation in perezvon/logs.py."""

from perezvon.logs import API_KEY_RE, MASK, TOKEN_RE, install_token_filter, redact

__all__ = ["API_KEY_RE", "MASK", "TOKEN_RE", "install_token_filter", "redact"]
