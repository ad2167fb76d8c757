"""Whether a PBX's caller id means "the number is hidden": what PBXs and carriers send then.

Withheld (CLIR), restricted or simply unknown numbers reach us as placeholders, not numbers:
- SIP privacy (RFC 3323): `anonymous`, `sip:anonymous@anonymous.invalid`;
- Asterisk / FreePBX / Issabel: `<unknown>`, `unknown`, `s` (the empty extension), `asterisk`;
- Cisco, Avaya, carriers (RFC 3325, ISDN presentation): `Unavailable`, `restricted`,
  `private`, `withheld`, `blocked`, `P`, `O`;
- FreeSWITCH / Kazoo privacy: `anonymous` and `0000000000`;
- Twilio, keypad spellings: `+266696687` ANONYMOUS, `+86282452253` RESTRICTED,
  `+8656696687` UNKNOWN, `+2562533` BLOCKED;
- Russian cloud PBXs and CRM exports: `скрыт`, `Номер скрыт`, `неизвестно`, `null`, `-`, `0`.
"""

from __future__ import annotations

import re

_WORDS = frozenset(
    {
        "anonymous", "anonym", "anon", "unknown", "unknown number", "restricted", "private",
        "private number", "withheld", "number withheld", "unavailable", "not available",
        "blocked", "hidden", "no caller id", "nocallerid", "cid unknown", "out of area",
        "p", "o", "s", "asterisk", "null", "none", "nil", "undefined", "n/a", "na",
        "скрыт", "скрытый", "номер скрыт", "скрытый номер", "неизвестно", "неизвестный",
        "неизвестный номер", "нет номера", "аноним", "анонимный",
    }
)  # fmt: skip
# Twilio gives hidden callers a fake number that spells the reason on a phone keypad.
_KEYPAD = frozenset({"266696687", "86282452253", "8656696687", "2562533"})
_SIP = re.compile(r"^(?:sips?:|tel:)?([^@;]*)(?:@[^;]*)?(?:;.*)?$", re.IGNORECASE)


def is_hidden(raw: str) -> bool:
    """True when `raw` says the caller's number is withheld or unknown, not what it is."""
    value = " ".join(raw.split()).strip("<>\"' ").lower()
    match = _SIP.match(value)
    if match and (value.startswith(("sip:", "sips:", "tel:")) or "@" in value):
        value = match.group(1).strip("<>\"' ")
    if value in _WORDS:
        return True
    digits = re.sub(r"\D", "", value)
    if not re.sub(r"[\W_]", "", value):  # "", "-", "+", "()": nothing to call
        return True
    if digits and digits == value.lstrip("+") and (set(digits) == {"0"} or digits in _KEYPAD):
        return True
    return False
