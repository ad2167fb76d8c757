"""Pure readers for AMI header values: event times, caller ids and extensions of channels."""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo

from connectors.asterisk.parser import AmiMessage

UNKNOWN_IDS = frozenset({"", "<unknown>", "unknown", "<Unknown>"})
_CHANNEL_SUFFIX = re.compile(r"-[0-9a-fA-F]{8}(?:;\d)?$")
_MEMBER_DIGITS = re.compile(r"(\d+)\s*$")


def event_time(message: AmiMessage) -> float | None:
    """The `Timestamp:` header (epoch seconds, set by `timestampevents=yes`), if any."""
    raw = message.first.get("Timestamp")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if value > 0 else None


def cel_time(message: AmiMessage, server_tz: tzinfo) -> float | None:
    """A CEL `EventTime` (epoch seconds or `%Y-%m-%d %H:%M:%S[.f]` in server local time)."""
    raw = (message.first.get("EventTime") or "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        pass
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=server_tz)
    return parsed.timestamp()


def known_id(value: str | None) -> str | None:
    """A caller id number or name, or None for Asterisk's placeholders."""
    if value is None:
        return None
    value = value.strip()
    return None if value in UNKNOWN_IDS else value


def extension_of(channel: str | None) -> str | None:
    """The extension a channel or queue interface belongs to (`PJSIP/101-0000000a` → `101`)."""
    if not channel:
        return None
    tech, sep, rest = channel.partition("/")
    if not sep or not rest:
        return None
    if tech.lower() == "local":
        ext = rest.split("@", 1)[0]
        # FreePBX follow-me and "skip voicemail" Local channels decorate the number.
        if ext.startswith("FMGL-"):
            ext = ext[5:]
        ext = ext.rstrip("#")
    else:
        ext = _CHANNEL_SUFFIX.sub("", rest).split("/", 1)[0].split("@", 1)[0]
    return ext[:32] or None


def extension_of_member(interface: str | None, member_name: str | None) -> str | None:
    """A queue member's extension from its `Interface`, else the digits ending `MemberName`."""
    ext = extension_of(interface)
    if ext:
        return ext
    if member_name:
        match = _MEMBER_DIGITS.search(member_name)
        return match.group(1) if match else member_name.strip()[:32] or None
    return None


def to_datetime(epoch: float | None) -> datetime | None:
    """An aware UTC datetime for epoch seconds."""
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)
