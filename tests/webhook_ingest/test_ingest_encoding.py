"""Content-Encoding over a real socket: compressed bodies work, a false claim is a 400."""

import gzip
import json
import logging
import zlib

import pytest

BODY = json.dumps({"call_id": "enc-1", "caller": "100"}).encode()


def _post(live, encoding: str, data: bytes):
    headers = {
        "Authorization": f"Bearer {live.key}",
        "Content-Type": "application/json",
        "Content-Encoding": encoding,
    }
    return live.request("POST", "/v1/events", headers, data)


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_body_that_is_not_what_its_encoding_says_is_400_without_a_traceback(
    live, conformance, caplog, encoding
):
    caplog.set_level(logging.DEBUG)
    status, headers, body = _post(live, encoding, BODY)
    got = conformance.check("/v1/events", "POST", status, headers["content-type"], body)
    assert status == 400
    assert got["error"]["code"] == "invalid_encoding"
    assert encoding in got["error"]["message"]
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    "encoding,data", [("gzip", gzip.compress(BODY)), ("deflate", zlib.compress(BODY))]
)
def test_real_compressed_bodies_are_accepted(live, encoding, data):
    status, _, body = _post(live, encoding, data)
    assert status == 202
    assert json.loads(body)["call_id"] == "enc-1"


@pytest.mark.parametrize("encoding", ["br", "zstd"])
def test_encodings_we_cannot_decode_are_400(live, encoding):
    status, _, _ = _post(live, encoding, BODY)
    assert status == 400
