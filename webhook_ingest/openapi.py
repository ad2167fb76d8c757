"""The OpenAPI 3.1 document of the ingest API. The event schemas are generated from the very
pydantic models (store.events) that validate requests, untouched: what the document says is
what the server checks, so the two cannot drift."""

from __future__ import annotations

from store.events import EVENT
from webhook_ingest.errors import CATALOGUE
from webhook_ingest.parse import MAX_BATCH

REF = "#/components/schemas/{model}"


def _ref(name: str) -> dict:
    return {"$ref": REF.format(model=name)}


def _event_schemas() -> dict[str, dict]:
    """CallEvent, AnsweredEvent, OutboundEvent and PbxEvent (one of them, by `type`)."""
    schema = EVENT.json_schema(ref_template=REF)
    defs = schema.pop("$defs")
    schema["description"] = (
        "One call: `type` missed (the default when absent), answered or outbound"
    )
    return {**defs, "PbxEvent": schema}


def _error_schema() -> dict:
    return {
        "type": "object",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "additionalProperties": False,
                "properties": {
                    "code": {"type": "string", "enum": sorted(CATALOGUE)},
                    "message": {"type": "string"},
                    "field": {"type": "string"},
                    "index": {"type": "integer", "minimum": 0},
                    "request_id": {"type": "string"},
                },
            }
        },
    }


def _result_schema(indexed: bool) -> dict:
    props: dict = {
        "call_id": {"type": "string"},
        "status": {"type": "string", "enum": ["accepted", "duplicate", "ignored"]},
        "reason": {"type": "string", "description": "Why an event was ignored"},
    }
    required = ["call_id", "status"]
    if indexed:
        props = {"index": {"type": "integer", "minimum": 0}, **props}
        required = ["index", *required]
    return {
        "type": "object",
        "required": required,
        "additionalProperties": False,
        "properties": props,
    }


def _batch_schema() -> dict:
    count = {"type": "integer", "minimum": 0}
    return {
        "type": "object",
        "required": ["results", "summary"],
        "additionalProperties": False,
        "properties": {
            "results": {"type": "array", "items": _ref("IndexedResult")},
            "summary": {
                "type": "object",
                "required": ["accepted", "duplicate", "ignored"],
                "additionalProperties": False,
                "properties": {"accepted": count, "duplicate": count, "ignored": count},
            },
        },
    }


def _errors(*statuses: int) -> dict:
    out: dict = {}
    for status in statuses:
        codes = sorted(c for c, e in CATALOGUE.items() if e.status == status)
        out[str(status)] = {
            "description": "Refused: " + ", ".join(codes),
            "content": {"application/json": {"schema": _ref("Error")}},
        }
    return out


def _json(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def document() -> dict:
    """The whole document, built afresh (the app builds it once and serves the bytes)."""
    events = {
        "summary": "Report calls: missed, answered and outbound (which resolve missed calls)",
        "operationId": "postEvents",
        "security": [{"bearer": []}, {"apiKey": []}],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [
                            _ref("PbxEvent"),
                            {
                                "type": "array",
                                "items": _ref("PbxEvent"),
                                "minItems": 1,
                                "maxItems": MAX_BATCH,
                            },
                        ]
                    }
                }
            },
        },
        "responses": {
            "202": _json(
                "Durable in Redis, a known duplicate, or ignored (group flag off)",
                {"oneOf": [_ref("EventResult"), _ref("BatchResult")]},
            ),
            **_errors(400, 401, 408, 413, 415, 422, 500, 503),
        },
    }
    plain = {"text/plain": {"schema": {"type": "string"}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Perezvon ingest API",
            "version": "1",
            "description": "PBXs report missed calls here; see docs/ingest.md.",
        },
        "paths": {
            "/v1/events": {"post": events},
            "/healthz": {
                "get": {
                    "summary": "Redis reachable?",
                    "operationId": "health",
                    "responses": {
                        "200": _json("Healthy", _ref("Health")),
                        **_errors(500, 503),
                    },
                }
            },
            "/metrics": {
                "get": {
                    "summary": "Prometheus text exposition",
                    "operationId": "metrics",
                    "responses": {
                        "200": {"description": "Metrics", "content": plain},
                        **_errors(500, 503),
                    },
                }
            },
            "/v1/openapi.json": {
                "get": {
                    "summary": "This document",
                    "operationId": "openapi",
                    "responses": {"200": _json("OpenAPI 3.1", {"type": "object"})},
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "the tenant's API key (pzv_...) or an ingest token (pzt_...)",
                },
                "apiKey": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-API-Key",
                    "description": "the tenant's API key (pzv_...) or an ingest token (pzt_...)",
                },
            },
            "responses": {"Refused": _json("Refused", _ref("Error"))},
            "schemas": {
                **_event_schemas(),
                "EventResult": _result_schema(indexed=False),
                "IndexedResult": _result_schema(indexed=True),
                "BatchResult": _batch_schema(),
                "Error": _error_schema(),
                "Health": {
                    "type": "object",
                    "required": ["status"],
                    "properties": {"status": {"const": "ok"}},
                },
            },
        },
    }
