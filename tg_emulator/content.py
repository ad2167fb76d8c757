"""Validation of message text, entities and reply markup as Telegram does it."""

from __future__ import annotations

from typing import Any

from . import errors as E
from .html_entities import EntityParseError, parse_html, utf16_len
from .params import Params

BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
OTHER_MARKUPS = ("keyboard", "remove_keyboard", "force_reply")


def render_text(p: Params, max_length: int) -> tuple[str, list[dict[str, Any]]]:
    """The message's final text and entities after parse_mode, or Telegram's 400."""
    raw = p.str("text")
    if raw is None or not raw.strip():
        raise E.bad_request(E.TEXT_EMPTY)
    parse_mode = (p.str("parse_mode") or "").lower()
    entities_param = p.array("entities", "entities")
    if parse_mode == "html":
        try:
            text, entities = parse_html(raw)
        except EntityParseError as exc:
            raise E.bad_request(f"can't parse entities: {exc}") from None
    elif parse_mode in ("", "markdown", "markdownv2"):
        # Markdown is passed through unparsed: the product formats with HTML.
        text = raw
        entities = _check_entities(raw, entities_param) if not parse_mode else []
    else:
        raise E.bad_request("unsupported parse_mode")
    if not text.strip():
        raise E.bad_request(E.TEXT_EMPTY)
    if len(text) > max_length:
        raise E.bad_request(E.MESSAGE_TOO_LONG)
    return text, entities


def _check_entities(text: str, entities: list[Any] | None) -> list[dict[str, Any]]:
    if not entities:
        return []
    limit = utf16_len(text)
    out = []
    for entity in entities:
        if not isinstance(entity, dict):
            raise E.bad_request("can't parse entities JSON object")
        kind, offset, length = entity.get("type"), entity.get("offset"), entity.get("length")
        if not isinstance(kind, str) or not isinstance(offset, int) or not isinstance(length, int):
            raise E.bad_request("can't parse entities JSON object")
        if offset < 0 or length <= 0 or offset >= limit:
            continue  # Telegram silently drops entities that fall outside the text.
        out.append({**entity, "length": min(length, limit - offset)})
    out.sort(key=lambda e: (e["offset"], -e["length"]))
    return out


def validate_markup(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """Check reply_markup; inline keyboards get Telegram's button rules."""
    if markup is None:
        return None
    if "inline_keyboard" not in markup:
        if any(key in markup for key in OTHER_MARKUPS):
            return markup
        raise E.bad_request("can't parse reply keyboard markup JSON object")
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise E.bad_request(
            "can't parse inline keyboard: inline_keyboard must be an Array of Arrays"
        )
    clean_rows = []
    for row in rows:
        clean_rows.append([_check_button(button) for button in row])
    return {"inline_keyboard": clean_rows}


def _check_button(button: Any) -> dict[str, Any]:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise E.bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    actions = [key for key in BUTTON_ACTIONS if button.get(key) is not None]
    if not actions:
        raise E.bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    data = button.get("callback_data")
    if data is not None:
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
            raise E.bad_request(E.BUTTON_DATA_INVALID)
    url = button.get("url")
    if url is not None and (
        not isinstance(url, str) or ("://" not in url and not url.startswith("tg:"))
    ):
        raise E.bad_request("BUTTON_URL_INVALID")
    return {key: value for key, value in button.items() if value is not None}
