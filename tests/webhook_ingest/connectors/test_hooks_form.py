"""webhook_ingest/hooks.py `form_pairs`: exactly what `parse_qsl` reads, faster."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from hypothesis import given
from hypothesis import strategies as st

from webhook_ingest.hooks import form_pairs


def _qsl(body: bytes) -> tuple[tuple[str, str], ...]:
    return tuple(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


@given(st.binary(max_size=200))
def test_any_bytes_read_as_parse_qsl_reads_them(body):
    assert form_pairs(body) == _qsl(body)


PIECES = st.sampled_from(["a", "=", "&", "+", "%", "%2", "%41", "%D0%96", "%ff", "ж", " ", ";"])


@given(st.lists(PIECES, max_size=30).map(lambda xs: "".join(xs).encode()))
def test_quoting_edge_cases_read_as_parse_qsl_reads_them(body):
    assert form_pairs(body) == _qsl(body)


@given(st.lists(st.tuples(st.text(max_size=12), st.text(max_size=12)), max_size=8))
def test_an_encoded_form_reads_back(pairs):
    body = urlencode(pairs).encode()
    assert form_pairs(body) == _qsl(body) == tuple(pairs if body else ())


def test_a_vendor_post():
    body = b"event=NOTIFY_END&caller_id=%2B74951234567&disposition=no+answer&internal=&x"
    assert form_pairs(body) == (
        ("event", "NOTIFY_END"), ("caller_id", "+74951234567"),
        ("disposition", "no answer"), ("internal", ""), ("x", ""),
    )  # fmt: skip
