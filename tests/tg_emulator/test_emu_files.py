"""File uploads: sendPhoto and sendDocument as multipart/form-data through python-telegram-bot
and raw HTTP, checked against the spec; Telegram's limits and refusals; the bytes read back."""

from __future__ import annotations

import struct

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError

from tests.tg_emulator.images import jpeg_header, png
from tg_emulator import EmulatorSettings, RateLimits, serve_emulator
from tg_emulator.client import EmulatorClient
from tg_emulator.files import NotAnImage, image_size


@pytest.mark.parametrize(
    ("data", "size"),
    [
        (png(3, 2), (3, 2)),
        (jpeg_header(640, 480), (640, 480)),
        (b"GIF89a" + struct.pack("<HH", 7, 9) + b"\x00" * 8, (7, 9)),
    ],
)
def test_image_sizes_are_read_from_the_header(data: bytes, size: tuple[int, int]) -> None:
    assert image_size(data) == size


@pytest.mark.parametrize("data", [b"", b"hello", b"\xff\xd8\x00\x00garbage", b"\x89PNG\r\n"])
def test_what_is_not_an_image(data: bytes) -> None:
    with pytest.raises(NotAnImage):
        image_size(data)


def _bot(emu, world) -> Bot:
    return Bot(world["token"], base_url=f"{emu.base_url}/bot",
               base_file_url=f"{emu.base_url}/file/bot")  # fmt: skip


async def test_a_photo_and_a_document_through_ptb(emu, client, world, spec, raw):
    uid, picture = world["user_id"], png(1600, 900)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Open", callback_data="r:1")]])
    async with _bot(emu, world) as bot:
        sent = await bot.send_photo(uid, picture, caption="<b>Week</b> 12", parse_mode="HTML",
                                    reply_markup=keyboard)  # fmt: skip
        doc = await bot.send_document(uid, b"a,b\n1,2\n", filename="calls.csv", caption="CSV")
        # A file sent once is sent again by its id, without the bytes.
        again = await bot.send_photo(uid, sent.photo[-1].file_id)
        downloaded = await (await bot.get_file(doc.document.file_id)).download_as_bytearray()
    assert sent.caption == "Week 12" and sent.caption_entities[0].type == "bold"
    assert [(p.width, p.height) for p in sent.photo] == [
        (90, 51), (320, 180), (800, 450), (1280, 720), (1600, 900)
    ]  # fmt: skip
    assert sent.photo[-1].file_size == len(picture)
    assert doc.document.file_name == "calls.csv" and doc.document.mime_type == "text/csv"
    assert doc.document.file_size == 8 and bytes(downloaded) == b"a,b\n1,2\n"
    assert again.photo[-1].file_id == sent.photo[-1].file_id
    messages = await client.messages(uid, world["bot_id"])
    photo_msg, doc_msg = messages[-3], messages[-2]
    assert spec.check(photo_msg, ["Message"], "photo") == []
    assert spec.check(doc_msg, ["Message"], "document") == []
    assert photo_msg["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "r:1"
    assert await client.file_bytes(photo_msg["photo"][-1]["file_id"]) == picture
    assert await client.file_bytes(doc_msg["document"]["file_id"]) == b"a,b\n1,2\n"
    status, body, _ = await raw.call(world["token"], "getFile",
                                     file_id=photo_msg["photo"][0]["file_id"])  # fmt: skip
    assert status == 200 and spec.check_result("getFile", body["result"]) == []
    assert body["result"]["file_size"] == len(picture)  # a scaled copy is served as the original
    # The API log names the file, never its bytes.
    [logged] = [e for e in await client.api_log(method="senddocument")]
    assert logged["params"]["document"].startswith("<file 'calls.csv', 8 bytes>")


async def test_a_photo_into_a_forum_topic_counts_against_the_limits(emu, client, world):
    boss = await client.create_user("Boss", user_id=6201)
    chat = await client.create_group("Support", admins=[boss["id"]], supergroup=True)
    await client.add_bot_to_chat(chat["id"], world["bot_id"], admin=True)
    await client.make_forum(chat["id"])
    async with _bot(emu, world) as bot:
        topic = await bot.create_forum_topic(chat["id"], "Reports")
        sent = await bot.send_photo(chat["id"], png(10, 10),
                                    message_thread_id=topic.message_thread_id)  # fmt: skip
        with pytest.raises(BadRequest, match="thread not found"):
            await bot.send_document(chat["id"], b"x", filename="x.txt", message_thread_id=999)
    assert sent.message_thread_id == topic.message_thread_id
    assert (await client.stats(world["bot_id"]))["messages_sent"] == 1


async def _upload(emu, world, method: str, field: str, data: bytes, **fields: str):
    form = aiohttp.FormData()
    form.add_field("chat_id", str(world["user_id"]))
    for k, v in fields.items():
        form.add_field(k, v)
    if data is not None:
        form.add_field(field, data, filename="f.bin", content_type="application/octet-stream")
    async with aiohttp.ClientSession() as http:
        url = f"{emu.base_url}/bot{world['token']}/{method}"
        async with http.post(url, data=form) as resp:
            return resp.status, await resp.json(content_type=None)


@pytest.mark.parametrize(
    ("method", "field", "data", "fields", "status", "description"),
    [
        ("sendPhoto", "photo", None, {}, 400, "Bad Request: there is no photo in the request"),
        ("sendDocument", "document", None, {}, 400,
         "Bad Request: there is no document in the request"),
        ("sendPhoto", "photo", b"not a picture", {}, 400, "Bad Request: IMAGE_PROCESS_FAILED"),
        ("sendPhoto", "photo", png(9000, 1200), {}, 400, "Bad Request: PHOTO_INVALID_DIMENSIONS"),
        ("sendPhoto", "photo", png(2100, 100), {}, 400, "Bad Request: PHOTO_INVALID_DIMENSIONS"),
        ("sendDocument", "document", b"", {}, 400, "Bad Request: file must be non-empty"),
        ("sendPhoto", "photo", png(5, 5), {"caption": "x" * 1025}, 400,
         "Bad Request: message caption is too long"),
        ("sendPhoto", "photo", None, {"photo": "AgACAgIAAxk-unknown"}, 400,
         "Bad Request: wrong file identifier/HTTP URL specified"),
    ],
)  # fmt: skip
async def test_refusals_word_for_word(
    emu, world, method, field, data, fields, status, description
) -> None:
    code, body = await _upload(emu, world, method, field, data, **fields)
    assert (code, body) == (status, {"ok": False, "error_code": status,
                                     "description": description})  # fmt: skip


async def test_a_blocked_user_is_a_403_whatever_the_upload(emu, client, world):
    await client.block_bot(world["user_id"], world["bot_id"])
    async with _bot(emu, world) as bot:
        with pytest.raises(Forbidden, match="blocked"):
            await bot.send_photo(world["user_id"], b"not a picture")


async def test_the_size_limits_photo_10_mb_document_50_mb():
    """Telegram's own limits, lowered here to keep the test small; the defaults are checked
    against the numbers Telegram documents."""
    assert EmulatorSettings().max_photo_bytes == 10 * 1024 * 1024
    assert EmulatorSettings().max_document_bytes == 50 * 1024 * 1024
    small = EmulatorSettings(limits=RateLimits.loose(), max_photo_bytes=4096,
                             max_document_bytes=64 * 1024)  # fmt: skip
    async with serve_emulator(settings=small) as emu:
        async with EmulatorClient(emu.base_url) as client:
            bot = await client.create_bot("files_bot", "Files")
            user = await client.create_user("Ann")
            await client.send_command(bot["id"], user["id"], "start")
        world = {"token": bot["token"], "user_id": user["id"]}
        assert (await _upload(emu, world, "sendPhoto", "photo", png(20, 20)))[0] == 200
        code, body = await _upload(emu, world, "sendPhoto", "photo", png(20, 20, pad=4096))
        assert (code, body["description"]) == (400, "Bad Request: PHOTO_SAVE_FILE_INVALID")
        assert (await _upload(emu, world, "sendDocument", "document", b"x" * 64 * 1024))[0] == 200
        code, body = await _upload(emu, world, "sendDocument", "document", b"x" * (64 * 1024 + 1))
        assert (code, body) == (413, {"ok": False, "error_code": 413,
                                      "description": "Request Entity Too Large"})  # fmt: skip
        # A body over the server's own limit is refused the same way, not with an HTML page.
        code, body = await _upload(emu, world, "sendDocument", "document", b"x" * (2 * 1024**2))
        assert (code, body["error_code"]) == (413, 413)
        async with _bot(emu, {"token": bot["token"]}) as ptb:
            with pytest.raises(NetworkError, match="Request Entity Too Large"):
                await ptb.send_document(user["id"], b"y" * (70 * 1024), filename="big.csv")
