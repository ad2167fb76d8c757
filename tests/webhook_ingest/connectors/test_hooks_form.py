"""webhook_ingest/hooks.py `form_pairs`: exactly what `parse_qsl` reads, faster."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import pytest
from aiohttp.helpers import parse_content_type
from hypothesis import given
from hypothesis import strategies as st

from webhook_ingest import hooks
from webhook_ingest.hooks import form_pairs

# The C unquoter (yarl's) and urllib's fallback must read every form alike.
UNQUOTERS = [hooks.UNQUOTE_PLUS, hooks._unquote_plus]


def _qsl(body: bytes) -> tuple[tuple[str, str], ...]:
    return tuple(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))


def test_the_c_unquoter_is_in_use():
    assert hooks.UNQUOTE_PLUS is not hooks._unquote_plus


@pytest.mark.parametrize("unquote", UNQUOTERS)
@given(body=st.binary(max_size=200))
def test_any_bytes_read_as_parse_qsl_reads_them(unquote, body):
    assert form_pairs(body, unquote) == _qsl(body)


PIECES = st.sampled_from(["a", "=", "&", "+", "%", "%2", "%41", "%D0%96", "%ff", "ж", " ", ";"])


@pytest.mark.parametrize("unquote", UNQUOTERS)
@given(body=st.lists(PIECES, max_size=30).map(lambda xs: "".join(xs).encode()))
def test_quoting_edge_cases_read_as_parse_qsl_reads_them(unquote, body):
    assert form_pairs(body, unquote) == _qsl(body)


@pytest.mark.parametrize("unquote", UNQUOTERS)
@given(pairs=st.lists(st.tuples(st.text(max_size=12), st.text(max_size=12)), max_size=8))
def test_an_encoded_form_reads_back(unquote, pairs):
    body = urlencode(pairs).encode()
    assert form_pairs(body, unquote) == _qsl(body) == tuple(pairs if body else ())


def test_a_vendor_post():
    body = b"event=NOTIFY_END&caller_id=%2B74951234567&disposition=no+answer&internal=&x"
    assert form_pairs(body) == (
        ("event", "NOTIFY_END"), ("caller_id", "+74951234567"),
        ("disposition", "no answer"), ("internal", ""), ("x", ""),
    )  # fmt: skip


# `is_form` reads the usual header itself and must answer as aiohttp's `content_type` does.
HEADER_PIECES = st.sampled_from([
    "application/x-www-form-urlencoded", "Application/X-WWW-Form-URLEncoded", "application/json",
    "application", "/", "x-www-form-urlencoded", "text/plain", ";", " ", "\t", "charset=UTF-8",
    "charset=\"utf-8\"", "(", ")", "\"", ",", "=", "a", "+", "\u0416", "*",
])  # fmt: skip


def _aiohttp_says_form(raw: str | None) -> bool:
    return (parse_content_type(raw)[0] if raw is not None else "") == hooks.FORM


@given(raw=st.lists(HEADER_PIECES, max_size=8).map("".join))
def test_is_form_answers_as_aiohttp_reads_the_header(raw):
    assert hooks.is_form(raw) == _aiohttp_says_form(raw)


@given(raw=st.text(max_size=60))
def test_is_form_answers_as_aiohttp_for_any_text(raw):
    assert hooks.is_form(raw) == _aiohttp_says_form(raw)


@pytest.mark.parametrize(
    ("raw", "form"),
    [
        ("application/x-www-form-urlencoded", True),
        ("application/x-www-form-urlencoded; charset=UTF-8", True),
        (" APPLICATION/x-www-form-urlencoded ;charset=utf-8", True),
        ("application/json", False),
        ("application/x-www-form-urlencoded-not", False),
        ("", False),
        (None, False),
    ],
)
def test_is_form_table(raw, form):
    assert hooks.is_form(raw) is form is _aiohttp_says_form(raw)
