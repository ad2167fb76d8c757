"""Telegram's HTML parse_mode: plain text plus MessageEntity list, or the error tdlib gives."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

SUPPORTED_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre",
        "span", "tg-spoiler", "blockquote", "tg-emoji",
    }
)  # fmt: skip
SIMPLE_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]{2,4}));")
_NAME_TOKEN_RE = re.compile(r"[A-Za-z0-9.\-]*")


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; str() is tdlib's message."""


@dataclass
class _Open:
    tag: str
    start: int  # UTF-16 offset in the output text
    attrs: dict[str, str] = field(default_factory=dict)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of MessageEntity offsets."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _decode_entity(text: str, i: int) -> tuple[str, int] | None:
    match = _ENTITY_RE.match(text, i)
    if not match:
        return None
    dec, hexa, name = match.groups()
    if name is not None:
        char = NAMED_ENTITIES.get(name)
        if char is None:
            return None
        return char, match.end()
    code = int(dec) if dec is not None else int(hexa, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.out: list[str] = []
        self.offset = 0
        self.stack: list[_Open] = []
        self.entities: list[dict[str, Any]] = []

    def byte_offset(self, i: int) -> int:
        return len(self.text[:i].encode("utf-8", "surrogatepass"))

    def emit(self, chunk: str) -> None:
        self.out.append(chunk)
        self.offset += utf16_len(chunk)

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        text, n, i = self.text, len(self.text), 0
        while i < n:
            ch = text[i]
            if ch == "&":
                decoded = _decode_entity(text, i)
                if decoded:
                    self.emit(decoded[0])
                    i = decoded[1]
                else:
                    self.emit("&")
                    i += 1
            elif ch == "<":
                i = self.end_tag(i) if text.startswith("</", i) else self.start_tag(i)
            else:
                j = i
                while j < n and text[j] not in "&<":
                    j += 1
                self.emit(text[i:j])
                i = j
        if self.stack:
            raise EntityParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"'
            )
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.out), self.entities

    def start_tag(self, begin: int) -> int:
        text, n = self.text, len(self.text)
        i = begin + 1
        while i < n and not text[i].isspace() and text[i] != ">":
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        tag = text[begin + 1 : i].lower()
        if tag not in SUPPORTED_TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{tag}" at byte offset {self.byte_offset(begin)}'
            )
        attrs: dict[str, str] = {}
        while True:
            while i < n and text[i].isspace():
                i += 1
            if i >= n:
                raise EntityParseError(
                    f'Unclosed start tag "{tag}" at byte offset {self.byte_offset(begin)}'
                )
            if text[i] == ">":
                break
            name_start = i
            while i < n and not text[i].isspace() and text[i] not in "=>":
                i += 1
            name = text[name_start:i].lower()
            while i < n and text[i].isspace():
                i += 1
            if i >= n or text[i] != "=":
                if name == "expandable" and tag == "blockquote":
                    attrs[name] = ""
                    continue
                raise EntityParseError(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                    f"at byte offset {self.byte_offset(begin)}"
                )
            i += 1
            while i < n and text[i].isspace():
                i += 1
            if i >= n:
                raise EntityParseError(
                    f'Unclosed start tag "{tag}" at byte offset {self.byte_offset(begin)}'
                )
            if text[i] in "'\"":
                value, i = self.quoted(i, begin)
            else:
                token = _NAME_TOKEN_RE.match(text, i)
                end = token.end() if token else i
                if end < n and not text[end].isspace() and text[end] != ">":
                    raise EntityParseError(
                        f"Unexpected end of name token at byte offset {self.byte_offset(i)}"
                    )
                value, i = text[i:end].lower(), end
            attrs[name] = value
        if tag == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(begin)}'
            )
        self.stack.append(_Open(tag, self.offset, attrs))
        return i + 1

    def quoted(self, i: int, begin: int) -> tuple[str, int]:
        text, n = self.text, len(self.text)
        quote, i = text[i], i + 1
        chunks: list[str] = []
        while i < n and text[i] != quote:
            decoded = _decode_entity(text, i) if text[i] == "&" else None
            if decoded:
                chunks.append(decoded[0])
                i = decoded[1]
            else:
                chunks.append(text[i])
                i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        return "".join(chunks), i + 1

    def end_tag(self, begin: int) -> int:
        text, n = self.text, len(self.text)
        if not self.stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        i = begin + 2
        while i < n and not text[i].isspace() and text[i] != ">":
            i += 1
        name = text[begin + 2 : i].lower()
        while i < n and text[i].isspace():
            i += 1
        if i >= n or text[i] != ">":
            raise EntityParseError(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        top = self.stack[-1]
        if name and name != top.tag:
            raise EntityParseError(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, "
                f'expected "</{top.tag}>", found "</{name}>"'
            )
        self.stack.pop()
        self.close(top)
        return i + 1

    def close(self, item: _Open) -> None:
        length = self.offset - item.start
        if length <= 0:
            return
        entity: dict[str, Any] = {"offset": item.start, "length": length}
        if item.tag == "a":
            href = item.attrs.get("href", "")
            if not href:
                return
            entity.update(type="text_link", url=href)
        elif item.tag == "tg-emoji":
            emoji_id = item.attrs.get("emoji-id", "")
            if not emoji_id:
                return
            entity.update(type="custom_emoji", custom_emoji_id=emoji_id)
        elif item.tag == "blockquote":
            expandable = "expandable" in item.attrs
            entity["type"] = "expandable_blockquote" if expandable else "blockquote"
        elif item.tag == "pre":
            entity["type"] = "pre"
            inner = self.entities[-1] if self.entities else None
            if (
                inner
                and inner["type"] == "code"
                and (inner["offset"], inner["length"]) == (item.start, length)
                and "language" in inner
            ):
                self.entities.pop()
                entity["language"] = inner["language"]
        else:
            entity["type"] = SIMPLE_TYPES[item.tag]
            language = item.attrs.get("class", "")
            if item.tag == "code" and language.startswith("language-"):
                entity["language"] = language[len("language-") :]
        self.entities.append(entity)


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Turn Telegram HTML into (plain text, entities) or raise EntityParseError."""
    return _Parser(text).run()
