"""Uploaded files: what a multipart/form-data part carried, the files a world keeps (so a test
reads back the bytes a bot sent), and the picture sizes Telegram reads from a photo's header.

Like the forums, the files of a world live beside it here; they are not in snapshots."""

from __future__ import annotations

import hashlib
import itertools
import struct
import weakref
from dataclasses import dataclass, field

from .state import World


@dataclass(frozen=True)
class Upload:
    """One file part of a multipart/form-data request."""

    field: str
    filename: str
    content_type: str
    data: bytes

    def __repr__(self) -> str:  # the API log shows a file, never its bytes
        return f"<file {self.filename!r}, {len(self.data)} bytes>"


@dataclass(frozen=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str  # "photo" or "document"
    data: bytes
    file_name: str = ""
    mime_type: str = ""
    width: int = 0
    height: int = 0

    @property
    def path(self) -> str:
        return f"{self.kind}s/file_{self.file_unique_id}"


@dataclass
class FileStore:
    by_id: dict[str, StoredFile] = field(default_factory=dict)
    seq: itertools.count = field(default_factory=lambda: itertools.count(1))

    def add(self, kind: str, data: bytes, **meta: object) -> StoredFile:
        """Keep the bytes; the same bytes get the same unique id, as on Telegram."""
        unique = hashlib.sha256(data).hexdigest()[:16]
        file_id = f"{kind[:2].upper()}{next(self.seq):06d}{unique}"
        stored = StoredFile(file_id, unique, kind, data, **meta)  # type: ignore[arg-type]
        self.by_id[file_id] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        """The file of an id, or of a photo's scaled copy (`<id>_<n>`)."""
        return self.by_id.get(file_id) or self.by_id.get(file_id.rpartition("_")[0])

    def by_path(self, path: str) -> StoredFile | None:
        return next((f for f in self.by_id.values() if f.path == path), None)


_FILES: weakref.WeakKeyDictionary[World, FileStore] = weakref.WeakKeyDictionary()


def files(world: World) -> FileStore:
    return _FILES.setdefault(world, FileStore())


class NotAnImage(ValueError):
    """Bytes that are neither PNG, JPEG, GIF nor WebP."""


def image_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG, JPEG, GIF or WebP header."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_size(data)
    if data[:2] == b"\xff\xd8":
        return _jpeg_size(data)
    raise NotAnImage


def _webp_size(data: bytes) -> tuple[int, int]:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        w = int.from_bytes(data[24:27], "little") + 1
        h = int.from_bytes(data[27:30], "little") + 1
        return w, h
    if chunk == b"VP8 " and len(data) >= 30:
        w, h = struct.unpack("<HH", data[26:30])
        return w & 0x3FFF, h & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    raise NotAnImage


def _jpeg_size(data: bytes) -> tuple[int, int]:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            raise NotAnImage
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            h, w = struct.unpack(">HH", data[i + 5 : i + 9])
            return w, h
        i += 2 + length
    raise NotAnImage


# The sides Telegram scales a photo down to (its s, m, x, y, w sizes).
PHOTO_SIDES = (90, 320, 800, 1280, 2560)


def photo_sizes(stored: StoredFile) -> list[dict[str, object]]:
    """The PhotoSize array of a sent photo: scaled-down copies, then the largest, which is the
    uploaded file (ids of the copies resolve to it too)."""
    w, h = stored.width, stored.height
    longest = max(w, h, 1)
    sides = [s for s in PHOTO_SIDES if s < longest][: len(PHOTO_SIDES) - 1]
    out: list[dict[str, object]] = [
        {
            "file_id": f"{stored.file_id}_{i}",
            "file_unique_id": f"{stored.file_unique_id}{i}",
            "width": max(1, round(w * side / longest)),
            "height": max(1, round(h * side / longest)),
        }
        for i, side in enumerate(sides)
    ]
    out.append({"file_id": stored.file_id, "file_unique_id": stored.file_unique_id,
                "width": w, "height": h, "file_size": len(stored.data)})  # fmt: skip
    return out
