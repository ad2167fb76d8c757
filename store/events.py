"""What a PBX tells us about a call: the shapes every source (HTTP ingest, AMI, a cloud PBX's
webhook) hands to intake. `type` tells them apart; a body without it is a missed call."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Strict,
    StrictBool,
    Tag,
    TypeAdapter,
    field_validator,
)

MAX_TEXT = 256
MAX_URL = 2048
MAX_NUMBER = 64
# The schema checks a value as sent; so does the model (constraints before trimming), so the
# published schema is exactly what is checked. The classes are spelled out so that pydantic's
# regex engine and a JSON Schema validator read them alike.
# TRIM: the Unicode White_Space characters trimmed from both ends of every text.
TRIM = r"\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
TRIM_CHARS = "\t\n\v\f\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B)))
TRIM_CHARS += "\u2028\u2029\u202f\u205f\u3000"
# WS: whatever Python calls whitespace (the store's group-id rule), TRIM and \x1c-\x1f.
WS = TRIM.replace(" ", "\\x1c-\\x20")
NOT_BLANK = f"[^{WS}]"
GROUP_ID = f"^[{TRIM}]*[^{WS}:]+[{TRIM}]*$"
TYPES = ("missed", "answered", "outbound")


def _trim(value: str) -> str:
    return value.strip(TRIM_CHARS)


def Text(max_length: int, *, min_length: int = 0, pattern: str | None = None, **extra: Any):
    """A string checked as sent, then stored trimmed of white space at both ends."""
    field = Field(min_length=min_length or None, max_length=max_length, pattern=pattern, **extra)
    return Annotated[str, field, AfterValidator(_trim)]


def Required(max_length: int, **extra: Any):
    """A text with at least one character that is not whitespace."""
    return Text(max_length, min_length=1, pattern=NOT_BLANK, **extra)


CallId = Required(128, description="The PBX's id of the call; repeats are duplicates")
Number = Required(MAX_NUMBER)
Extension = Required(32)
GroupId = Text(
    64,
    min_length=1,
    pattern=GROUP_ID,
    description="The PBX's call group / queue id, no spaces or ':'; absent = 'default'",
)
# JSON gives numbers, booleans and strings; pydantic's lax mode would also take `false` for a
# number, "yes" for a boolean or a number for a time, which the schema refuses. Strict types
# (and a string-only time) make the model refuse exactly what the schema refuses.
Seconds = Annotated[float, Strict(), Field(ge=0, le=86_400)]


def _no_number(value: Any) -> Any:
    if isinstance(value, int | float):
        raise ValueError("a time must be an RFC 3339 string, e.g. 2026-01-31T09:15:00+03:00")
    return value


Stamp = Annotated[
    datetime, BeforeValidator(_no_number), Field(description="RFC 3339 with a UTC offset")
]


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("timestamps need a UTC offset, e.g. 2026-01-31T09:15:00+03:00")
    return value


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid")

    call_id: CallId
    started_at: Stamp | None = None
    recording_url: Text(MAX_URL) | None = None

    @field_validator("started_at")
    @classmethod
    def _started_aware(cls, value: datetime | None) -> datetime | None:
        return _aware(value)


class CallEvent(_Event):
    """An inbound call the PBX decided was missed (nobody answered it); `type` "missed"."""

    type: Literal["missed"] = "missed"
    caller: Number
    called: Text(64) | None = None
    group: GroupId | None = None
    group_name: Text(MAX_TEXT) | None = None
    ended_at: Stamp | None = None
    wait_seconds: Seconds | None = None
    caller_name: Text(MAX_TEXT) | None = None
    extensions: list[Extension] = Field(default_factory=list, max_length=100)
    voicemail: StrictBool = False

    @field_validator("ended_at")
    @classmethod
    def _ended_aware(cls, value: datetime | None) -> datetime | None:
        return _aware(value)


class AnsweredEvent(_Event):
    """An inbound call somebody answered (the caller got through)."""

    type: Literal["answered"]
    caller: Number
    answered_by: Number | None = None
    group: GroupId | None = None
    talk_seconds: Seconds | None = None


class OutboundEvent(_Event):
    """A call the company placed to an outside number, answered or not."""

    type: Literal["outbound"]
    callee: Number
    extension: Number | None = None
    answered: StrictBool
    talk_seconds: Seconds | None = None


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        kind = value.get("type", "missed")
        return kind if isinstance(kind, str) else ""
    return getattr(value, "type", "missed")


PbxEvent = Annotated[
    Annotated[CallEvent, Tag("missed")]
    | Annotated[AnsweredEvent, Tag("answered")]
    | Annotated[OutboundEvent, Tag("outbound")],
    Discriminator(
        _kind,
        custom_error_type="unknown_type",
        custom_error_message="type must be one of: " + ", ".join(TYPES),
    ),
]
EVENT: TypeAdapter[CallEvent | AnsweredEvent | OutboundEvent] = TypeAdapter(PbxEvent)
FollowUp = AnsweredEvent | OutboundEvent
