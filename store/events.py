"""The missed-call event: the one shape every PBX source (HTTP ingest, AMI) hands to the store."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_TEXT = 256


class CallEvent(BaseModel):
    """A call a PBX decided was missed, as accepted by `POST /v1/events`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    call_id: str = Field(min_length=1, max_length=128)
    caller: str = Field(min_length=1, max_length=64)
    called: str | None = Field(default=None, max_length=64)
    group: str | None = Field(default=None, min_length=1, max_length=64)
    group_name: str | None = Field(default=None, max_length=MAX_TEXT)
    started_at: datetime | None = None
    ended_at: datetime | None = None
    wait_seconds: float | None = Field(default=None, ge=0, le=86_400)
    caller_name: str | None = Field(default=None, max_length=MAX_TEXT)
    extensions: list[str] = Field(default_factory=list, max_length=100)
    voicemail: bool = False

    @field_validator("extensions")
    @classmethod
    def _short_extensions(cls, value: list[str]) -> list[str]:
        for ext in value:
            if not ext or len(ext) > 32:
                raise ValueError("each extension must be 1 to 32 characters")
        return value

    @field_validator("group")
    @classmethod
    def _group_id(cls, value: str | None) -> str | None:
        # The store's group-id rule: whitespace and ':' delimit keys and callback data.
        if value is not None and any(c.isspace() or c == ":" for c in value):
            raise ValueError("group must not contain spaces or ':'")
        return value

    @field_validator("started_at", "ended_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("timestamps need a UTC offset, e.g. 2026-01-31T09:15:00+03:00")
        return value
