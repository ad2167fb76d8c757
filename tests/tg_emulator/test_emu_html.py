"""Telegram HTML parse_mode: entities produced and tdlib's error messages, as a table."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tg_emulator.html_entities import EntityParseError, parse_html, utf16_len

OK_CASES = [
    ("plain", "plain", []),
    ("<b>b</b><strong>s</strong>", "bs", [("bold", 0, 1), ("bold", 1, 1)]),
    ("<i>i</i><em>e</em><u>u</u><ins>n</ins>", "ieun",
     [("italic", 0, 1), ("italic", 1, 1), ("underline", 2, 1), ("underline", 3, 1)]),
    ("<s>a</s><strike>b</strike><del>c</del>", "abc",
     [("strikethrough", 0, 1), ("strikethrough", 1, 1), ("strikethrough", 2, 1)]),
    ('<span class="tg-spoiler">x</span><tg-spoiler>y</tg-spoiler>', "xy",
     [("spoiler", 0, 1), ("spoiler", 1, 1)]),
    ("<code>c</code>", "c", [("code", 0, 1)]),
    ("<pre>p</pre>", "p", [("pre", 0, 1)]),
    ("<blockquote>q</blockquote>", "q", [("blockquote", 0, 1)]),
    ("<blockquote expandable>q</blockquote>", "q", [("expandable_blockquote", 0, 1)]),
    ("&lt;&gt;&amp;&quot;&#65;&#x42;", '<>&"AB', []),
    ("a &unknown; b", "a &unknown; b", []),
    ("😀<b>x</b>", "😀x", [("bold", 2, 1)]),
    ("<b>a<i>b</i></b>", "ab", [("bold", 0, 2), ("italic", 1, 1)]),
    ("<B>x</B>", "x", [("bold", 0, 1)]),
    ("<b></b>x", "x", []),
    ("<b>x</>", "x", [("bold", 0, 1)]),
]  # fmt: skip

ERROR_CASES = [
    ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
    ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
    ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
    ("x</b>", "Unexpected end tag at byte offset 1"),
    ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
    ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ("é<b", "Unclosed start tag at byte offset 2"),
    ("<b>x</b", "Unclosed end tag at byte offset 4"),
    ("<a href>x</a>", 'Expected equal sign in declaration of an attribute of the tag "a" '
     "at byte offset 0"),
]  # fmt: skip


@pytest.mark.parametrize(("source", "text", "entities"), OK_CASES)
def test_valid_html_gives_text_and_entities(source, text, entities):
    got_text, got_entities = parse_html(source)
    assert got_text == text
    assert [(e["type"], e["offset"], e["length"]) for e in got_entities] == entities


@pytest.mark.parametrize(("source", "message"), ERROR_CASES)
def test_invalid_html_gives_tdlib_message(source, message):
    with pytest.raises(EntityParseError) as info:
        parse_html(source)
    assert str(info.value) == message


def test_link_and_pre_language_carry_their_arguments():
    text, entities = parse_html(
        '<a href="https://example.org/?a=1&amp;b=2">l</a>'
        '<pre><code class="language-python">x</code></pre><tg-emoji emoji-id="5">👍</tg-emoji>'
    )
    assert text == "lx👍"
    assert entities == [
        {"offset": 0, "length": 1, "type": "text_link", "url": "https://example.org/?a=1&b=2"},
        {"offset": 1, "length": 1, "type": "pre", "language": "python"},
        {"offset": 2, "length": 2, "type": "custom_emoji", "custom_emoji_id": "5"},
    ]


@given(st.text())
def test_escaped_text_round_trips(raw):
    text, entities = parse_html(html.escape(raw, quote=False))
    assert text == raw
    assert entities == []


@given(st.text(min_size=1), st.sampled_from(["b", "i", "u", "s", "code"]))
def test_wrapped_text_gets_one_entity_of_its_utf16_length(raw, tag):
    text, entities = parse_html(f"<{tag}>{html.escape(raw, quote=False)}</{tag}>")
    assert text == raw
    assert [(e["offset"], e["length"]) for e in entities] == [(0, utf16_len(raw))]
