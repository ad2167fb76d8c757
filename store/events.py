"""What a PBX tells us about a call: the shapes every source (HTTP ingest, AMI, a cloud PBX's
webhook) hands to intake. `type` tells them apart; a body without it is a missed call."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    field_validator,
)

MAX_TEXT = 256
MAX_URL = 2048


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("timestamps need a UTC offset, e.g. 2026-01-31T09:15:00+03:00")
    return value


def _group_id(value: str | None) -> str | None:
    # The store's group-id rule: whitespace and ':' delimit keys and callback data.
    if value is not None and any(c.isspace() or c == ":" for c in value):
        raise ValueError("group must not contain spaces or ':'")
    return value


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    call_id: str = Field(min_length=1, max_length=128)
    started_at: datetime | None = None
    recording_url: str | None = Field(default=None, max_length=MAX_URL)

    @field_validator("started_at")
    @classmethod
    def _started_aware(cls, value: datetime | None) -> datetime | None:
        return _aware(value)


class CallEvent(_Event):
    """An inbound call the PBX decided was missed (nobody answered it); `type` "missed"."""

    @property
    def type(self) -> Literal["missed"]:
        return "missed"

    caller: str = Field(min_length=1, max_length=64)
    called: str | None = Field(default=None, max_length=64)
    group: str | None = Field(default=None, min_length=1, max_length=64)
    group_name: str | None = Field(default=None, max_length=MAX_TEXT)
    ended_at: datetime | None = None
    wait_seconds: float | None = Field(default=None, ge=0, le=86_400)
    caller_name: str | None = Field(default=None, max_length=MAX_TEXT)
    extensions: list[Annotated[str, Field(min_length=1, max_length=32)]] = Field(
        default_factory=list, max_length=100
    )
    voicemail: bool = False

    @field_validator("group")
    @classmethod
    def _group(cls, value: str | None) -> str | None:
        return _group_id(value)

    @field_validator("ended_at")
    @classmethod
    def _ended_aware(cls, value: datetime | None) -> datetime | None:
        return _aware(value)


class AnsweredEvent(_Event):
    """An inbound call somebody answered (the caller got through)."""

    type: Literal["answered"]
    caller: str = Field(min_length=1, max_length=64)
    answered_by: str | None = Field(default=None, min_length=1, max_length=64)
    group: str | None = Field(default=None, min_length=1, max_length=64)
    talk_seconds: float | None = Field(default=None, ge=0, le=86_400)

    @field_validator("group")
    @classmethod
    def _group(cls, value: str | None) -> str | None:
        return _group_id(value)


class OutboundEvent(_Event):
    """A call the company placed to an outside number, answered or not."""

    type: Literal["outbound"]
    callee: str = Field(min_length=1, max_length=64)
    extension: str | None = Field(default=None, min_length=1, max_length=64)
    answered: bool
    talk_seconds: float | None = Field(default=None, ge=0, le=86_400)


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
        custom_error_message="type must be one of: missed, answered, outbound",
    ),
]
EVENT = TypeAdapter(PbxEvent)
