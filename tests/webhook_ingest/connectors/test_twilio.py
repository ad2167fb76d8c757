"""webhook_ingest/connectors/twilio.py `signature`: the SDK's formula, in one pass over the form."""

from __future__ import annotations

import base64
import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from webhook_ingest.connectors import twilio


def _sdk(url: str, form, token: str) -> str:
    # RequestValidator.compute_signature as written before: each name sorted, then its
    # distinct values sorted, appended to the URL.
    text = url
    for name in sorted({k for k, _ in form}):
        for value in sorted({v for k, v in form if k == name}):
            text += name + value
    return base64.b64encode(hmac.new(token.encode(), text.encode(), hashlib.sha1).digest()).decode()


NAMES = st.sampled_from(["CallSid", "From", "To", "CallStatus", "a", "A", "", "ж"])


@given(
    url=st.text(max_size=20),
    form=st.lists(st.tuples(NAMES, st.text(max_size=6)), max_size=12),
    token=st.text(min_size=1, max_size=8),
)
def test_signature_matches_the_sdk_formula_with_repeated_names(url, form, token):
    assert twilio.signature(url, tuple(form), token) == _sdk(url, form, token)


def test_repeated_values_count_once_and_order_does_not_matter():
    url, token = "https://x/v1/hooks/twilio/c", "t"
    one = (("To", "+1"), ("From", "+2"), ("To", "+1"), ("To", "+0"))
    other = (("To", "+0"), ("From", "+2"), ("To", "+1"))
    assert twilio.signature(url, one, token) == twilio.signature(url, other, token)
    assert twilio.signature(url, one, token) != twilio.signature(url, one[:2], token)
