"""Typed failures of an AMI connection; none of them ever carries the secret."""

from __future__ import annotations


class AmiError(Exception):
    """Something went wrong talking to an Asterisk Manager Interface."""


class AmiProtocolError(AmiError):
    """The peer does not speak AMI (no banner) or answered something we cannot use."""


class AmiConnectionLost(AmiError):
    """The TCP stream closed or stopped answering; the connection will be retried."""


class AmiKeepaliveTimeout(AmiConnectionLost):
    """No answer to `Action: Ping` within the keepalive timeout."""


class AmiLoginError(AmiError):
    """Asterisk refused the username/secret (or the user may not log in from here)."""

    def __init__(self, username: str, reason: str) -> None:
        super().__init__(f"AMI login refused for user {username!r}: {reason}")
        self.username = username
        self.reason = reason
