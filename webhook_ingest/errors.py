"""The ingest error catalogue: every refusal has a stable code, one HTTP status and a JSON body."""

from __future__ import annotations

import json
from dataclasses import dataclass

from aiohttp import web

# Retrying sooner than this after a 503 only adds load to a Redis that is coming back.
RETRY_AFTER_SECONDS = 5


@dataclass(frozen=True, slots=True)
class Code:
    status: int
    message: str


# code -> (status, default message); an explicit registry documented in docs/ingest.md.
CATALOGUE: dict[str, Code] = {
    "invalid_json": Code(400, "the body is not valid UTF-8 JSON"),
    "invalid_body": Code(400, "the body must be one event object or an array of event objects"),
    "empty_batch": Code(400, "the array holds no events"),
    "invalid_encoding": Code(400, "the body does not decode as its Content-Encoding says"),
    "missing_key": Code(401, "send the API key as 'Authorization: Bearer <key>' or 'X-API-Key'"),
    "invalid_key": Code(401, "the API key is not valid"),
    "not_found": Code(404, "no such endpoint"),
    "method_not_allowed": Code(405, "this endpoint does not accept that method"),
    "request_timeout": Code(408, "the body did not arrive in time"),
    "body_too_large": Code(413, "the body is larger than the server accepts"),
    "batch_too_large": Code(422, "an array may hold at most 1000 events"),
    "unsupported_media_type": Code(415, "send 'Content-Type: application/json' (UTF-8)"),
    "invalid_event": Code(422, "an event does not match the schema"),
    "unavailable": Code(503, "storage is unavailable; retry later"),
    "internal_error": Code(500, "unexpected server error"),
}


class IngestError(Exception):
    """A refusal from the catalogue; `field` names the offending place, e.g. `[3].caller`."""

    def __init__(
        self,
        code: str,
        message: str | None = None,
        *,
        field: str | None = None,
        index: int | None = None,
        headers: dict[str, str] | None = None,
        close: bool = False,
    ) -> None:
        entry = CATALOGUE[code]
        super().__init__(code)
        self.code = code
        self.status = entry.status
        self.message = message or entry.message
        self.field = field
        self.index = index
        self.headers = headers or {}
        # The connection cannot carry another request (the body could not be read to its end).
        self.close = close


def error_body(err: IngestError, request_id: str | None) -> dict:
    inner: dict[str, object] = {"code": err.code, "message": err.message}
    if err.field is not None:
        inner["field"] = err.field
    if err.index is not None:
        inner["index"] = err.index
    if request_id:
        inner["request_id"] = request_id
    return {"error": inner}


def error_response(err: IngestError, request_id: str | None) -> web.Response:
    headers = dict(err.headers)
    if err.status == 503:
        headers.setdefault("Retry-After", str(RETRY_AFTER_SECONDS))
    if err.status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="perezvon"')
    response = web.Response(
        status=err.status,
        text=json.dumps(error_body(err, request_id), ensure_ascii=False),
        content_type="application/json",
        headers=headers,
    )
    if err.close:
        response.force_close()
    return response
