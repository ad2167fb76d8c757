"""The names a tenant's PBXs gave its callers, by number, for a PBX that asks who is calling.

A missed call recorded with a `caller_name` (JSON ingest's field, Asterisk's CallerIDName,
Twilio's CallerName) leaves that name in the tenant's `{t<id>}:names` hash under the caller's
digits, in the same script that records the call (store/calls.py). A lookup tries the forms
the same number takes in the tenant's region (as sent, E.164, national with and without the
trunk prefix), so "+7 495 123-45-67" from Asterisk answers MegaFon's "74951234567".
"""

from __future__ import annotations

import json

import phonenumbers
from redis.asyncio import Redis

from store import keys

# Fewer digits than this is an extension or a placeholder, not a caller to name.
MIN_DIGITS = 5
MAX_NAME = 256
# What PBXs put in the name field when they know none (compared lowercased, <> stripped).
_NO_NAME = frozenset(
    {"", "unknown", "anonymous", "unavailable", "restricted", "private", "withheld",
     "null", "none", "n/a", "номер скрыт", "скрыт", "неизвестно"}
)  # fmt: skip
_MARK = '"caller_name"'


def digits_key(raw: str) -> str | None:
    """The key a number's name is kept under: its digits, or None when it names nobody."""
    digits = "".join(c for c in raw if c.isdigit())
    return digits if len(digits) >= MIN_DIGITS else None


def clean_name(name: object) -> str | None:
    """The name worth keeping: not a placeholder and not just the number again."""
    if not isinstance(name, str):
        return None
    name = " ".join(name.split())[:MAX_NAME]
    if name.strip("<>\"' ").lower() in _NO_NAME:
        return None
    digits = "".join(c for c in name if c.isdigit())
    if digits and digits == "".join(c for c in name if c.isalnum()):
        return None  # "74951234567", "+7 (495) 123-45-67": a number, not a name
    return name


def from_payload(payload: str) -> tuple[str, str] | None:
    """(key, name) of a recorded call's JSON payload that carries a usable caller name."""
    if _MARK not in payload:  # most calls carry none: skip decoding them
        return None
    try:
        event = json.loads(payload)
    except ValueError:
        return None
    caller = event.get("caller") if isinstance(event, dict) else None
    if not isinstance(caller, str):
        return None
    key, name = digits_key(caller), clean_name(event.get("caller_name"))
    return (key, name) if key and name else None


def lookup_keys(raw: str, region: str) -> list[str]:
    """Every digits key the number may have been kept under, the number as sent first."""
    found = [k for k in (digits_key(raw),) if k]
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return found
    forms = (
        phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
        str(parsed.national_number),
        phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL),
    )
    for form in forms:
        key = digits_key(form)
        if key and key not in found:
            found.append(key)
    return found


class CallerNames:
    """Reads the names the record script keeps (store/calls.py writes them)."""

    def __init__(self, redis: Redis) -> None:
        self._r = redis

    async def get(self, tid: str, number: str, region: str) -> str | None:
        """The name last given for this number in this tenant, or None."""
        candidates = lookup_keys(number, region)
        if not candidates:
            return None
        for name in await self._r.hmget(keys.caller_names(tid), candidates):
            if name:
                return str(name)
        return None
