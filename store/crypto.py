"""Encryption of secrets at rest (bot tokens, AMI secrets) and hashing of API keys."""

from __future__ import annotations

import base64
import hashlib
import secrets

from cryptography.fernet import Fernet, InvalidToken

API_KEY_PREFIX = "pzv_"
# Invite codes (a /start deep link) and ingest tokens (one per PBX): each its own prefix, so
# one is never taken for another and the log filter can mask every kind.
INVITE_PREFIX = "pzi_"
INGEST_TOKEN_PREFIX = "pzt_"


def _fernet_key(secret_key: str) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(secret_key.encode()).digest())


class SecretBox:
    """Encrypts and decrypts short secrets with a key derived from SECRET_KEY."""

    def __init__(self, secret_key: str) -> None:
        if len(secret_key) < 16:
            raise ValueError("SECRET_KEY must be at least 16 characters")
        self._fernet = Fernet(_fernet_key(secret_key))

    def seal(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise ValueError(
                "cannot decrypt: SECRET_KEY differs from the one used to write"
            ) from exc

    def __repr__(self) -> str:
        return "SecretBox(<hidden>)"


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(24)


def digest(secret: str) -> str:
    """SHA-256 of a high-entropy secret: a lookup handle that does not reveal it."""
    return hashlib.sha256(secret.encode()).hexdigest()


def display_prefix(api_key: str) -> str:
    return api_key[: len(API_KEY_PREFIX) + 4] + "…"


def looks_like_api_key(text: str) -> bool:
    body = text[len(API_KEY_PREFIX) :]
    return (
        text.startswith(API_KEY_PREFIX)
        and 16 <= len(body) <= 64
        and all(c.isalnum() or c in "-_" for c in body)
    )


def new_secret(prefix: str, nbytes: int = 18) -> str:
    return prefix + secrets.token_urlsafe(nbytes)


def looks_like(prefix: str, text: str) -> bool:
    """Whether `text` has the shape of a secret with this prefix (before any lookup)."""
    body = text[len(prefix) :]
    return (
        text.startswith(prefix)
        and 16 <= len(body) <= 64
        and all(c.isalnum() or c in "-_" for c in body)
    )
