"""The intake's entries: one typed class per kind of accepted work, each with its encode and
decode beside each other, and one `append(entry, pipe)` the store's transactions call (the
stream and its ready index are store/intake.py)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from redis.asyncio.client import Pipeline

from store import keys


class Malformed(ValueError):
    """An intake entry no version of this code can turn into messages."""


def _need(f: Mapping[str, str], name: str) -> str:
    if not f.get(name):
        raise Malformed(f"{f.get('kind')} entry without {name}")
    return f[name]


def _markup(raw: str) -> dict | None:
    try:
        markup = json.loads(raw) if raw else None
    except ValueError as exc:
        raise Malformed(f"markup is not JSON: {exc}") from exc
    if markup is not None and not isinstance(markup, dict):
        raise Malformed("markup is not an object")
    return markup


def _markup_text(markup: Mapping[str, Any] | None) -> str:
    if markup is None:
        return ""
    return json.dumps(dict(markup), ensure_ascii=False, separators=(",", ":"))


def _float(f: Mapping[str, str], name: str) -> float:
    try:
        return float(f.get(name) or 0)
    except ValueError as exc:
        raise Malformed(f"{name} is not a number") from exc


@dataclass(frozen=True, slots=True)
class CallEntry:
    """A missed call was recorded: send its card to the group's followers."""

    KIND: ClassVar[str] = "call"
    tenant: str
    call_id: str

    def encode(self) -> dict[str, str]:
        return {"kind": self.KIND, "tenant": self.tenant, "call_id": self.call_id}

    @classmethod
    def decode(cls, f: Mapping[str, str]) -> CallEntry:
        return cls(f["tenant"], _need(f, "call_id"))


@dataclass(frozen=True, slots=True)
class GroupNewEntry:
    """The PBX named a group first: tell the tenant's admins."""

    KIND: ClassVar[str] = "group_new"
    tenant: str
    group: str

    def encode(self) -> dict[str, str]:
        return {"kind": self.KIND, "tenant": self.tenant, "group": self.group}

    @classmethod
    def decode(cls, f: Mapping[str, str]) -> GroupNewEntry:
        return cls(f["tenant"], _need(f, "group"))


@dataclass(frozen=True, slots=True)
class CardEntry:
    """A follow-up card changed: bring every copy of it up to date."""

    KIND: ClassVar[str] = "card"
    tenant: str
    card: str

    def encode(self) -> dict[str, str]:
        return {"kind": self.KIND, "tenant": self.tenant, "card": self.card}

    @classmethod
    def decode(cls, f: Mapping[str, str]) -> CardEntry:
        return cls(f["tenant"], _need(f, "card"))


@dataclass(frozen=True, slots=True)
class CardDueEntry:
    """A card's escalation, reminder or expiry is due."""

    KIND: ClassVar[str] = "card_due"
    tenant: str
    card: str
    step: str

    def encode(self) -> dict[str, str]:
        return {"kind": self.KIND, "tenant": self.tenant, "card": self.card, "step": self.step}

    @classmethod
    def decode(cls, f: Mapping[str, str]) -> CardDueEntry:
        return cls(f["tenant"], _need(f, "card"), _need(f, "step"))


@dataclass(frozen=True, slots=True)
class ServiceEntry:
    """A rendered text (HTML) to one chat of the tenant."""

    KIND: ClassVar[str] = "service"
    tenant: str
    chat: int
    text: str
    markup: dict | None = None
    at: float = 0.0

    def encode(self) -> dict[str, str]:
        return {
            "kind": self.KIND,
            "tenant": self.tenant,
            "chat": str(self.chat),
            "text": self.text,
            "markup": _markup_text(self.markup),
            "at": repr(self.at),
        }

    @classmethod
    def decode(cls, f: Mapping[str, str]) -> ServiceEntry:
        try:
            chat = int(_need(f, "chat"))
        except ValueError as exc:
            raise Malformed("service entry: chat is not a number") from exc
        return cls(
            f["tenant"], chat, _need(f, "text"), _markup(f.get("markup", "")), _float(f, "at")
        )


@dataclass(frozen=True, slots=True)
class AdminsEntry:
    """A rendered text to every admin the tenant has when the entry is processed."""

    KIND: ClassVar[str] = "admins"
    tenant: str
    text: str
    markup: dict | None = None
    at: float = 0.0

    def encode(self) -> dict[str, str]:
        return {
            "kind": self.KIND,
            "tenant": self.tenant,
            "text": self.text,
            "markup": _markup_text(self.markup),
            "at": repr(self.at),
        }

    @classmethod
    def decode(cls, f: Mapping[str, str]) -> AdminsEntry:
        return cls(f["tenant"], _need(f, "text"), _markup(f.get("markup", "")), _float(f, "at"))


@dataclass(frozen=True, slots=True)
class FollowersEntry:
    """A rendered text to every active follower of a group, as they are when processed."""

    KIND: ClassVar[str] = "followers"
    tenant: str
    group: str
    text: str
    markup: dict | None = None
    at: float = 0.0

    def encode(self) -> dict[str, str]:
        return {
            "kind": self.KIND,
            "tenant": self.tenant,
            "group": self.group,
            "text": self.text,
            "markup": _markup_text(self.markup),
            "at": repr(self.at),
        }

    @classmethod
    def decode(cls, f: Mapping[str, str]) -> FollowersEntry:
        return cls(
            f["tenant"],
            _need(f, "group"),
            _need(f, "text"),
            _markup(f.get("markup", "")),
            _float(f, "at"),
        )


@dataclass(frozen=True, slots=True)
class FarewellEntry:
    """A text to listed chats through one named bot that is being switched off or deleted:
    only it can reach the chats that never started another bot, so it is never re-routed."""

    KIND: ClassVar[str] = "farewell"
    tenant: str
    bot: int
    chats: tuple[int, ...]
    text: str
    at: float = 0.0

    def encode(self) -> dict[str, str]:
        return {
            "kind": self.KIND,
            "tenant": self.tenant,
            "bot": str(self.bot),
            "chats": ",".join(str(c) for c in self.chats),
            "text": self.text,
            "at": repr(self.at),
        }

    @classmethod
    def decode(cls, f: Mapping[str, str]) -> FarewellEntry:
        try:
            bot = int(_need(f, "bot"))
            chats = tuple(int(c) for c in _need(f, "chats").split(","))
        except ValueError as exc:
            raise Malformed(f"farewell entry: {type(exc).__name__}") from exc
        return cls(f["tenant"], bot, chats, _need(f, "text"), _float(f, "at"))


@dataclass(frozen=True, slots=True)
class FileEntry:
    """A photo or document kept under `file` (a tenant key with a TTL), to one chat or, with
    `chat` None, to every admin; `text` is its HTML caption."""

    KIND: ClassVar[str] = "file"
    tenant: str
    chat: int | None
    media: str
    file: str
    filename: str
    text: str = ""
    markup: dict | None = None
    at: float = 0.0

    def encode(self) -> dict[str, str]:
        return {
            "kind": self.KIND,
            "tenant": self.tenant,
            "chat": "" if self.chat is None else str(self.chat),
            "media": self.media,
            "file": self.file,
            "filename": self.filename,
            "text": self.text,
            "markup": _markup_text(self.markup),
            "at": repr(self.at),
        }

    @classmethod
    def decode(cls, f: Mapping[str, str]) -> FileEntry:
        try:
            chat = int(f["chat"]) if f.get("chat") else None
        except ValueError as exc:
            raise Malformed("file entry: chat is not a number") from exc
        return cls(
            f["tenant"],
            chat,
            _need(f, "media"),
            _need(f, "file"),
            f.get("filename", ""),
            f.get("text", ""),
            _markup(f.get("markup", "")),
            _float(f, "at"),
        )


@dataclass(frozen=True, slots=True)
class WeeklyEntry:
    """The weekly report to the tenant's admins, for the week that ends at `until`."""

    KIND: ClassVar[str] = "weekly"
    tenant: str
    until: int

    def encode(self) -> dict[str, str]:
        return {"kind": self.KIND, "tenant": self.tenant, "until": str(self.until)}

    @classmethod
    def decode(cls, f: Mapping[str, str]) -> WeeklyEntry:
        try:
            return cls(f["tenant"], int(float(_need(f, "until"))))
        except (ValueError, OverflowError) as exc:
            raise Malformed(f"weekly entry: until {f.get('until')!r}") from exc


Entry = (
    CallEntry
    | GroupNewEntry
    | CardEntry
    | CardDueEntry
    | ServiceEntry
    | AdminsEntry
    | FollowersEntry
    | FarewellEntry
    | FileEntry
    | WeeklyEntry
)
KINDS: dict[str, type[Entry]] = {
    c.KIND: c
    for c in (
        CallEntry,
        GroupNewEntry,
        CardEntry,
        CardDueEntry,
        ServiceEntry,
        AdminsEntry,
        FollowersEntry,
        FarewellEntry,
        FileEntry,
        WeeklyEntry,
    )
}


def decode(fields: Mapping[str, str]) -> Entry:
    """The typed entry of a stream entry's fields; Malformed when no kind fits."""
    kind = KINDS.get(fields.get("kind", ""))
    if kind is None or not fields.get("tenant"):
        raise Malformed(f"kind {fields.get('kind')!r}, tenant {fields.get('tenant')!r}")
    return kind.decode(fields)


def append(entry: Entry, pipe: Pipeline) -> None:
    """Queue the entry's XADD in `pipe` (a MULTI over the tenant's slot); `mark` follows."""
    pipe.xadd(keys.intake(entry.tenant), entry.encode())


# A CallEntry's encoding is kind, tenant, call_id: 6 strings as field/value pairs, the call id
# last (a script that records calls reads it there).
CALL_FIELDS = 6


def fields_argv(entry: Entry) -> list[str]:
    """The entry's fields as XADD's field/value arguments, for a script that appends it."""
    return [x for pair in entry.encode().items() for x in pair]
