"""Typed access to Bot API call parameters, whether they came as JSON or as form fields."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from .errors import ApiError, bad_request
from .files import Upload

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


async def read_params(request: web.Request) -> dict[str, Any]:
    """Merge query-string and body parameters; bad bodies become Telegram-style 400s."""
    params: dict[str, Any] = dict(request.query)
    if not request.can_read_body:
        return params
    ctype = request.content_type
    if ctype == "application/json":
        raw = await request.read()
        if not raw.strip():
            return params
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise bad_request("can't parse JSON object") from None
        if not isinstance(body, dict):
            raise bad_request("can't parse JSON object")
        params.update(body)
    elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            form = await request.post()
        except web.HTTPRequestEntityTooLarge:
            raise ApiError(413, "Request Entity Too Large") from None
        except ValueError:
            raise bad_request("can't parse request body") from None
        for k, v in form.items():
            if isinstance(v, str):
                params[k] = v
            elif isinstance(v, web.FileField):
                params[k] = Upload(k, v.filename or "", v.content_type or "", v.file.read())
    else:
        await request.read()
    return params


class Params:
    """Getters that coerce form strings the way Telegram does and fail with its wording."""

    def __init__(self, raw: dict[str, Any]):
        self.raw = raw

    def has(self, name: str) -> bool:
        """Whether the parameter was sent (and is not null)."""
        return self.raw.get(name) is not None

    def str(self, name: str, default: str | None = None) -> str | None:
        """A string parameter; numbers are accepted and turned into text."""
        value = self.raw.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        if not isinstance(value, str):
            raise bad_request(f'field "{name}" must be of type String')
        return value

    def int(self, name: str, default: int | None = None) -> int | None:
        """An integer parameter ("42" or 42)."""
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            raise bad_request(f'field "{name}" must be of type Integer')
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        try:
            return int(str(value).strip())
        except ValueError:
            raise bad_request(f'field "{name}" must be of type Integer') from None

    def float(self, name: str, default: float | None = None) -> float | None:
        """A number parameter."""
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f'field "{name}" must be of type Float') from None

    def bool(self, name: str, default: bool = False) -> bool:
        """A boolean parameter (true/false/1/0 as text, or JSON booleans)."""
        value = self.raw.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value != 0
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise bad_request(f'field "{name}" must be of type Boolean')

    def json(self, name: str, what: str) -> Any:
        """An object or array parameter, sent natively or as a JSON string in a form."""
        value = self.raw.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {what} JSON object") from None
        return value

    def obj(self, name: str, what: str) -> dict[str, Any] | None:
        """A JSON object parameter."""
        value = self.json(name, what)
        if value is not None and not isinstance(value, dict):
            raise bad_request(f"can't parse {what} JSON object")
        return value

    def array(self, name: str, what: str) -> list[Any] | None:
        """A JSON array parameter."""
        value = self.json(name, what)
        if value is not None and not isinstance(value, list):
            raise bad_request(f"can't parse {what} JSON object")
        return value

    def chat_id(self, name: str = "chat_id") -> int | str:
        """A chat id: an integer or an @username."""
        value = self.raw.get(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        if isinstance(value, str) and value.startswith("@"):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            # Telegram treats any other text as an unknown username.
            raise bad_request("chat not found") from None


def require(value: Any, error: ApiError) -> Any:
    """Return value, or raise the given error when it is missing."""
    if value is None:
        raise error
    return value
