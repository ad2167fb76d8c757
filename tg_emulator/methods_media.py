"""Files: sendPhoto and sendDocument with a multipart/form-data upload (or a file_id sent
before), getFile, and the download path /file/bot<token>/<file_path>.

Telegram's rules kept here: a photo is at most 10 MB, its width + height at most 10000 and
its side ratio at most 20, and it must be an image; a document is at most 50 MB (a larger
request is refused whole with 413); a caption is at most 1024 characters after entity
parsing. Descriptions are Telegram's own (docs/emulator.md)."""

from __future__ import annotations

import mimetypes
from typing import Any

from aiohttp import web

from . import errors as E
from .access import check_can_write, resolve_chat
from .call import Call, Handler
from .content import validate_markup
from .files import NotAnImage, StoredFile, Upload, files, image_size, photo_sizes
from .html_entities import EntityParseError, parse_html
from .methods_forum import check_thread
from .methods_messages import _flood_control, _stall  # one flood control for every send
from .serialize import control_message, message_json

MAX_CAPTION = 1024
PHOTO_TOO_BIG = "PHOTO_SAVE_FILE_INVALID"
PHOTO_DIMENSIONS = "PHOTO_INVALID_DIMENSIONS"
NOT_AN_IMAGE = "IMAGE_PROCESS_FAILED"
EMPTY_FILE = "file must be non-empty"
WRONG_FILE_ID = "wrong file identifier/HTTP URL specified"
CAPTION_TOO_LONG = "message caption is too long"


def too_large() -> E.ApiError:
    """The answer to a request whose upload is over the 50 MB limit."""
    return E.ApiError(413, "Request Entity Too Large")


def _caption(call: Call) -> tuple[str | None, list[dict[str, Any]]]:
    p = call.params
    raw = p.str("caption")
    if not raw:
        return None, []
    mode = (p.str("parse_mode") or "").lower()
    if mode == "html":
        try:
            text, entities = parse_html(raw)
        except EntityParseError as exc:
            raise E.bad_request(f"can't parse entities: {exc}") from None
    elif mode in ("", "markdown", "markdownv2"):
        text, entities = raw, []  # Markdown passes unparsed, as for text messages
    else:
        raise E.bad_request("unsupported parse_mode")
    if len(text) > MAX_CAPTION:
        raise E.bad_request(CAPTION_TOO_LONG)
    return text or None, entities


def _file(call: Call, name: str) -> Upload | StoredFile:
    """The uploaded part (the field itself, or `attach://<part>`) or a file sent before."""
    value = call.params.raw.get(name)
    if isinstance(value, str) and value.startswith("attach://"):
        value = call.params.raw.get(value[len("attach://") :])
    if isinstance(value, Upload):
        return value
    if value is None or value == "":
        raise E.bad_request(f"there is no {name} in the request")
    if not isinstance(value, str):
        raise E.bad_request(f'field "{name}" must be of type String')
    known = files(call.emu.world).get(value)
    if known is None or known.kind != name:
        raise E.bad_request(WRONG_FILE_ID)  # the emulator fetches no URLs either
    return known


def _photo(call: Call) -> StoredFile:
    got = _file(call, "photo")
    if isinstance(got, StoredFile):
        return got
    if len(got.data) > call.emu.settings.max_photo_bytes:
        raise E.bad_request(PHOTO_TOO_BIG)
    if not got.data:
        raise E.bad_request(EMPTY_FILE)
    try:
        w, h = image_size(got.data)
    except NotAnImage:
        raise E.bad_request(NOT_AN_IMAGE) from None
    if w <= 0 or h <= 0 or w + h > 10_000 or max(w, h) > 20 * min(w, h):
        raise E.bad_request(PHOTO_DIMENSIONS)
    return files(call.emu.world).add("photo", got.data, width=w, height=h)


def _document(call: Call) -> StoredFile:
    got = _file(call, "document")
    if isinstance(got, StoredFile):
        return got
    if len(got.data) > call.emu.settings.max_document_bytes:
        raise too_large()
    if not got.data:
        raise E.bad_request(EMPTY_FILE)
    name = got.filename or "document"
    mime = got.content_type
    if not mime or mime == "application/octet-stream":
        mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return files(call.emu.world).add("document", got.data, file_name=name, mime_type=mime)


def document_json(f: StoredFile) -> dict[str, Any]:
    return {"file_id": f.file_id, "file_unique_id": f.file_unique_id, "file_name": f.file_name,
            "mime_type": f.mime_type, "file_size": len(f.data)}  # fmt: skip


def _target(call: Call) -> int:
    # The chat is checked before the file, as Telegram does: a blocked user is a 403 whatever
    # was uploaded.
    chat_id = resolve_chat(call.emu.world, call.params.chat_id())
    check_can_write(call.emu.world, call.bot, chat_id)
    return chat_id


async def _send_media(call: Call, chat_id: int, media: dict[str, Any]) -> dict[str, Any]:
    emu, bot, p = call.emu, call.bot, call.params
    caption, entities = _caption(call)
    extra = dict(media)
    if caption is not None:
        extra["caption"] = caption
        if entities:
            extra["caption_entities"] = entities
    markup = validate_markup(p.obj("reply_markup", "reply keyboard markup"))
    check_thread(emu.world, chat_id, p.int("message_thread_id"))
    paid = p.bool("allow_paid_broadcast")
    _flood_control(call, chat_id, paid)
    msg = emu.world.store_message(
        {
            "chat_id": chat_id,
            "bot_id": bot.id,
            "from_bot": True,
            "from_user_id": None,
            "reply_markup": markup,
            "message_thread_id": p.int("message_thread_id"),
            "disable_notification": p.bool("disable_notification"),
            "extra": extra,
        }
    )
    bot.stats.count_send(paid)
    emu.world.record_event("sent", control_message(emu.world, msg))
    await _stall(call, chat_id)
    return message_json(emu.world, msg)


async def send_photo(call: Call) -> dict[str, Any]:
    chat_id = _target(call)
    return await _send_media(call, chat_id, {"photo": photo_sizes(_photo(call))})


async def send_document(call: Call) -> dict[str, Any]:
    chat_id = _target(call)
    return await _send_media(call, chat_id, {"document": document_json(_document(call))})


async def get_file(call: Call) -> dict[str, Any]:
    file_id = call.params.str("file_id")
    if not file_id:
        raise E.bad_request("file_id not specified")
    found = files(call.emu.world).get(file_id)
    if found is None:
        raise E.bad_request("invalid file_id")
    return {"file_id": file_id, "file_unique_id": found.file_unique_id,
            "file_size": len(found.data), "file_path": found.path}  # fmt: skip


async def download(request: web.Request) -> web.StreamResponse:
    """GET /file/bot<token>/<file_path>: the bytes, for the bots of this emulator."""
    from .bot_api import EMULATOR, envelope

    emu = request.app[EMULATOR]
    if request.match_info["token"] not in emu.world.tokens:
        return envelope(E.unauthorized())
    found = files(emu.world).by_path(request.match_info["path"])
    if found is None:
        return envelope(E.not_found())
    return web.Response(body=found.data, content_type=found.mime_type or "image/jpeg")


METHODS: dict[str, Handler] = {
    "sendphoto": send_photo,
    "senddocument": send_document,
    "getfile": get_file,
}
