"""From request bytes to validated events: bounded read, strict JSON, every item checked first."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiohttp import web
from aiohttp.http_exceptions import ContentEncodingError
from aiohttp.web_protocol import RequestPayloadError
from pydantic import ValidationError
from pydantic_core import from_json

from store.crypto import looks_like_api_key
from store.events import EVENT, GROUP_ID, NOT_BLANK, TYPES, AnsweredEvent, CallEvent, OutboundEvent
from webhook_ingest.errors import IngestError

PbxEvent = CallEvent | AnsweredEvent | OutboundEvent
MAX_BATCH = 1000
JSON_TYPES = frozenset({"application/json"})
BOM = b"\xef\xbb\xbf"
CHUNK = 64 * 1024
MAX_FIELD_PART = 64


@dataclass(frozen=True, slots=True)
class Parsed:
    events: list[PbxEvent]
    batch: bool


def check_content_type(request: web.Request) -> None:
    if request.content_type not in JSON_TYPES:
        raise IngestError("unsupported_media_type")
    charset = request.charset
    if charset is not None and charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise IngestError("unsupported_media_type", "only the UTF-8 charset is accepted")


async def read_bounded(request: web.Request, limit: int, seconds: float = 30.0) -> bytes:
    """The body, refused with 413 before parsing once it passes `limit` bytes (chunked too),
    and with 408 when it has not all arrived within `seconds`."""
    declared = request.content_length
    if declared is not None and declared > limit:
        raise IngestError("body_too_large", f"the body must be at most {limit} bytes")
    parts: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(seconds):
            async for chunk in request.content.iter_chunked(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise IngestError("body_too_large", f"the body must be at most {limit} bytes")
                parts.append(chunk)
    except TimeoutError:
        request.content.feed_eof()
        raise IngestError(
            "request_timeout", f"the body did not arrive within {seconds:g} s", close=True
        ) from None
    except (RequestPayloadError, ContentEncodingError) as exc:
        # The rest of this body cannot be read either: end it here, so that aiohttp does not
        # try to drain it after our answer (and log the same error as unhandled), and close.
        request.content.feed_eof()
        raise _encoding_error(request, exc) from None
    return b"".join(parts)


def _encoding_error(request: web.Request, exc: Exception) -> IngestError:
    encoding = request.headers.get("Content-Encoding", "").strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        return IngestError(
            "invalid_encoding",
            f"the body is not valid {encoding} data although Content-Encoding says so",
            close=True,
        )
    # A body cut short by the client, or a chunked encoding that does not add up.
    return IngestError(
        "invalid_body", f"the body could not be read: {exc.__class__.__name__}", close=True
    )


def _part(value: object) -> str:
    text = str(value)
    if looks_like_api_key(text):
        return "<redacted>"
    return text if len(text) <= MAX_FIELD_PART else text[:MAX_FIELD_PART] + "…"


def _field(prefix: str, loc: tuple[int | str, ...]) -> str:
    out = prefix
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + _part(part)
    return out


# The patterns of store.events, said in words (the regex itself is in the OpenAPI document).
PATTERN_WORDS = {
    NOT_BLANK: "must contain a character other than whitespace",
    GROUP_ID: "must not contain whitespace or ':'",
}


def _message(err: dict) -> str:
    if err["type"] == "string_pattern_mismatch":
        pattern = (err.get("ctx") or {}).get("pattern")
        if pattern in PATTERN_WORDS:
            return PATTERN_WORDS[pattern]
    return str(err["msg"]).removeprefix("Value error, ")


def _loc(err: dict) -> tuple[int | str, ...]:
    loc = tuple(err["loc"])
    if err["type"] == "unknown_type":
        return ("type",)
    # A tagged union names the member first ('answered', 'caller'): the field is what counts.
    return loc[1:] if loc and loc[0] in TYPES else loc


def _validate(item: object, index: int | None) -> PbxEvent:
    prefix = "" if index is None else f"[{index}]"
    if not isinstance(item, dict):
        raise IngestError("invalid_event", "an event must be a JSON object", field=prefix or None,
                          index=index)  # fmt: skip
    try:
        event = EVENT.validate_python(item)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        raise IngestError(
            "invalid_event", _message(first), field=_field(prefix, _loc(first)), index=index
        ) from None
    return event


def parse_events(body: bytes) -> Parsed:
    """One object or an array of 1..1000 objects; any invalid item refuses the whole body."""
    if body.startswith(BOM):
        body = body[len(BOM) :]
    try:
        data = from_json(body, allow_inf_nan=False)
    except ValueError as exc:
        raise IngestError("invalid_json", f"the body is not valid JSON: {exc}") from None
    if isinstance(data, dict):
        return Parsed([_validate(data, None)], batch=False)
    if not isinstance(data, list):
        raise IngestError("invalid_body")
    if not data:
        raise IngestError("empty_batch")
    if len(data) > MAX_BATCH:
        raise IngestError(
            "batch_too_large", f"an array may hold at most {MAX_BATCH} events, not {len(data)}"
        )
    return Parsed([_validate(item, i) for i, item in enumerate(data)], batch=True)
