"""The few AMI actions Perezvon sends, encoded safely."""

from __future__ import annotations

from connectors.asterisk.errors import AmiProtocolError


def encode_action(action: str, action_id: str, fields: dict[str, str] | None = None) -> bytes:
    """One action packet; CR/LF inside a value would inject headers, so it is refused."""
    pairs = [("Action", action), ("ActionID", action_id), *(fields or {}).items()]
    lines = []
    for key, value in pairs:
        if any(c in value for c in "\r\n") or any(c in key for c in "\r\n: "):
            raise AmiProtocolError(f"refusing to send a {key} header with a line break")
        lines.append(f"{key}: {value}\r\n")
    return ("".join(lines) + "\r\n").encode()


def login(username: str, secret: str, action_id: str) -> bytes:
    """`Action: Login` asking for every event the user's read classes allow."""
    return encode_action(
        "Login", action_id, {"Username": username, "Secret": secret, "Events": "on"}
    )


def ping(action_id: str) -> bytes:
    """`Action: Ping`, the keepalive."""
    return encode_action("Ping", action_id)


def logoff(action_id: str) -> bytes:
    """`Action: Logoff`, a polite goodbye."""
    return encode_action("Logoff", action_id)


def originate(action_id: str, fields: dict[str, str]) -> bytes:
    """`Action: Originate`, always asynchronous: the answer comes as an OriginateResponse."""
    return encode_action("Originate", action_id, {**fields, "Async": "true"})
