"""webhook_ingest/connectors/base.py `HookRequest`: fields and headers as the vendors read them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from multidict import CIMultiDict, CIMultiDictProxy

from webhook_ingest.connectors.base import HookRequest


def _req(form=(), headers=None) -> HookRequest:
    return HookRequest("POST", "", "http://x/", headers or {}, {}, tuple(form), b"")


def _first(form, name: str, default: str = "") -> str:
    return next((value for key, value in form if key == name), default)


@given(
    form=st.lists(st.tuples(st.sampled_from(["a", "b", "data[X]", ""]), st.text(max_size=4))),
    name=st.sampled_from(["a", "b", "data[X]", "", "missing"]),
)
def test_a_field_is_the_first_of_its_name_as_a_scan_of_the_form_finds(form, name):
    req = _req(form)
    assert req.field(name) == _first(form, name)
    assert req.field(name, "dflt") == _first(form, name, "dflt")
    assert req.form == tuple(form)


def test_repeated_fields_the_first_wins():
    req = _req([("auth[application_token]", "first"), ("auth[application_token]", "second")])
    assert req.field("auth[application_token]") == "first"
    assert req.fields == {"auth[application_token]": "first"}


def test_plain_headers_are_lowercased_and_the_first_of_a_name_wins():
    req = _req(headers={"X-Twilio-Signature": "one", "x-twilio-signature": "two"})
    assert req.header("x-TWILIO-signature") == "one"
    assert req.headers == {"x-twilio-signature": "one"}


def test_aiohttp_headers_are_kept_case_insensitive_and_the_first_of_a_name_wins():
    raw = CIMultiDict([("Signature", "one"), ("SIGNATURE", "two"), ("Content-Type", "t")])
    req = _req(headers=CIMultiDictProxy(raw))
    assert req.header("signature") == req.header("Signature") == "one"
    assert req.header("content-type") == "t" and req.header("absent") == ""
